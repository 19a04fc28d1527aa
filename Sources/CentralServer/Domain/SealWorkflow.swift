import Foundation
import Protocol

/// The approval workflow of seal applications (SPEC E1, E2, E7, G1), pure: each function takes
/// the application, the person acting (as the store knows them) and the time, and returns the
/// new application, the timeline steps to append and the notices to send, or says why not.
/// Nothing here reads a clock, a store or the network.
public enum SealWorkflow {
    public static let maximumUses: UInt32 = 1000
    public static let maximumPhotos: UInt32 = 100
    public static let maximumLevels = 10
    public static let maximumCC = 20
    public static let reasonLimit = 500
    public static let noteLimit = 500

    /// What an employee asks for, with the people it names already looked up (nil: unknown id).
    public struct Draft: Sendable {
        public var seal: ResourceID
        public var reason: String
        public var uses: Int64
        public var photos: Int64
        public var approvers: [(id: String, user: User?)]
        public var cc: [(id: String, user: User?)]

        public init(seal: ResourceID, reason: String, uses: Int64, photos: Int64, approvers: [(id: String, user: User?)], cc: [(id: String, user: User?)]) {
            self.seal = seal
            self.reason = reason
            self.uses = uses
            self.photos = photos
            self.approvers = approvers
            self.cc = cc
        }
    }

    /// What a person does to an application waiting on them, or (revoke) to an approved one.
    public enum Command: Hashable, Sendable {
        case approve(note: String?)
        /// Hands the current level to `to` (looked up; nil when no such user).
        case forward(to: String, user: User?, note: String?)
        case reject(note: String?)
        case revoke(note: String?)
    }

    /// The result of one step: the application after it, what to append to its timeline, whom to tell.
    public struct Transition: Hashable, Sendable {
        public let application: SealApplication
        public let steps: [SealApplicationStep]
        public let notices: [Notice]
    }

