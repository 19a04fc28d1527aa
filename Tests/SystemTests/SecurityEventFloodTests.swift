import AsyncHTTPClient
import CentralServer
import Foundation
import NIOCore
import Protocol
import Testing
import TestSupport

/// Issue 21 item 7: 2,000 unsigned webhook posts wrote 2,000 security events in 3.7 s. Now the
/// first ten of a kind from an address in a minute are written one by one and the rest as one
/// summary row, written at the latest when the server stops. Real server process.
@Suite("Security events: a flood from an unauthenticated client", .serialized)
struct SecurityEventFloodTests {
    @Test func twoThousandUnsignedWebhookPostsWriteABoundedNumberOfRows() async throws {
        let system = try SystemHarness()
        defer { system.stopAll() }
        try system.serverCLI(["payments", "webhook-secret"])
        try system.setUpServer()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let url = system.serverURL + "/api/v1/payments/webhook"
        let statuses = try await withThrowingTaskGroup(of: [UInt].self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var seen: [UInt] = []
                    for index in 0..<100 {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"idempotency_key":"k-\#(index)","user":"alice","amount":100,"currency":"EUR"}"#))
                        let response = try await client.execute(request, timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        seen.append(response.status.code)
                    }
                    return seen
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        try await client.shutdown()
        #expect(statuses.count == 2000 && statuses.allSatisfy { (400..<500).contains($0) }, "\(Set(statuses))")
        try system.stopServer()
        let store = try SQLiteServerStore(dataDirectory: system.data)
        let refused = try await store.securityEvents(limit: 10_000).filter { $0.kind == "payment.webhook.refused" }
        try await store.close()
        #expect(refused.count <= 12, "rows written for 2,000 unsigned posts: \(refused.count)")
        // Nothing is lost: the rows written one by one and the summaries add up to 2,000.
        let counted = refused.reduce(0) { total, event in
            guard let range = event.detail.range(of: #"^[0-9]+ more from"#, options: .regularExpression) else { return total + 1 }
            return total + (Int(event.detail[range].prefix { $0.isNumber }) ?? 0)
        }
        #expect(counted == 2000, "\(refused.map(\.detail))")
    }
}
