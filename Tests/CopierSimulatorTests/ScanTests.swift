import Foundation
import Imaging
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

@Suite("Scans")
struct ScanTests {
    let page = CopierPage(sequence: 12, number: 3, of: 10, copy: 1, original: 3, side: .front, colour: true, duplex: true, paper: .a3)

    @Test func namedByJobAndPage() {
        #expect(CopierScan.fileName(page) == "job-12-page-3.png")
    }

    @Test func aPageIsAPictureWithAHeader() throws {
        let image = CopierScan.render(page)
        #expect(image.width == 420 && image.height == 594)
        #expect(image.pixels.contains(0) && image.pixels.contains(255))
        // The same original looks the same in every copy; another original differs.
        let secondCopy = CopierPage(sequence: 12, number: 13, of: 20, copy: 2, original: 3, side: .front, colour: true, duplex: true, paper: .a3)
        let other = CopierPage(sequence: 12, number: 4, of: 10, copy: 1, original: 4, side: .back, colour: true, duplex: true, paper: .a3)
        let content = 130 * 420..<594 * 420
        #expect(CopierScan.render(secondCopy).pixels[content] == image.pixels[content])
        #expect(CopierScan.render(other).pixels[content] != image.pixels[content])
    }

    @Test func writtenAsAPNGWithNothingElseLeftInTheFolder() throws {
        let directory = try TemporaryDirectory("copier-scans")
        let writer = CopierScanWriter(folder: directory.appending("scans"))
        let path = try writer.write(page)
        #expect(path == directory.appending("scans/job-12-page-3.png"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(bytes == (try CopierScan.png(page)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: writer.folder) == ["job-12-page-3.png"])
    }
}
