import AsyncHTTPClient
import CentralServer
import Foundation
import NIOCore
import Protocol
import Testing
import TestSupport

/// Issue 5, SPEC D3 end to end: a PDF held on the server, split between two payers; both approve;
/// each part goes over the uplink to the agent, which unlocks the copier for exactly the paid
/// impressions and prints it on the print port; the pages land in the tray; the server deletes
/// the PDFs; each payer is charged once (the printed jobs are logged as part prints, not charged).
@Suite("Whole system: split parts released to the copier", .serialized)
struct SplitReleaseSystemTests {
    func upload(_ system: SystemHarness, token: String, pdf: [UInt8], split: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: system.serverURL + "/api/v1/split-jobs")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/pdf")
        request.headers.add(name: "X-Imprimatur-Split", value: split)
        request.body = .bytes(ByteBuffer(bytes: pdf))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(response.status.code == 201, "\(body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    func trayPages(_ system: SystemHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: system.trayFolder)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }

    @Test func bothPayersApproveAndEachPartComesOutOfTheTrayOnce() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.setUpServer()
        for (id, name, pin) in [("bob", "Bob", "2222"), ("carol", "Carol", "3333")] {
            try system.serverCLI(["user", "add", "--name", name, "--id", id, "--pin", pin, "--role", "employee"])
        }
        let alice = try system.serverCLI(["token", "create", "--user", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try system.serverCLI(["token", "create", "--user", "bob"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let carol = try system.serverCLI(["token", "create", "--user", "carol"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try system.startCopier()
        try system.enrollAndStartAgent()
        try await eventually("the agent is connected and the copier locked") {
            (try system.agentCLI(["status"])["status"] as? [String: Any])?["phase"] as? String == "locked"
        }

        // Bob pays pages 1-2 in 2 copies (4 impressions), carol pages 3-4 once (2 impressions).
        let split = #"{"title": "Offer", "device": "copier-1", "shares": [{"payer": "bob", "pages": "1-2", "copies": 2}, {"payer": "carol", "pages": "3-4"}]}"#
        let created = try await upload(system, token: alice, pdf: SamplePDF.make(pages: 4), split: split)
        let id = try #require(created["id"] as? String)
        for (payer, token, pin) in [("bob", bob, "2222"), ("carol", carol, "3333")] {
            _ = try await system.api("/api/v1/split-jobs/\(id)/payers/\(payer)/authenticate", token: token, method: "POST", body: ["pin": pin])
            _ = try await system.api("/api/v1/split-jobs/\(id)/payers/\(payer)/approve", token: token, method: "POST", body: [:])
        }

        try await eventually("both parts are printed: 6 impressions in the tray", timeout: .seconds(60)) { trayPages(system).count == 6 }
        try await eventually("the server deleted both PDFs", timeout: .seconds(30)) {
            let parts = try #require(try await system.api("/api/v1/split-jobs/\(id)", token: alice)["parts"] as? [[String: Any]])
            return parts.count == 2 && parts.allSatisfy { $0["data_deleted"] as? String != nil && $0["status"] as? String == "released" }
        }
        let store = try SQLiteServerStore(dataDirectory: system.data)
        #expect(try await store.splitPartPDF(job: id, part: 0) == nil)
        #expect(try await store.splitPartPDF(job: id, part: 1) == nil)
        let printed = try await store.auditEntries(after: 0, limit: 10_000).filter { $0.record.action == "split.part-printed" }
        #expect(printed.map { $0.record.details["impressions_printed"] ?? "?" }.sorted() == ["2", "4"], "\(printed.map(\.record.details))")

        // The prints reach the server as part-print events, and nobody is charged a second time.
        try await eventually("every event is acknowledged") {
            let status = try #require(try system.agentCLI(["status"])["status"] as? [String: Any])
            return status["acknowledged"] as? Int == status["events"] as? Int
        }
        let events = try await store.events(device: try DeviceID("copier-1"), from: 1, limit: 10_000)
        let partPrints = events.compactMap { event -> PartPrintEvent? in if case let .partPrint(print) = event.body { return print } else { return nil } }
        #expect(partPrints.map(\.partID).sorted() == ["split-\(id)-1", "split-\(id)-2"])
        #expect(partPrints.map(\.pages).sorted() == [2, 4])
        #expect(!events.contains { if case .copyJob = $0.body { return true } else { return false } }, "a part print is not a copy job")
        let charges = try #require(try await system.api("/api/v1/charges")["items"] as? [[String: Any]])
        #expect(charges.compactMap { $0["user"] as? String }.sorted() == ["bob", "carol"], "each payer charged once: \(charges)")
        #expect(charges.first { $0["user"] as? String == "bob" }?["pages"] as? Int == 4)

        // A restart of the agent does not print anything again.
        system.agent?.send(SIGTERM)
        _ = try system.agent?.waitForExit(timeout: .seconds(10))
        try system.startAgent()
        try await eventually("the agent is back") {
            (try system.agentCLI(["status"])["status"] as? [String: Any])?["phase"] as? String == "locked"
        }
        try await Task.sleep(for: .seconds(3))
        #expect(trayPages(system).count == 6)
    }
}
