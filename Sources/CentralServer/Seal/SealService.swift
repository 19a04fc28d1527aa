import Logging
import Protocol

/// The seal application workflow as a service (SPEC E1-E8): looks people up, lets the pure
/// `SealWorkflow` decide, stores the result with its timeline, notices and audit record, and on
/// a revocation signs a new revocation list and pushes it to every connected agent at once.
public final class SealService: Sendable {
    public let store: any ServerStore
    public let keyRing: ServerKeyRing
    public let hub: UplinkHub
    public let clock: any ServerClock
    private let logger: Logger

    public init(store: any ServerStore, keyRing: ServerKeyRing, hub: UplinkHub, clock: any ServerClock, logger: Logger) {
        self.store = store
        self.keyRing = keyRing
        self.hub = hub
        self.clock = clock
        self.logger = logger
    }

    /// What an employee sends to apply; ids as typed (checked here).
    public struct NewApplication: Sendable {
        public var seal: String
        public var reason: String
        public var uses: Int64
        public var photos: Int64
        public var approvers: [String]
        public var cc: [String]

        public init(seal: String, reason: String, uses: Int64, photos: Int64, approvers: [String], cc: [String]) {
            self.seal = seal
            self.reason = reason
            self.uses = uses
            self.photos = photos
            self.approvers = approvers
            self.cc = cc
        }
    }

    /// A new application by `applicant`, waiting on its first approver.
    public func apply(_ new: NewApplication, by applicant: User, from source: String) async throws -> SealApplication {
        let seal: ResourceID
        do { seal = try ResourceID(new.seal) } catch { throw SealWorkflowError.field("seal", "\(error)") }
        let holders = try await store.devices().filter { device in device.resources.contains { $0.id == seal && $0.type == .seal } }
        guard !holders.isEmpty else { throw SealWorkflowError.missing(InputError(field: "seal", "no enrolled device has a seal \"\(seal)\"")) }
        // Enrolment keeps resource ids unique; devices enrolled before it did may share one, and
        // an application for it would be good at each of them.
        let active = holders.filter { $0.state == .active }
        guard active.count <= 1 else {
            throw SealWorkflowError.field("seal", "seal \"\(seal)\" is enrolled on more than one device (\(active.map(\.id.value).sorted().joined(separator: ", "))); an administrator must disable all but one")
        }
        let draft = SealWorkflow.Draft(
            seal: seal, reason: new.reason, uses: new.uses, photos: new.photos,
            approvers: try await lookUp(new.approvers), cc: try await lookUp(new.cc)
        )
        var generator = SystemRandomNumberGenerator()
        let id = try ApplicationID("sa-" + Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        let now = clock.now()
        let transition = try SealWorkflow.submit(draft, id: id, by: applicant, at: now)
        let application = transition.application
        try await store.createSealApplication(transition, audit: AuditActor.user(applicant.id, from: source).record(
            "seal.apply", target: "seal-application:\(id)",
            details: ["seal": seal.value, "uses": "\(application.uses)", "photos": "\(application.photos)",
                      "approvers": application.approvers.map(\.value).joined(separator: ","), "cc": application.cc.map(\.value).joined(separator: ","),
                      "reason": application.reason],
            at: now
        ))
        return application
    }

    /// `command` by `person` on application `id`. A revocation also reaches connected agents at once.
    public func act(_ command: SealWorkflow.Command, on id: ApplicationID, by person: User, from source: String) async throws -> SealApplication {
        guard let application = try await store.sealApplication(id: id) else { throw SealWorkflowError.notFound("seal application \(id) not found") }
        let now = clock.now()
        let transition = try SealWorkflow.apply(command, by: person, to: application, at: now)
        let audit = AuditActor.user(person.id, from: source).record(
            Self.auditAction(command), target: "seal-application:\(id)", details: Self.auditDetails(command, transition), at: now
        )
        if case .revoke = command {
            let revoked = try await store.revokeSealApplication(transition, expected: application, audit: audit, now: now)
            logger.info("seal application revoked", metadata: ["application": "\(id)", "grants": "\(revoked.count)"])
            await pushRevocations(now: now)
        } else {
            try await store.updateSealApplication(transition, expected: application, audit: audit)
        }
        return transition.application
    }

    // MARK: Revocation list

    /// The current signed revocation list as the uplink message; nil while nothing was ever revoked.
    public func revocationListMessage(now: Timestamp) async throws -> UplinkMessage.RevocationList? {
        guard let signed = try await signedRevocationList(now: now) else { return nil }
        return try UplinkMessage.RevocationList(token: signed.wireBytes())
    }

    /// The current revocation list signed with the current key; nil while its version is 0.
    public func signedRevocationList(now: Timestamp) async throws -> SignedRevocationList? {
        let (version, entries) = try await store.revocations(now: now)
        guard version > 0 else { return nil }
        let key = try keyRing.keys().current
        let list = try RevocationList(version: version, issuedAt: now, keyID: key.keyID, entries: entries)
        return SignedRevocationList.sign(list, with: key.signingKey)
    }

    /// Sends the current list to every connected agent; one that is offline gets it when it connects.
    public func pushRevocations(now: Timestamp) async {
        do {
            guard let message = try await revocationListMessage(now: now) else { return }
            for device in await hub.connectedDevices {
                await hub.push(.revocationList(message), to: device)
            }
        } catch {
            logger.error("cannot push the revocation list: \(error)")
        }
    }

    // MARK: Reading

    /// Whether `user` may read application `application`: its people, auditors, administrators.
    public static func mayRead(_ application: SealApplication, _ user: User) -> Bool {
        application.participants.contains(user.id) || user.has(.auditor) || user.has(.administrator)
    }

    /// The application, its timeline and its uses, for someone allowed to read it.
    public func detail(_ id: ApplicationID, for user: User) async throws -> (SealApplication, [SealApplicationStep], [SealUseRecord]) {
        guard let application = try await store.sealApplication(id: id), Self.mayRead(application, user) else {
            // The same answer for "none" and "not yours": ids are not to be probed.
            throw SealWorkflowError.notFound("seal application \(id) not found")
        }
        return (application, try await store.sealApplicationSteps(id: id), try await store.sealUses(SealUseFilter(application: id)))
    }

    private func lookUp(_ ids: [String]) async throws -> [(id: String, user: User?)] {
        var found: [(id: String, user: User?)] = []
        for text in ids {
            var user: User?
            if let id = try? UserID(text) { user = try await store.user(id: id) }
            found.append((text, user))
        }
        return found
    }

    private static func auditAction(_ command: SealWorkflow.Command) -> String {
        switch command {
        case .approve: return "seal.approve"
        case .forward: return "seal.forward"
        case .reject: return "seal.reject"
        case .revoke: return "seal.revoke"
        }
    }

    private static func auditDetails(_ command: SealWorkflow.Command, _ transition: SealWorkflow.Transition) -> [String: String] {
        var details = ["status": transition.application.status.name]
        if case let .forward(to, _, _) = command { details["to"] = to }
        if let note = transition.steps.first?.note { details["note"] = note }
        if case let .revoked(uses)? = transition.steps.first?.action { details["uses_revoked"] = "\(uses)" }
        return details
    }
}
