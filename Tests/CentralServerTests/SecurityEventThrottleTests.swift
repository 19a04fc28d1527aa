import Protocol
import Testing
@testable import CentralServer

/// Issue 21 item 7: how many security events caused by unauthenticated clients are written
/// one by one, and what stands for the rest.
@Suite("Security events: the throttle for unauthenticated clients")
struct SecurityEventThrottleTests {
    static func at(_ milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + milliseconds) }

    @Test func aFloodFromOneSourceWritesTheFirstAndOneSummary() {
        var throttle = SecurityEventThrottle(perSource: 10, overall: 200, window: 60_000)
        var written = 0
        for index in 0..<2000 {
            let decision = throttle.admit(kind: "payment.webhook.refused", source: "10.0.0.7", at: Self.at(Int64(index)))
            #expect(decision.summaries.isEmpty)
            if decision.write { written += 1 }
        }
        #expect(written == 10)
        #expect(throttle.due(now: Self.at(59_999)).isEmpty, "the window has not ended")
        let summaries = throttle.due(now: Self.at(60_000))
        #expect(summaries == [.init(kind: "payment.webhook.refused", source: "10.0.0.7", count: 1990, first: Self.at(10), last: Self.at(1999))])
        #expect(summaries[0].event().detail.contains("1990 more from 10.0.0.7"))
        // A new window writes again.
        #expect(throttle.admit(kind: "payment.webhook.refused", source: "10.0.0.7", at: Self.at(60_001)).write)
    }

    @Test func otherKindsAndSourcesHaveTheirOwnCounts() {
        var throttle = SecurityEventThrottle(perSource: 2, overall: 100, window: 60_000)
        let admitted = [("web login failed", "a"), ("web login failed", "a"), ("web login failed", "a"), ("web login failed", "b"), ("uplink authentication failed", "a")]
            .map { throttle.admit(kind: $0.0, source: $0.1, at: Self.at(0)).write }
        #expect(admitted == [true, true, false, true, true])
    }

    @Test func pastTheOverallLimitNewSourcesAreCountedTogether() {
        var throttle = SecurityEventThrottle(perSource: 10, overall: 50, window: 60_000)
        var written = 0
        for index in 0..<5000 where throttle.admit(kind: "web login failed", source: "2001:db8::\(index)", at: Self.at(Int64(index))).write {
            written += 1
        }
        #expect(written == 50)
        let summaries = throttle.drain()
        #expect(summaries.map(\.source) == [nil] && summaries.map(\.count) == [4950], "\(summaries)")
    }

    /// The gate in front of the store: the flood becomes 10 rows and a summary, and an alert
    /// recorded beside it is untouched.
    @Test func theGateWritesTheSummaryWhenTheWindowEnds() async throws {
        let server = try TestServer()
        let gate = server.services.securityGate
        for _ in 0..<300 {
            try await gate.record(SecurityEvent(at: server.clock.now(), kind: "web login failed", detail: "wrong password"), source: "10.0.0.9")
        }
        try await server.store.recordSecurityEvent(SecurityEvent(at: server.clock.now(), kind: "event chain refused", deviceID: try DeviceID("copier-1"), detail: "broken link"))
        try await gate.flush()
        #expect(try await server.store.securityEvents(limit: 1000).count == 11, "not flushed before the window ends")
        server.clock.advance(milliseconds: 61_000)
        try await gate.flush()
        let events = try await server.store.securityEvents(limit: 1000)
        #expect(events.filter { $0.kind == "web login failed" }.count == 11)
        #expect(events.first?.detail.contains("290 more from 10.0.0.9") == true, "\(events.first.map(\.detail) ?? "")")
        #expect(try await server.store.securityAlerts(since: Timestamp(millisecondsSinceEpoch: 0), limit: 10).map(\.detail) == ["broken link"])
    }
}
