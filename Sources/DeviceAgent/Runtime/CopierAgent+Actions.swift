import Foundation
import Protocol

extension CopierAgent {
    /// Carries out one action of the session machine; returns what it told the person.
    func perform(_ action: CopierSession.Action) async -> [String] {
        switch action {
        case .forceLock:
            await forceLockUntilConfirmed()
            await recoverInterruptedSessions()
            return await feed(.lockConfirmed)
        case let .requestAuthorization(credential):
            return await authorize(credential)
        case let .unlock(tag, budget):
            // Only a session the store holds may switch the relay on (write ahead, H1); one
            // whose record failed was closed by `sessionNotRecorded`.
            guard sessions[tag] != nil, session.openSession?.tag == tag else { return [] }
            unlockGeneration &+= 1
            do {
                try await link.unlock(sessionTag: tag, pageBudget: budget)
                lastContact = .now
                lastUnlockConfirmed = .now
                unlockGeneration &+= 1
                // The session may have closed while the writes were on the wire (its lock was
                // queued after them); the outcome concerns that session only.
                guard session.openSession?.tag == tag else { return [] }
                return await feed(.unlockConfirmed)
            } catch {
                await recordFault(component: "copier", code: 1, "unlock failed: \(error)")
                guard session.openSession?.tag == tag else { return [] }
                return await feed(.linkLost(reason: "\(error)"))
            }
        case .lock:
            do {
                try await link.lock()
                lastContact = .now
            } catch {
                // The copier's own watchdog locks it when the heartbeats stop; say so in the log.
                await recordFault(component: "copier", code: 2, "lock failed (the watchdog will lock it): \(error)")
            }
            await pollJobs()
            return []
        case let .takePhoto(user, tag):
            let time = clock.now()
            Task { await self.capturePhoto(user: user, tag: tag, at: time) }
            return []
        case let .recordSessionOpened(authorization, tag):
            jobStartedAt = nil
            let durable = DurableCopierSession(
                tag: tag, user: authorization.user, grantID: authorization.grantID, offline: authorization.isOffline,
                pageBudget: authorization.pageBudget, jobAtOpen: lastStatus?.latestJobSequence, openedAt: clock.now())
            do {
                let event = try await store.appendSessionOpened(durable, resource: settings.copierID, at: clock.now())
                clock.observe(event.time)
                sessions[tag] = durable
                return []
            } catch {
                logger.critical("could not write session \(tag) ahead: \(error)")
                return await feed(.sessionNotRecorded(reason: "\(error)"))
            }
        case let .recordSessionClosed(authorization, tag, reason):
            await recordClosed(authorization, tag: tag, reason: reason)
            return []
        case let .recordJob(record, authorization, _):
            await recordJob(record, user: authorization.user, grantID: authorization.grantID)
            return []
        case let .tell(message):
            logger.info("told: \(message)")
            return [message]
        }
    }

    // MARK: Authorization

    /// Asks the authority; verifies what comes back; falls back to the cached limit grant when
    /// the server cannot be reached. Ends by feeding `.authorized` or `.refused`.
    func authorize(_ credential: Credential) async -> [String] {
        let now = clock.now()
        let keys = (try? store.serverKeys()) ?? TrustedKeys()
        let verifier = GrantVerifier(trustedKeys: keys, deviceID: settings.deviceID, clockSkew: settings.clockSkew)
        let answer: GrantAnswer
        do {
            answer = try await authority.requestGrant(credential, copier: settings.copierID, at: now)
        } catch {
            logger.notice("deciding offline: \(error)")
            return await authorizeOffline(credential, verifier: verifier, reason: error.description)
        }
        switch answer {
        case let .refused(_, message):
            return await feed(.refused(message: message))
        case let .granted(grantToken, limitToken):
            let checkedAt = clock.now()
            switch SessionAuthorization.online(grantToken: grantToken, verifier: verifier, copier: settings.copierID,
                                               at: checkedAt, usedGrantIDs: store, revocations: revocations) {
            case let .failure(refusal):
                await recordFault(component: "grant", code: 3, "refused a grant from the server: \(refusal)")
                return await feed(.refused(message: "The grant did not verify (\(refusal)); the copier stays locked."))
            case let .success(authorization):
                if case let .online(claims) = authorization.basis {
                    clock.observe(claims.issuedAt)
                    do {
                        try store.markGrantUsed(claims.grantID, until: verifier.usedIDRetention(for: claims))
                    } catch {
                        // Unrecorded, the grant could be replayed after a restart (F2).
                        await recordFault(component: "store", code: 15, "grant \(claims.grantID) not recorded as used: \(error)")
                        return await feed(.refused(message: "The agent cannot record the grant; the copier stays locked."))
                    }
                }
                if let limitToken,
                   case .accepted = verifier.verify(limitGrantToken: limitToken, at: checkedAt, user: authorization.user, revocations: revocations) {
                    do { try store.storeLimitGrant(token: limitToken, for: authorization.user) } catch {
                        await recordFault(component: "store", code: 16, "limit grant for \(authorization.user) not stored: \(error)")
                    }
                }
                cache(credential, user: authorization.user, at: checkedAt)
                return await open(with: cappedByLimitGrant(authorization, verifier: verifier, at: checkedAt))
            }
        }
    }

