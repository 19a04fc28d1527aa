import Protocol
import Testing
@testable import CentralServer

@Suite("Limit push queue")
struct LimitPushQueueTests {
    /// The rounds a queue ran, each the set of users it was given.
    actor Rounds {
        private(set) var seen: [Set<UserID>] = []
        func record(_ users: Set<UserID>) { seen.append(users) }

        /// Waits (at most 5 s) until `count` rounds have run.
        func waitFor(_ count: Int) async throws -> [Set<UserID>] {
            let deadline = ContinuousClock.now + .seconds(5)
            while seen.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return seen
        }
    }

    static let alice = try! UserID("alice"), bob = try! UserID("bob"), carol = try! UserID("carol")

    @Test func usersNotedDuringARoundArePushedTogetherInTheNextOne() async throws {
        let queue = LimitPushQueue()
        let rounds = Rounds()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let push: @Sendable (Set<UserID>) async -> Void = { users in
            await rounds.record(users)
            // The first round holds until the test has noted more users.
            if users == [Self.alice] { for await _ in gate { break } }
        }
        await queue.note([Self.alice], push: push)
        _ = try await rounds.waitFor(1)
        await queue.note([Self.bob], push: push)
        await queue.note([Self.carol, Self.bob], push: push)
        open.yield()
        #expect(try await rounds.waitFor(2) == [[Self.alice], [Self.bob, Self.carol]])
        try await Task.sleep(for: .milliseconds(50))
        #expect(await rounds.seen.count == 2, "nothing is pushed twice")
    }

    @Test func aNoteAfterTheLastRoundStartsAnother() async throws {
        let queue = LimitPushQueue()
        let rounds = Rounds()
        let push: @Sendable (Set<UserID>) async -> Void = { await rounds.record($0) }
        await queue.note([Self.alice], push: push)
        _ = try await rounds.waitFor(1)
        try await Task.sleep(for: .milliseconds(20))
        await queue.note([Self.alice], push: push)
        #expect(try await rounds.waitFor(2) == [[Self.alice], [Self.alice]])
    }
}
