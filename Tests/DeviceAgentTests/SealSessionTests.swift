import Protocol
import Testing
@testable import DeviceAgent

enum SealSessionFixtures {
    static let serverKey = try! SigningKey(seed: Array(repeating: 0x5E, count: 32))
    static let box = try! DeviceID("box-1")
    static let seal = try! ResourceID("seal-hq-1")
    static let alice = try! UserID("alice")
    static let application = try! ApplicationID("app-1")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let verifier = GrantVerifier(trustedKeys: TrustedKeys([TrustedKey(serverKey.publicKey)]), deviceID: box)

    static func token(id: UInt64 = 1, uses: UInt32 = 3, application: ApplicationID? = application, type: ResourceType = .seal) -> [UInt8] {
        let claims = try! GrantClaims(
            grantID: GrantID(high: 0x5EA1, low: id), keyID: serverKey.keyID, deviceID: box, subject: alice, resourceID: seal,
            resourceType: type, allowance: type == .seal ? .seal(uses: uses) : .copier(pages: 1, copies: 1, colourAllowed: false),
            applicationID: application, issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: 600)
        )
        return SignedGrant.sign(claims, with: serverKey).wireBytes()
    }

    static func authorization(id: UInt64 = 1, uses: UInt32 = 3, used: UInt32 = 0) -> SealAuthorization {
        try! SealAuthorization.verify(
            grantToken: token(id: id, uses: uses), verifier: verifier, seal: seal, application: application, at: t0,
            usedGrantIDs: Set<GrantID>(), revocations: RevocationState(), used: GrantUsage(sealUses: used)
        ).get()
    }

    static func info(serial: ResourceID = seal) -> SealDeviceInfo {
        SealDeviceInfo(model: .simulated, serial: serial, firmware: FirmwareVersion(major: 1, minor: 0, patch: 0),
                       nonce: try! SealNonce(bytes: Array(repeating: 0xA0, count: 16)), usesCounter: 0)
    }

    static func report(_ number: UInt32, remaining: UInt16, id: UInt64 = 1) -> SealStampReport {
        try! SealStampReport(stampNumber: number, usesRemaining: remaining, grantID: GrantID(high: 0x5EA1, low: id))
    }

    /// A session opened for `uses` uses.
    static func opened(uses: UInt32 = 3, mode: SealPhotoMode = .automatic, photosAfterUse: Int? = nil) -> SealSession {
        var session = SealSession(configuration: .init(watchdogMilliseconds: 3000, photoMode: mode, photosAfterUse: photosAfterUse))
        let auth = authorization(uses: uses)
        _ = session.handle(.authorized(auth, sessionID: 9), at: t0)
        _ = session.handle(.deviceInfo(info()), at: t0)
        _ = session.handle(.sessionRecorded(sessionID: 9), at: t0)
        _ = session.handle(.unlocked(try! SealUnlocked(usesAllowed: UInt16(uses), grantID: auth.grantID)), at: t0)
        return session
    }
}

@Suite struct SealSessionTests {
    typealias F = SealSessionFixtures

