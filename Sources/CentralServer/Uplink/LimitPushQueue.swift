import Protocol

/// Users whose limit grants must be pushed again because a batch charged them (SPEC B3), pushed
/// in rounds off the connections that charged them. A connection notes its users and goes on
/// reading; one round at a time pushes fresh limit grants for every user noted since the round
/// before. A push is one signed, recorded grant per connected device per user, so made inline
/// it held each connection's next frame (and its WebSocket pong) for as long as the fleet is
/// large: with 50 agents ingesting, every connection stopped for a minute and was closed for
/// missing its ping.
actor LimitPushQueue {
    private var pending: Set<UserID> = []
    private var running = false

    /// Notes `users`; starts a round with `push` unless one is running (the next one, run as
    /// soon as it ends, takes them).
    func note(_ users: Set<UserID>, push: @escaping @Sendable (Set<UserID>) async -> Void) {
        pending.formUnion(users)
        guard !running else { return }
        running = true
        Task { await self.drain(push) }
    }

    private func drain(_ push: @Sendable (Set<UserID>) async -> Void) async {
        while !pending.isEmpty {
            let users = pending
            pending.removeAll()
            await push(users)
        }
        running = false
    }
}
