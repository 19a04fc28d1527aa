import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// Payers answer a split job at the same moment, and the copier prints a released part while
/// another payer answers: each answer is stored against the job as it now is, not refused with
/// "changed meanwhile" (CI saw that 409 on an authenticate while the other part printed).
@Suite("Split answers at the same moment")
struct SplitConcurrentAnswerTests {
    static let payers = ["bob", "carol", "dave", "erin"]

    @Test func payersAnsweringAtOnceAreAllStoredAndEachChargedOnce() async throws {
        let server = try TestServer()
        try await server.enroll()
        let alice = try await server.addUser("alice")
        var people: [String: User] = [:]
        for id in Self.payers { people[id] = try await server.addUser(id) }
        let split = SplitRequest(shares: Self.payers.enumerated().map { index, payer in
            SplitShareRequest(payer: payer, pages: PageRange(first: index + 1, last: index + 1))
        })
        let splits = server.services.splits
        let job = try await splits.create(pdf: SamplePDF.make(pages: 4), split: split, title: "Offer", device: "agent-1", by: alice, from: "test")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for payer in Self.payers {
                let person = try #require(people[payer])
                group.addTask {
                    _ = try await splits.act(.authenticate, job: job.id, payer: payer, pin: "1234", by: person, from: "test")
                    _ = try await splits.act(.approve, job: job.id, payer: payer, pin: nil, by: person, from: "test")
                }
            }
            try await group.waitForAll()
        }

        let stored = try #require(try await server.store.splitJob(id: job.id))
        #expect(stored.parts.allSatisfy { $0.released != nil }, "every payer approved: every part is released")
        let charged = try await server.store.charges(limit: 100).map(\.userID.value).sorted()
        #expect(charged == Self.payers, "each payer once: \(charged)")
    }

    @Test func anAnswerWhileAnotherPartPrintsIsStored() async throws {
        let server = try TestServer()
        let job = try await SplitReleaseTests.releasedForBob(server)
        let carol = try #require(try await server.store.user(id: try UserID("carol")))
        let device = try DeviceID("agent-1")
        let done = try UplinkMessage.PartDone(partID: "split-\(job.id)-1", pdfHash: job.parts[0].pdfHash,
                                              outcome: .printed(copierJobSequence: 1, impressions: 6))
        let releaser = server.services.splitReleaser
        async let printed: Void = releaser.done(done, from: device)
        async let answered = server.services.splits.act(.authenticate, job: job.id, payer: "carol", pin: "1234", by: carol, from: "test")
        _ = try await (printed, answered)
        let stored = try #require(try await server.store.splitJob(id: job.id))
        #expect(stored.parts[0].dataDeleted != nil, "bob's part printed and its PDF is gone")
        #expect(stored.parts[1].payers.first?.state == .authenticated, "carol's answer is stored")
    }
}
