import Foundation
import LineIO
import ModbusIO
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

@Suite("Print port over TCP", .serialized)
struct PrintPortTests {
    @Test func aPrintJobIsRenderedCountedAndRecordedLikeACopyJob() throws {
        let copier = try RunningCopier()
        let client = try copier.modbusClient()
        try client.unlock(tag: 42, budget: 100)
        let reply = try copier.printJob(SamplePDF.make(pages: 3), id: "split-9-2", copies: 2, colour: true)
        #expect(reply == .printed(jobID: "split-9-2", sequence: 1, pages: 6))
        // Counters and the job record, as the agent reads them for a copy job.
        #expect(try client.read32(CopierModbusMap.Input.totalPages) == 6)
        #expect(try client.read32(CopierModbusMap.Input.totalColourPages) == 6)
        #expect(try client.read32(CopierModbusMap.Input.latestJobSequence) == 1)
        let record = try client.record(1)
        #expect(record.sessionTag == 42 && record.colourPages == 6 && record.copies == 2 && record.paperSize == .a4 && record.end == .completed)
        #expect(RegisterPair.value(in: try client.readHoldingRegisters(address: 2, count: 2), at: 0) == 94)
        // The tray: one rendered PNG per impression, copies of the originals in order.
        let tray = copier.host.simulator.trayWriter.folder
        let files = try FileManager.default.contentsOfDirectory(atPath: tray).filter { $0.hasSuffix(".png") }.sorted()
        #expect(files == (1...6).map { "job-1-page-\($0).png" }.sorted())
        let page1 = try #require(FileManager.default.contents(atPath: tray + "/job-1-page-1.png"))
        let page4 = try #require(FileManager.default.contents(atPath: tray + "/job-1-page-4.png"))
        let page2 = try #require(FileManager.default.contents(atPath: tray + "/job-1-page-2.png"))
        #expect(page1.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(page1 == page4, "copy 2 page 1 is original 1 again")
        #expect(page1 != page2, "original 2 says Page 2")
        // No scans: a print is not a copy.
        #expect(!FileManager.default.fileExists(atPath: copier.host.simulator.scanWriter.folder + "/job-1-page-1.png"))
    }

    @Test func theBudgetStopsAPrintAsItStopsACopy() throws {
        let copier = try RunningCopier()
        try copier.modbusClient().unlock(tag: 1, budget: 4)
        #expect(try copier.printJob(SamplePDF.make(pages: 3), copies: 2) == .stopped(jobID: "split-1-1", sequence: 1, pages: 4, end: .budgetExhausted))
    }

    @Test func aLockedCopierRefusesAPrintAndCountsNothing() throws {
        let copier = try RunningCopier()
        #expect(try copier.printJob(SamplePDF.make(pages: 1)) == .refused(.locked, message: "the copier is locked"))
        #expect(try copier.modbusClient().read32(CopierModbusMap.Input.latestJobSequence) == 0)
    }

    @Test func badInputIsRefusedWithAClearLine() throws {
        let copier = try RunningCopier()
        try copier.modbusClient().unlock(tag: 1, budget: 100)
        #expect(try copier.sendToPrintPort(Array("GET / HTTP/1.0\r\n\r\n".utf8)).hasPrefix("refused header: bad print job header: invalid magic: expected \"IMPJ\""))
        let notPDF = Array("hello, not a pdf".utf8)
        let header = try PrintJobHeader(jobID: "x", copies: 1, colour: false, paper: .a4, pdfLength: notPDF.count)
        #expect(try copier.sendToPrintPort(header.encoded + notPDF) == "refused pdf: not a PDF the copier can print: it does not start with %PDF-")
        var broken = SamplePDF.make(pages: 2)
        broken.replaceSubrange(20..<broken.count - 10, with: [UInt8](repeating: 0x20, count: broken.count - 30))
        let brokenHeader = try PrintJobHeader(jobID: "y", copies: 1, colour: false, paper: .a4, pdfLength: broken.count)
        #expect(try copier.sendToPrintPort(brokenHeader.encoded + broken).hasPrefix("refused pdf: "))
        let short = try PrintJobHeader(jobID: "z", copies: 1, colour: false, paper: .a4, pdfLength: 5000)
        #expect(try copier.sendToPrintPort(short.encoded + Array("%PDF-1.4".utf8), closeAfterSending: true)
            == "refused truncated: the connection ended after 8 of 5000 PDF bytes")
        let mono = try RunningCopier(model: .simulatedMono)
        try mono.modbusClient().unlock(tag: 1, budget: 100)
        #expect(try mono.printJob(SamplePDF.make(pages: 1), paper: .a3)
            == .refused(.paper, message: "paper A3 is not supported by IMP-SIM-M30 (it takes A4, B5, Letter, Legal)"))
        // Nothing above was counted.
        #expect(try copier.modbusClient().read32(CopierModbusMap.Input.latestJobSequence) == 0)
    }
}