    @Test func only_a_verified_seal_grant_for_the_application_authorizes() {
        let wrongApplication = SealAuthorization.verify(
            grantToken: F.token(application: try! ApplicationID("app-2")), verifier: F.verifier, seal: F.seal,
            application: F.application, at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
        #expect(throws: SealAuthorization.Refusal.self) { try wrongApplication.get() }
        let copier = SealAuthorization.verify(
            grantToken: F.token(application: nil, type: .copier), verifier: F.verifier, seal: F.seal,
            application: F.application, at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
        #expect(throws: SealAuthorization.Refusal.self) { try copier.get() }
        var forged = F.token()
        forged[10] ^= 1
        let bad = SealAuthorization.verify(grantToken: forged, verifier: F.verifier, seal: F.seal, application: F.application,
                                           at: F.t0, usedGrantIDs: Set<GrantID>(), revocations: RevocationState())
        #expect(throws: SealAuthorization.Refusal.self) { try bad.get() }
        #expect(F.authorization(uses: 3, used: 1).usesRemaining == 2)
    }

    @Test func unlock_sequence_echoes_the_nonce_and_asks_for_the_remaining_uses() {
        var session = SealSession()
        let auth = F.authorization(uses: 5, used: 2)
        #expect(session.handle(.authorized(auth, sessionID: 4), at: F.t0) == [.send(.deviceInfoRequest)])
        // Written ahead first: the unlock goes only once the store holds the session.
        #expect(session.handle(.deviceInfo(F.info()), at: F.t0) == [.recordSessionOpened(auth, sessionID: 4, usesAllowed: 3)])
        let actions = session.handle(.sessionRecorded(sessionID: 4), at: F.t0)
        #expect(actions == [.send(.unlock(try! SealUnlock(grantToken: auth.grantToken, uses: 3, nonce: F.info().nonce)))])
        let opened = session.handle(.unlocked(try! SealUnlocked(usesAllowed: 3, grantID: auth.grantID)), at: F.t0)
        #expect(!opened.contains { if case .recordSessionOpened = $0 { return true } else { return false } })
        #expect(opened.contains(.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 3000)))))
        #expect(session.isOpen)
    }

    @Test func a_session_the_store_could_not_take_never_unlocks() {
        var session = SealSession()
        _ = session.handle(.authorized(F.authorization(), sessionID: 6), at: F.t0)
        _ = session.handle(.deviceInfo(F.info()), at: F.t0)
        let actions = session.handle(.sessionNotRecorded(sessionID: 6, reason: "disk full"), at: F.t0)
        #expect(!actions.contains { if case .send = $0 { return true } else { return false } })
        #expect(session.phase == .locked)
    }

    @Test func a_session_written_ahead_that_the_seal_refuses_is_closed_in_the_store() {
        var session = SealSession()
        let auth = F.authorization()
        _ = session.handle(.authorized(auth, sessionID: 6), at: F.t0)
        _ = session.handle(.deviceInfo(F.info()), at: F.t0)
        _ = session.handle(.sessionRecorded(sessionID: 6), at: F.t0)
        let actions = session.handle(.sealError(try! SealErrorReport(code: .replayed, text: "nonce")), at: F.t0)
        #expect(actions.first == .recordSessionClosed(auth, sessionID: 6, reason: .fault))
        #expect(session.phase == .locked)
    }

    /// The use a restarted agent computes from a report alone is the one the machine records.
    @Test func a_stored_session_names_the_same_use_for_a_report_as_the_machine() {
        let auth = F.authorization(uses: 5, used: 2)
        let durable = DurableSealSession(id: 9, user: auth.user, grantID: auth.grantID, application: auth.applicationID,
                                         grantUses: 5, usesRemaining: auth.usesRemaining, usesAllowed: SealSession.unlockUses(auth),
                                         openedAt: F.t0)
        var session = SealSession()
        _ = session.handle(.authorized(auth, sessionID: 9), at: F.t0)
        _ = session.handle(.deviceInfo(F.info()), at: F.t0)
        _ = session.handle(.sessionRecorded(sessionID: 9), at: F.t0)
        _ = session.handle(.unlocked(try! SealUnlocked(usesAllowed: 3, grantID: auth.grantID)), at: F.t0)
        for (number, remaining) in [(UInt32(21), UInt16(2)), (22, 1), (23, 0)] {
            let report = F.report(number, remaining: remaining)
            let recorded = session.handle(.stamp(report), at: F.t0).compactMap { action -> [UInt32]? in
                if case let .recordUse(_, _, use, left, _) = action { return [use, left] } else { return nil }
            }
            let stored = try! #require(durable.use(for: report))
            #expect(recorded == [[stored.number, stored.remaining]])
        }
        #expect(durable.use(for: F.report(24, remaining: 3)) == nil, "more uses left than the session had")
        #expect(durable.use(for: F.report(24, remaining: 0, id: 2)) == nil, "another grant")
    }

    @Test func a_seal_with_another_serial_is_not_unlocked() {
        var session = SealSession()
        _ = session.handle(.authorized(F.authorization(), sessionID: 1), at: F.t0)
        let actions = session.handle(.deviceInfo(F.info(serial: try! ResourceID("seal-other"))), at: F.t0)
        #expect(!actions.contains { if case .send(.unlock) = $0 { return true } else { return false } })
        #expect(session.phase == .locked)
    }

    @Test func three_stamps_record_three_uses_and_close_budget_spent() {
        var session = F.opened(uses: 3)
        var uses: [UInt32] = []
        var closed: SessionCloseReason?
        for (number, remaining) in [(UInt32(11), UInt16(2)), (12, 1), (12, 1), (13, 0)] {
            for action in session.handle(.stamp(F.report(number, remaining: remaining)), at: F.t0) {
                if case let .recordUse(_, _, useNumber, _, photo) = action { uses.append(useNumber); #expect(photo) }
                if case let .recordSessionClosed(_, _, reason) = action { closed = reason }
            }
        }
        #expect(uses == [1, 2, 3])  // the resent report of stamp 12 counted once
        #expect(closed == .budgetSpent)
        #expect(!session.isOpen)
    }

    @Test func manual_mode_takes_the_photos_after_the_last_stamp() {
        var session = F.opened(uses: 2, mode: .manual)
        let first = session.handle(.stamp(F.report(1, remaining: 1)), at: F.t0)
        #expect(first.contains { if case .recordUse(_, _, _, _, false) = $0 { return true } else { return false } })
        let last = session.handle(.stamp(F.report(2, remaining: 0)), at: F.t0)
        #expect(last.contains { if case .takePhotos(_, _, 2) = $0 { return true } else { return false } })
    }

    @Test func manual_mode_takes_the_configured_number_of_photos_once_at_the_end() {
        var session = F.opened(uses: 3, mode: .manual, photosAfterUse: 5)
        var counts: [Int] = []
        for (number, remaining) in [(UInt32(1), UInt16(2)), (2, 1), (3, 0)] {
            for action in session.handle(.stamp(F.report(number, remaining: remaining)), at: F.t0) {
                if case let .takePhotos(_, _, count) = action { counts.append(count) }
            }
        }
        #expect(counts == [5])
        var none = F.opened(uses: 1, mode: .manual, photosAfterUse: 0)
        #expect(!none.handle(.stamp(F.report(1, remaining: 0)), at: F.t0).contains { if case .takePhotos = $0 { return true } else { return false } })
    }

    @Test func heartbeats_go_at_a_third_of_the_watchdog() {
        var session = F.opened()
        #expect(session.handle(.tick, at: F.t0.adding(milliseconds: 500)).isEmpty)
        #expect(session.handle(.tick, at: F.t0.adding(milliseconds: 1000)) == [.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 3000)))])
        #expect(session.handle(.tick, at: F.t0.adding(milliseconds: 1500)).isEmpty)
    }

    @Test func revocation_locks_at_once_and_closes_revoked() {
        var session = F.opened()
        #expect(session.handle(.revoked([GrantID(high: 1, low: 1)]), at: F.t0).isEmpty)
        let actions = session.handle(.revoked([F.authorization().grantID]), at: F.t0)
        #expect(actions.first == .send(.lock))
        #expect(actions.contains(.recordSessionClosed(F.authorization(), sessionID: 9, reason: .revoked)))
        #expect(!session.isOpen)
    }

    @Test func the_seal_gone_closes_seal_removed_without_a_lock_command() {
        var session = F.opened()
        let actions = session.handle(.sealGone, at: F.t0)
        #expect(!actions.contains(.send(.lock)))
        #expect(actions.contains(.recordSessionClosed(F.authorization(), sessionID: 9, reason: .sealRemoved)))
    }

    @Test func a_locked_answer_to_a_heartbeat_closes_the_session() {
        var session = F.opened()
        let actions = session.handle(.sealError(try! SealErrorReport(code: .locked, text: "watchdog")), at: F.t0)
        #expect(actions.contains(.recordSessionClosed(F.authorization(), sessionID: 9, reason: .fault)))
    }

    @Test func grant_expiry_closes_and_locks() {
        var session = F.opened()
        let actions = session.handle(.tick, at: F.t0.adding(seconds: 601))
        #expect(actions.first == .send(.lock))
        #expect(actions.contains(.recordSessionClosed(F.authorization(), sessionID: 9, reason: .grantExpired)))
    }
}