    private func authorizeOffline(_ credential: Credential, verifier: GrantVerifier, reason: String) async -> [String] {
        let cardHash = hasher.cardHash(credential)
        guard let cached = try? store.cachedCredential(cardHash: cardHash) else {
            return await feed(.refused(message: "The server cannot be reached and this card has not been used here before."))
        }
        switch (CredentialHasher.pin(of: credential), cached.pinVerifier) {
        case (nil, nil):
            break
        case let (pin?, verifier?):
            guard hasher.pinMatches(pin, verifier: verifier, cardHash: cardHash) else {
                return await feed(.refused(message: "Wrong PIN."))
            }
        case (nil, .some):
            return await feed(.refused(message: "This card needs its PIN."))
        case (.some, nil):
            break  // a PIN where none is needed does not help an impostor
        }
        guard let token = try? store.limitGrant(for: cached.user) else {
            return await feed(.refused(message: "The server cannot be reached and no offline limit is held for you."))
        }
        let limitID = (try? SignedLimitGrant(wireBytes: token))?.limitGrant.grantID
        let used = limitID.flatMap { try? store.usageSince(limitGrantID: $0) } ?? 0
        switch SessionAuthorization.offline(limitGrantToken: token, verifier: verifier, user: cached.user,
                                            usedSinceIssue: used, at: clock.now(), revocations: revocations) {
        case let .failure(refusal):
            return await feed(.refused(message: "Offline, and your offline limit is not usable: \(refusal)."))
        case let .success(authorization):
            return await open(with: authorization)
        }
    }

    /// An online grant's budget, capped by what the user's limit grant leaves: the server sized
    /// the grant from the jobs it holds, and jobs this agent recorded but has not had
    /// acknowledged (offline, or still in the outbox) count against the limit grant already
    /// (`storeLimitGrant`). Without a usable limit grant the server's figure stands.
    private func cappedByLimitGrant(_ authorization: SessionAuthorization, verifier: GrantVerifier, at now: Timestamp) -> SessionAuthorization {
        guard let token = try? store.limitGrant(for: authorization.user),
              case let .accepted(limit) = verifier.verify(limitGrantToken: token, at: now, user: authorization.user, revocations: revocations),
              let used = try? store.usageSince(limitGrantID: limit.grantID) else { return authorization }
        let capped = authorization.capped(at: limit.sessionBudget(usedSinceIssue: used))
        if capped.pageBudget < authorization.pageBudget {
            logger.notice("grant for \(authorization.user) capped from \(authorization.pageBudget) to \(capped.pageBudget) page(s) by the limit grant")
        }
        return capped
    }

    private func open(with authorization: SessionAuthorization) async -> [String] {
        do {
            let tag = try store.nextSessionTag()
            return await feed(.authorized(authorization, tag: tag))
        } catch {
            await recordFault(component: "store", code: 4, "no session tag: \(error)")
            return await feed(.refused(message: "The agent cannot record a session; the copier stays locked."))
        }
    }

    private func cache(_ credential: Credential, user: UserID, at time: Timestamp) {
        let cardHash = hasher.cardHash(credential)
        let verifier = CredentialHasher.pin(of: credential).map { hasher.pinVerifier(pin: $0, for: cardHash) }
        try? store.cacheCredential(cardHash: cardHash, pinVerifier: verifier, user: user, at: time)
    }

    // MARK: Records

    func record(_ body: EventBody) async {
        do {
            let event = try await store.append(body, at: clock.now())
            clock.observe(event.time)
        } catch {
            logger.critical("could not record \(body.kind): \(error)")
        }
    }

