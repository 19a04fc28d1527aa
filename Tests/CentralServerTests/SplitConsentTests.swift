import Protocol
import Testing
@testable import CentralServer

/// SPEC D2/D4: the payer's state machine, every state against every event.
@Suite struct SplitConsentTests {
    static let deadline = Fixture.now.adding(milliseconds: SplitConsent.defaultTimeout)
    static let before = Fixture.now
    static let after = deadline

    /// nil: refused (conflict).
    static let table: [(SplitPayerState, SplitConsentEvent, SplitPayerState?)] = [
        (.requesting, .authenticate, .authenticated),
        (.requesting, .approve, nil),
        (.requesting, .reject, nil),
        (.requesting, .reRequest, .requesting),
        (.authenticated, .authenticate, .authenticated),
        (.authenticated, .approve, .approved),
        (.authenticated, .reject, .rejected),
        (.authenticated, .reRequest, .requesting),
        (.approved, .reject, nil), (.approved, .reRequest, nil), (.approved, .timeout, nil),
        (.rejected, .approve, nil), (.rejected, .authenticate, nil),
        (.timedOut, .authenticate, nil), (.timedOut, .approve, nil), (.timedOut, .reRequest, nil),
    ]

    @Test(arguments: 0..<table.count) func beforeTheDeadline(_ row: Int) {
        let (state, event, expected) = Self.table[row]
        let result = try? SplitConsent.apply(event, to: state, deadline: Self.deadline, at: Self.before)
        #expect(result == expected, "\(state) + \(event)")
    }

    @Test func timeoutOnlyAtTheDeadline() throws {
        #expect(throws: SplitError.self) { try SplitConsent.apply(.timeout, to: .requesting, deadline: Self.deadline, at: Self.before) }
        #expect(try SplitConsent.apply(.timeout, to: .requesting, deadline: Self.deadline, at: Self.after) == .timedOut)
        #expect(try SplitConsent.apply(.timeout, to: .authenticated, deadline: Self.deadline, at: Self.after) == .timedOut)
    }

    @Test(arguments: [SplitConsentEvent.authenticate, .approve, .reject, .reRequest])
    func nothingButTimeoutAfterTheDeadline(_ event: SplitConsentEvent) {
        #expect(throws: SplitError.self) { try SplitConsent.apply(event, to: .authenticated, deadline: Self.deadline, at: Self.after) }
    }

    @Test func partStatus() {
        #expect(SplitPartStatus.of([.approved, .approved]) == .released)
        #expect(SplitPartStatus.of([.approved, .requesting]) == .waiting)
        #expect(SplitPartStatus.of([.approved, .rejected]) == .rejected)
        #expect(SplitPartStatus.of([.timedOut, .authenticated]) == .timedOut)
    }
}
