import FirmwareSlots
import Imaging
import Protocol

/// The picture a page's scan holds: a 420 × 594 greyscale page (A-series proportions) with a
/// header saying which page of which job it is, and blocks standing for the original's content.
/// The content depends only on the job and the original, so every copy of an original looks the
/// same, as on a real copier.
public enum CopierScan {
    public static let width = 420
    public static let height = 594

    /// `job-<sequence>-page-<number>.png` (scan-to-folder naming, like real MFPs).
    public static func fileName(_ page: CopierPage) -> String {
        "job-\(page.sequence)-page-\(page.number).png"
    }

    public static func render(_ page: CopierPage) -> GrayImage {
        var image = GrayImage(width: width, height: height)
        image.frame(x: 8, y: 8, width: width - 16, height: height - 16, thickness: 2)
        let lines = [
            "JOB \(page.sequence)",
            "PAGE \(page.number) OF \(page.of)",
            "COPY \(page.copy) ORIGINAL \(page.original) \(page.duplex ? page.side.description : "")",
            "\(page.paper) \(page.colour ? "COLOUR" : "MONO") \(page.duplex ? "DUPLEX" : "SIMPLEX")",
        ]
        for (index, line) in lines.enumerated() {
            BitmapFont.draw(line, into: &image, x: 24, y: 24 + index * 22, scale: 2)
        }
        image.fill(x: 24, y: 120, width: width - 48, height: 2, value: 0)
        var seed = page.sequence &* 2_654_435_761 ^ UInt32(page.original) &* 40503
        func next(_ bound: Int) -> Int {
            seed = seed &* 1_664_525 &+ 1_013_904_223  // a plain LCG: content needs to vary, not be random
            return Int(seed >> 8) % bound
        }
        for _ in 0..<6 {
            let x = 24 + next(width - 160)
            let y = 140 + next(height - 300)
            let w = 40 + next(110)
            let h = 20 + next(120)
            let shade = page.colour ? UInt8(60 + next(150)) : UInt8(next(80))
            image.fill(x: x, y: y, width: w, height: h, value: shade)
        }
        for row in 0..<8 {
            image.fill(x: 24, y: height - 150 + row * 14, width: 120 + next(240), height: 5, value: 90)
        }
        return image
    }

    /// The PNG file's bytes.
    public static func png(_ page: CopierPage) throws(PNGEncoder.Failure) -> [UInt8] {
        try PNGEncoder.encode(render(page))
    }
}

/// Writes scans into the scan folder, each file atomically (temporary file, then rename).
public struct CopierScanWriter: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// Writes the page's scan; returns its path.
    public func write(_ page: CopierPage) throws(CopierScanError) -> String {
        let path = folder + "/" + CopierScan.fileName(page)
        do {
            let bytes = try CopierScan.png(page)
            try AtomicFile.createDirectory(folder)
            try AtomicFile.write(bytes, to: path, durable: false)
        } catch let error as PNGEncoder.Failure {
            throw .encode(path: path, error)
        } catch let error as FileError {
            throw .file(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        return path
    }
}

public enum CopierScanError: Error, Equatable, Sendable, CustomStringConvertible {
    case encode(path: String, PNGEncoder.Failure)
    case file(FileError)

    public var description: String {
        switch self {
        case let .encode(path, failure): return "cannot encode scan \(path): \(failure)"
        case let .file(error): return error.description
        }
    }
}
