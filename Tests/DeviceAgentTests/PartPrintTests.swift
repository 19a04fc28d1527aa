import Foundation
import LineIO
import Protocol
import Testing
import TestSupport
@testable import DeviceAgent

/// Released split parts printed by the agent on the real simulated copier's print port
/// (docs/print-port.md): unlocked for exactly the paid impressions, logged as part prints,
/// locked again, durable across a restart, printed once.
@Suite("Agent prints released parts", .serialized)
struct PartPrintTests {
    static func offer(_ pdf: [UInt8], id: String = "split-sj-1-1", copies: UInt16, impressions: UInt32) throws -> UplinkMessage.PartOffer {
        try UplinkMessage.PartOffer(partID: id, copies: copies, colour: false, paper: .a4, impressions: impressions,
                                    pdfSize: UInt32(pdf.count), pdfHash: Hash32.sha256(pdf))
    }

    func port(_ harness: CopierHarness) -> PrintPortClient {
        PrintPortClient(address: SocketAddress(host: "127.0.0.1", port: harness.copier.printPort))
    }

    func tray(_ harness: CopierHarness) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: harness.copier.trayFolder)) ?? []).filter { $0.hasSuffix(".png") }.count
    }

    func partPrints(_ harness: CopierHarness) throws -> [PartPrintEvent] {
        try harness.events().compactMap { if case let .partPrint(print) = $0.body { return print } else { return nil } }
    }

    @Test func aPartIsPrintedWithABudgetOfItsImpressionsAndLoggedAsAPartPrint() async throws {
        let harness = try await CopierHarness()
        let pdf = SamplePDF.make(pages: 3)
        let offer = try Self.offer(pdf, copies: 2, impressions: 6)
        #expect(try harness.store.storeReceivedPart(offer, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 1)))
        let part = try #require(try harness.store.storedPart(offer.partID))
        let done = try #require(await harness.agent.printPart(part, on: port(harness)))
        guard case let .printed(sequence, impressions) = done.outcome else {
            Issue.record("not printed: \(done)")
            return
        }
        #expect(impressions == 6 && done.pdfHash == offer.pdfHash)
        #expect(tray(harness) == 6)
        #expect(try !harness.copier.relayIsOn(), "locked again after the print")
        try await waitUntil("the print is logged") { try partPrints(harness).count == 1 }
        let print = try #require(try partPrints(harness).first)
        #expect(print.copierJobSequence == sequence && print.pages == 6 && print.copies == 2 && print.partID == offer.partID)
        #expect(try harness.copyJobs().isEmpty, "a part print is not a person's copy job")
        let stored = try #require(try harness.store.storedPart(offer.partID))
        #expect(stored.state == .done && stored.pdf == nil && stored.done == done)

        // Offered again (the server did not hear the answer): the same answer, nothing printed.
        #expect(await harness.agent.printPart(stored, on: port(harness)) == done)
        #expect(!(try harness.store.storeReceivedPart(offer, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 2))))
        #expect(tray(harness) == 6)
        await harness.stop()
    }

    @Test func theBudgetCapsAPrintAtWhatWasPaid() async throws {
        let harness = try await CopierHarness()
        let pdf = SamplePDF.make(pages: 3)
        let offer = try Self.offer(pdf, copies: 1, impressions: 2)  // paid for 2 of the 3 pages
        try harness.store.storeReceivedPart(offer, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 1))
        let part = try #require(try harness.store.storedPart(offer.partID))
        let done = try #require(await harness.agent.printPart(part, on: port(harness)))
        let logged = try #require(try partPrints(harness).first)
        #expect(done.outcome == .printed(copierJobSequence: logged.copierJobSequence, impressions: 2))
        #expect(tray(harness) == 2)
        #expect(try partPrints(harness).first?.end == .budgetReached)
        await harness.stop()
    }

    @Test func aPartSurvivesARestartAndOneCutShortIsNeverSentAgain() async throws {
        let directory = try TemporaryDirectory("part-restart")
        let pdf = SamplePDF.make(pages: 2)
        let waiting = try Self.offer(pdf, id: "split-sj-2-1", copies: 1, impressions: 2)
        let cut = try Self.offer(pdf, id: "split-sj-2-2", copies: 1, impressions: 2)
        var first: CopierHarness? = try await CopierHarness(directory: directory)
        try first!.store.storeReceivedPart(waiting, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 1))
        try first!.store.storeReceivedPart(cut, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 2))
        try first!.store.markPartPrinting(cut.partID, sessionTag: try first!.store.nextSessionTag())  // as if the agent died mid-send
        await first!.stop()
        first = nil

        let again = try await CopierHarness(directory: directory)
        let settled = await again.agent.settleInterruptedParts()
        #expect(settled.map(\.partID) == [cut.partID])
        guard case let .notPrinted(reason)? = settled.first?.outcome else {
            Issue.record("expected not printed: \(settled)")
            return
        }
        #expect(reason.contains("never printed twice"))
        let received = try again.store.storedParts(.received)
        #expect(received.map(\.offer.partID) == [waiting.partID])
        let part = try #require(received.first)
        let done = try #require(await again.agent.printPart(part, on: port(again)))
        let logged = try #require(try partPrints(again).first)
        #expect(done.outcome == .printed(copierJobSequence: logged.copierJobSequence, impressions: 2))
        #expect(tray(again) == 2, "the waiting part printed once, the cut one not again")
        await again.stop()
    }

    @Test func aPrintPortThatIsNotThereLeavesThePartAnsweredNotPrinted() async throws {
        let harness = try await CopierHarness()
        let pdf = SamplePDF.make(pages: 1)
        let offer = try Self.offer(pdf, copies: 1, impressions: 1)
        try harness.store.storeReceivedPart(offer, pdf: pdf, at: Timestamp(millisecondsSinceEpoch: 1))
        let nowhere = PrintPortClient(address: SocketAddress(host: "127.0.0.1", port: 1))
        let part = try #require(try harness.store.storedPart(offer.partID))
        let done = try #require(await harness.agent.printPart(part, on: nowhere))
        guard case let .notPrinted(reason) = done.outcome else {
            Issue.record("expected not printed: \(done)")
            return
        }
        #expect(reason.contains("print port"), "\(reason)")
        #expect(try !harness.copier.relayIsOn())
        await harness.stop()
    }
}