    /// A new application by `applicant` with id `id`, waiting on the first approver.
    public static func submit(_ draft: Draft, id: ApplicationID, by applicant: User, at now: Timestamp) throws(SealWorkflowError) -> Transition {
        guard applicant.active, applicant.has(.employee) else {
            throw .forbidden("only an active employee may apply to use a seal")
        }
        let reason = draft.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .field("reason", "must not be empty") }
        guard reason.count <= reasonLimit else { throw .field("reason", "must be at most \(reasonLimit) characters, got \(reason.count)") }
        if let problem = HiddenCharacters.problem(in: reason, allowingLineBreaks: true) { throw .field("reason", problem) }
        guard (1...Int64(maximumUses)).contains(draft.uses) else { throw .field("uses", "must be from 1 to \(maximumUses), got \(draft.uses)") }
        guard (0...Int64(maximumPhotos)).contains(draft.photos) else { throw .field("photos", "must be from 0 to \(maximumPhotos), got \(draft.photos)") }
        guard !draft.approvers.isEmpty else { throw .field("approvers", "at least one approver is needed") }
        guard draft.approvers.count <= maximumLevels else { throw .field("approvers", "at most \(maximumLevels) levels, got \(draft.approvers.count)") }
        guard draft.cc.count <= maximumCC else { throw .field("cc", "at most \(maximumCC) people, got \(draft.cc.count)") }
        var approvers: [UserID] = []
        for (index, entry) in draft.approvers.enumerated() {
            let field = "approvers[\(index)]"
            guard let user = entry.user else { throw .field(field, "no user \"\(entry.id)\"") }
            guard user.id != applicant.id else { throw .forbidden("nobody approves their own application: \(user.id) cannot be an approver of it") }
            try requireApprover(user, field: field)
            guard !approvers.contains(user.id) else { throw .field(field, "\(user.id) is already approver of level \(approvers.firstIndex(of: user.id)! + 1)") }
            approvers.append(user.id)
        }
        var cc: [UserID] = []
        for (index, entry) in draft.cc.enumerated() {
            guard let user = entry.user else { throw .field("cc[\(index)]", "no user \"\(entry.id)\"") }
            if !cc.contains(user.id) { cc.append(user.id) }
        }
        let application = SealApplication(
            id: id, applicant: applicant.id, seal: draft.seal, reason: reason, uses: UInt32(draft.uses), photos: UInt32(draft.photos),
            approvers: approvers, cc: cc, status: .pending(level: 0), submitted: now
        )
        let step = SealApplicationStep(at: now, actor: actor(applicant.id), action: .submitted)
        let notice = makeNotice(
            "seal.submitted", application, recipients: [approvers[0]] + cc, by: applicant.id, at: now,
            text: "\(applicant.id) applies to use seal \(draft.seal) \(draft.uses) time\(draft.uses == 1 ? "" : "s"): \(reason). Waiting on \(approvers[0]).",
            extra: ["waiting_on": approvers[0].value]
        )
        return Transition(application: application, steps: [step], notices: [notice])
    }

    /// `command` by `person` on `application` at `now`.
    public static func apply(_ command: Command, by person: User, to application: SealApplication, at now: Timestamp) throws(SealWorkflowError) -> Transition {
        switch command {
        case let .approve(note): return try approve(application, by: person, note: try cleanNote(note), at: now)
        case let .forward(to, user, note): return try forward(application, by: person, to: (to, user), note: try cleanNote(note), at: now)
        case let .reject(note): return try reject(application, by: person, note: try cleanNote(note), at: now)
        case let .revoke(note): return try revoke(application, by: person, note: try cleanNote(note), at: now)
        }
    }

    // MARK: Steps

    private static func approve(_ application: SealApplication, by person: User, note: String?, at now: Timestamp) throws(SealWorkflowError) -> Transition {
        let level = try requireTurn(application, person)
        var next = application
        var steps = [SealApplicationStep(at: now, actor: actor(person.id), action: .approved(level: level), note: note)]
        var notices: [Notice] = []
        if level + 1 < application.approvers.count {
            let nextApprover = application.approvers[level + 1]
            next.status = .pending(level: level + 1)
            notices.append(makeNotice(
                "seal.level-approved", next, recipients: [nextApprover, application.applicant] + application.cc, by: person.id, at: now,
                text: "\(person.id) approved level \(level + 1) of \(application.approvers.count) of \(application.id). Waiting on \(nextApprover).",
                extra: ["level": "\(level + 1)", "waiting_on": nextApprover.value] .merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }
            ))
        } else {
            next.status = .approved
            next.decided = now
            steps.append(SealApplicationStep(at: now, actor: actor(person.id), action: .completed))
            notices.append(makeNotice(
                "seal.approved", next, recipients: [application.applicant] + application.cc + application.approvers, by: person.id, at: now,
                text: "\(application.id) is approved: \(application.applicant) may use seal \(application.seal) \(application.uses) time\(application.uses == 1 ? "" : "s").",
                extra: ["level": "\(level + 1)", "uses_remaining": "\(next.usesRemaining)"]
            ))
        }
        return Transition(application: next, steps: steps, notices: notices)
    }

    private static func forward(
        _ application: SealApplication, by person: User, to target: (id: String, user: User?), note: String?, at now: Timestamp
    ) throws(SealWorkflowError) -> Transition {
        let level = try requireTurn(application, person)
        guard let forwardee = target.user else { throw .field("to", "no user \"\(target.id)\"") }
        guard forwardee.id != application.applicant else {
            throw .forbidden("nobody approves their own application: it cannot be forwarded to its applicant \(forwardee.id)")
        }
        guard forwardee.id != person.id else { throw .field("to", "cannot forward to yourself") }
        try requireApprover(forwardee, field: "to")
        if let other = application.approvers.firstIndex(of: forwardee.id) {
            throw .field("to", "\(forwardee.id) already approves level \(other + 1) of this application")
        }
        var next = application
        next.approvers[level] = forwardee.id
        let step = SealApplicationStep(at: now, actor: actor(person.id), action: .forwarded(level: level, to: forwardee.id), note: note)
        let notice = makeNotice(
            "seal.forwarded", next, recipients: [forwardee.id, application.applicant] + application.cc, by: person.id, at: now,
            text: "\(person.id) forwarded level \(level + 1) of \(application.id) to \(forwardee.id). Waiting on \(forwardee.id).",
            extra: ["level": "\(level + 1)", "to": forwardee.id.value, "waiting_on": forwardee.id.value].merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }
        )
        return Transition(application: next, steps: [step], notices: [notice])
    }

    private static func reject(_ application: SealApplication, by person: User, note: String?, at now: Timestamp) throws(SealWorkflowError) -> Transition {
        let level = try requireTurn(application, person)
        var next = application
        next.status = .rejected
        next.decided = now
        let step = SealApplicationStep(at: now, actor: actor(person.id), action: .rejected(level: level), note: note)
        let notice = makeNotice(
            "seal.rejected", next, recipients: [application.applicant] + application.cc + application.approvers[..<level], by: person.id, at: now,
            text: "\(person.id) rejected \(application.id) at level \(level + 1)\(note.map { ": \($0)" } ?? ".")",
            extra: ["level": "\(level + 1)"].merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }
        )
        return Transition(application: next, steps: [step], notices: [notice])
    }

    private static func revoke(_ application: SealApplication, by person: User, note: String?, at now: Timestamp) throws(SealWorkflowError) -> Transition {
        guard application.approvers.contains(person.id) || person.has(.administrator) else {
            throw .forbidden("only an approver of \(application.id) or an administrator may revoke it")
        }
        guard person.active else { throw .forbidden("your account is disabled") }
        switch application.status {
        case .approved: break
        case .pending: throw .conflict("\(application.id) is still waiting for approval; reject it instead")
        case .rejected: throw .conflict("\(application.id) was rejected; there is nothing to revoke")
        case .revoked: throw .conflict("\(application.id) was already revoked")
        }
        let remaining = application.usesRemaining
        var next = application
        next.status = .revoked
        next.decided = now
        next.revokedAt = now
        let step = SealApplicationStep(at: now, actor: actor(person.id), action: .revoked(usesRevoked: remaining), note: note)
        let notice = makeNotice(
            "seal.revoked", next, recipients: [application.applicant] + application.cc + application.approvers, by: person.id, at: now,
            text: "\(person.id) revoked the \(remaining) remaining use\(remaining == 1 ? "" : "s") of \(application.id).",
            extra: ["uses_revoked": "\(remaining)"].merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }
        )
        return Transition(application: next, steps: [step], notices: [notice])
    }

    // MARK: Rules

    /// The level waiting on `person`; refuses anyone else, and the applicant in every case.
    private static func requireTurn(_ application: SealApplication, _ person: User) throws(SealWorkflowError) -> Int {
        guard case let .pending(level) = application.status else {
            throw .conflict("\(application.id) is \(application.status.name), not waiting for a decision")
        }
        guard person.id != application.applicant else { throw .forbidden("nobody approves their own application") }
        guard application.waitingOn == person.id else {
            throw .forbidden("\(application.id) is waiting on \(application.waitingOn.map(\.value) ?? "nobody"), not on \(person.id)")
        }
        guard person.active, person.has(.approver) else { throw .forbidden("\(person.id) is not an active approver") }
        return level
    }

    private static func requireApprover(_ user: User, field: String) throws(SealWorkflowError) {
        guard user.has(.approver) else { throw .field(field, "\(user.id) does not have the approver role") }
        guard user.active else { throw .field(field, "\(user.id) is disabled") }
    }

    private static func cleanNote(_ note: String?) throws(SealWorkflowError) -> String? {
        guard let text = note?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= noteLimit else { throw .field("note", "must be at most \(noteLimit) characters, got \(text.count)") }
        if let problem = HiddenCharacters.problem(in: text, allowingLineBreaks: true) { throw .field("note", problem) }
        return text
    }

    static func actor(_ id: UserID) -> String { "user:\(id)" }

    /// A notice about `application`, to `recipients` minus the person who acted.
    static func makeNotice(
        _ kind: String, _ application: SealApplication, recipients: [UserID], by: UserID?, at now: Timestamp, text: String, extra: [String: String] = [:]
    ) -> Notice {
        var details = extra
        details["application"] = application.id.value
        details["seal"] = application.seal.value
        details["applicant"] = application.applicant.value
        details["status"] = application.status.name
        if let by { details["by"] = by.value }
        return Notice(
            kind: kind, subject: "seal-application:\(application.id)", recipients: recipients.filter { $0 != by },
            text: text, details: details, at: now
        )
    }
}