    /// Records a session's "closed" event and closes its row in the store.
    func recordClosed(_ authorization: SessionAuthorization, tag: UInt32, reason: SessionCloseReason) async {
        let durable = sessions[tag] ?? DurableCopierSession(
            tag: tag, user: authorization.user, grantID: authorization.grantID, offline: authorization.isOffline,
            pageBudget: authorization.pageBudget, jobAtOpen: nil, openedAt: clock.now())
        await recordClosed(durable, reason: reason)
    }

    func recordClosed(_ durable: DurableCopierSession, reason: SessionCloseReason) async {
        do {
            let event = try await store.appendSessionClosed(durable, reason: reason, resource: settings.copierID, at: clock.now())
            clock.observe(event.time)
        } catch {
            // The row stays open: the next start closes it (as an agent restart).
            logger.critical("could not record the close of session \(durable.tag): \(error)")
        }
    }

    func recordFault(component: String, code: UInt32, _ message: String) async {
        logger.error("\(component): \(message)")
        guard let fault = try? FaultEvent(component: component, code: code, message: String(message.prefix(1000))) else { return }
        await record(.fault(fault))
    }

    private func capturePhoto(user: UserID, tag: UInt32, at time: Timestamp) async {
        do {
            let photo = try await camera.capture(reason: .unlock, user: user.value, at: Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000))
            let mediaType = try MediaType(photo.mediaType)
            let hash = try store.putBlob(photo.bytes, mediaType: mediaType)
            await record(.photo(PhotoEvent(sessionID: UInt64(tag), blobHash: hash, byteCount: UInt64(photo.bytes.count), mediaType: mediaType, reason: .unlock)))
        } catch {
            await recordFault(component: "camera", code: 5, "no photo at unlock: \(error)")
        }
    }

    /// Records a finished job with its usage, then its scanned pages (SPEC A4, A5). The job is
    /// charged to `user`, the owner of the session its tag names. A job already stored (read
    /// twice) is not stored again; one that cannot be stored sets `jobNotStored`.
    func recordJob(_ record: CopierJobRecord, user: UserID, grantID: GrantID) async {
        let tag = record.sessionTag
        let now = clock.now()
        let started = min(jobStartedAt ?? now, now)
        jobStartedAt = nil
        let limit = (try? store.limitGrant(for: user)).flatMap { try? SignedLimitGrant(wireBytes: $0).limitGrant }
        let usage = limit.map {
            LimitUsage(user: user, limitGrantID: $0.grantID,
                       amount: $0.cost(colourPages: record.colourPages, monoPages: record.monoPages, paperSize: record.paperSize))
        }
        do {
            let job = try CopyJobEvent(
                sessionID: UInt64(tag), copierJobSequence: record.sequence, userID: user, grantID: grantID,
                pages: record.pages, copies: UInt32(record.copies), colourPages: record.colourPages, monoPages: record.monoPages,
                duplex: record.duplex, paperSize: record.paperSize, started: started, ended: now, end: CopyJobEnd(record.end)
            )
            let event = try await store.appendJob(.copyJob(job), copierJobSequence: record.sequence, usage: usage, at: now)
            clock.observe(event.time)
        } catch AgentStoreError.duplicateCopierJob {
            logger.notice("copier job \(record.sequence) of session \(tag) is already stored")
            return
        } catch {
            logger.critical("could not record copier job \(record.sequence): \(error)")
            jobNotStored = true
            return
        }
        await collectScans(of: record, tag: tag)
    }

    /// Stores each page's scan as a blob with a content event, then removes the file: the scan
    /// folder is the copier's outbox to the agent. A missing page is recorded as a fault.
    private func collectScans(of record: CopierJobRecord, tag: UInt32) async {
        guard let folder = settings.scanFolder, record.pages > 0 else { return }
        var missing: [UInt32] = []
        for page in 1...record.pages {
            let path = "\(folder)/job-\(record.sequence)-page-\(page).png"
            guard let data = FileManager.default.contents(atPath: path) else {
                missing.append(page)
                continue
            }
            do {
                let mediaType = try MediaType("image/png")
                let hash = try store.putBlob(Array(data), mediaType: mediaType)
                let content = try ContentEvent(sessionID: UInt64(tag), copierJobSequence: record.sequence, pageNumber: page,
                                               blobHash: hash, byteCount: UInt64(data.count), mediaType: mediaType)
                await self.record(.content(content))
                try? FileManager.default.removeItem(atPath: path)
            } catch {
                await recordFault(component: "scan", code: 6, "page \(page) of job \(record.sequence) not stored: \(error)")
            }
        }
        if !missing.isEmpty {
            await recordFault(component: "scan", code: 7, "job \(record.sequence): no scan for page(s) \(missing.map(String.init).joined(separator: ","))")
        }
    }
}