@Suite("Part assembly")
struct PartAssemblyTests {
    let pdf: [UInt8] = Array(0..<200).map { UInt8($0) }

    func offer(hash: Hash32? = nil) throws -> UplinkMessage.PartOffer {
        try UplinkMessage.PartOffer(partID: "p", copies: 1, colour: false, paper: .a4, impressions: 1, pdfSize: 200, pdfHash: hash ?? Hash32.sha256(pdf))
    }

    func chunk(_ range: Range<Int>) throws -> UplinkMessage.PartChunk {
        try UplinkMessage.PartChunk(partID: "p", offset: UInt32(range.lowerBound), data: Array(pdf[range]))
    }

    @Test func chunksInOrderMakeThePDF() throws {
        var assembly = PartAssembly(offer: try offer())
        #expect(assembly.add(try chunk(0..<120)) == .incomplete)
        #expect(assembly.add(try chunk(120..<200)) == .complete(pdf))
    }

    @Test func aChunkThatDoesNotContinueIsRefused() throws {
        var assembly = PartAssembly(offer: try offer())
        #expect(assembly.add(try chunk(100..<200)) == .refused("a chunk at offset 100 does not continue the 0 byte(s) held"))
    }

    @Test func aWrongHashIsRefused() throws {
        var assembly = PartAssembly(offer: try offer(hash: Hash32.sha256([1])))
        #expect(assembly.add(try chunk(0..<200)) == .refused("the PDF's SHA-256 is not the offered one"))
    }
}
