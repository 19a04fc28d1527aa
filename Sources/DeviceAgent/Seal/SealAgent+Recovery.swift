import Protocol

/// Stamps recorded once, whatever crashes (issue 13, the seal the same as the copier): every
/// session is written ahead before the seal opens, a stamp report is acked only once its use is
/// stored, and a report for a session of an earlier run is recorded under that session.
extension SealAgent {
    /// At start, before any tap: the sessions the last run left open are closed as an agent
    /// restart. Their late stamp reports are still recorded (`handle`), found by grant.
    func closeSessionsLeftOpen() async {
        let open: [DurableSealSession]
        do { open = try store.openSealSessions() } catch {
            await recordFault(code: 16, "cannot read the seal sessions open at the last stop: \(error)")
            return
        }
        for durable in open {
            logger.notice("closing seal session \(durable.id) of \(durable.user), left open by the last run")
            sealSessions[durable.grantID] = durable
            await recordClosed(durable, reason: .agentRestart)
        }
    }

    /// One stamp report from the seal: the open session's machine sees it (photos, the last
    /// use, the close), then the store must hold its use; only then is it acked. Not acked, the
    /// seal sends it again and it is tried again.
    func handle(_ received: ReceivedStampReport) async {
        let report = received.report
        if case let .open(open) = session.phase, open.authorization.grantID == report.grantID {
            _ = await feed(.stamp(report))
        }
        guard await useIsStored(report) else { return }
        do { try await channel?.ack(received) } catch { logger.warning("seal: ack of stamp \(report.stampNumber) failed: \(error)") }
    }

    /// True once the store holds the use `report` stands for, or a fault saying why it has no
    /// session; stores it when the machine did not (a session of an earlier run, or a report
    /// sent again after a store failure).
    private func useIsStored(_ report: SealStampReport) async -> Bool {
        let durable: DurableSealSession
        do {
            guard let known = try sealSessions[report.grantID] ?? store.sealSession(grantID: report.grantID) else {
                return await recordFault(code: 14, "stamp \(report.stampNumber) under grant \(report.grantID), which opened no session here")
            }
            durable = known
        } catch {
            logger.critical("seal: cannot look up the session of grant \(report.grantID): \(error)")
            return false
        }
        sealSessions[durable.grantID] = durable
        guard let use = durable.use(for: report) else {
            return await recordFault(code: 17, "stamp \(report.stampNumber) reports \(report.usesRemaining) uses left, more than session \(durable.id) had")
        }
        do {
            if try store.holdsSealUse(grantID: durable.grantID, useNumber: use.number) { return true }
        } catch {
            logger.critical("seal: cannot look up use \(use.number) of grant \(durable.grantID): \(error)")
            return false
        }
        return await storeUse(sessionID: durable.id, application: durable.application, grantID: durable.grantID, user: durable.user,
                              number: use.number, remaining: use.remaining, photoHash: nil)
    }

    /// Stores a seal use; true when the store holds it (now or already).
    @discardableResult
    func storeUse(sessionID: UInt64, application: ApplicationID, grantID: GrantID, user: UserID, number: UInt32, remaining: UInt32,
                  photoHash: Hash32?) async -> Bool {
        let use: SealUseEvent
        do {
            use = try SealUseEvent(sessionID: sessionID, applicationID: application, grantID: grantID, userID: user, useNumber: number,
                                   usesRemaining: remaining, location: settings.location, photoHash: photoHash)
        } catch {
            return await recordFault(code: 12, "seal use \(number) not recordable: \(error)")
        }
        do {
            let event = try await store.append(.sealUse(use), at: clock.now())
            clock.observe(event.time)
            return true
        } catch AgentStoreError.duplicateSealUse {
            return true
        } catch {
            logger.critical("could not record seal use \(number) of grant \(grantID): \(error)")
            return false
        }
    }

    /// Records a seal session's "closed" event and closes its row in the store.
    func recordClosed(_ authorization: SealAuthorization, sessionID: UInt64, reason: SessionCloseReason) async {
        let durable = sealSessions[authorization.grantID] ?? DurableSealSession(
            id: sessionID, user: authorization.user, grantID: authorization.grantID, application: authorization.applicationID,
            grantUses: authorization.claims.allowance.sealUses, usesRemaining: authorization.usesRemaining,
            usesAllowed: SealSession.unlockUses(authorization), openedAt: clock.now())
        await recordClosed(durable, reason: reason)
    }

    func recordClosed(_ durable: DurableSealSession, reason: SessionCloseReason) async {
        do {
            let event = try await store.appendSealSessionClosed(durable, reason: reason, resource: settings.sealID, at: clock.now())
            clock.observe(event.time)
        } catch {
            // The row stays open: the next start closes it (as an agent restart).
            logger.critical("could not record the close of seal session \(durable.id): \(error)")
        }
    }
}
