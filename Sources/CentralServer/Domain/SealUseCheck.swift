import Protocol

/// Checks one seal-use event from a device against the application it names (SPEC E3: the
/// device holds the count, and the server checks it again). Pure. A use is always kept; what
/// should not have happened is flagged and becomes a security event, never dropped.
public enum SealUseCheck {
    public struct Outcome: Hashable, Sendable {
        /// The application with the use counted; nil when it names no known application.
        public let application: SealApplication?
        /// The security event's kind and text when the use should not have happened.
        public let flag: (kind: String, detail: String)?

        public static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.application == rhs.application && lhs.flag?.kind == rhs.flag?.kind && lhs.flag?.detail == rhs.flag?.detail
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(application)
            hasher.combine(flag?.kind)
        }
    }

    /// - Parameters:
    ///   - application: the stored application the event names, nil when there is none.
    ///   - grant: the issued grant the event names (`GrantUseCheck`), nil when there is none.
    ///   - at: the event's time (the stamp).
    public static func check(_ use: SealUseEvent, application: SealApplication?, grant: IssuedGrant?, device: DeviceID, at: Timestamp) -> Outcome {
        let stamp = "stamp \(use.useNumber) by \(use.userID) on \(device) at \(TimeText.iso8601(at))"
        guard var counted = application else {
            return Outcome(application: nil, flag: ("seal.use-unknown-application", "\(stamp) names application \(use.applicationID), which the server does not know"))
        }
        // Not counted against the application (a device could use up anyone's approved uses under
        // a grant the server never issued, issue 21): kept, flagged, never dropped.
        if let problem = GrantUseCheck.problem(grantID: use.grantID, issued: grant, device: device, user: use.userID, use: .sealUse(use.applicationID)) {
            return Outcome(application: nil, flag: ("seal.use-unissued-grant", "\(stamp) under \(use.applicationID) names grant \(use.grantID): \(problem); not counted"))
        }
        counted.usesMade += 1
        let flag: (String, String)?
        if use.userID != counted.applicant {
            flag = ("seal.use-wrong-user", "\(stamp) under \(counted.id), which is \(counted.applicant)'s")
        } else {
            switch counted.status {
            case .pending, .rejected:
                flag = ("seal.use-not-approved", "\(stamp) under \(counted.id), which is \(counted.status.name)")
            case .revoked where counted.revokedAt.map { at > $0 } ?? true:
                flag = ("seal.use-after-revocation", "\(stamp) under \(counted.id), revoked at \(counted.revokedAt.map(TimeText.iso8601) ?? "?")")
            case .approved, .revoked:
                if counted.usesMade > counted.uses {
                    flag = ("seal.use-over-approved-count", "\(stamp) is use \(counted.usesMade) of \(counted.id), approved for \(counted.uses)")
                } else {
                    flag = nil
                }
            }
        }
        return Outcome(application: counted, flag: flag)
    }

    /// The timeline step and the notice for a use (E6: approvers and CC see each use).
    public static func record(_ use: SealUseEvent, outcome: Outcome, device: DeviceID, at: Timestamp) -> (SealApplicationStep, Notice)? {
        guard let application = outcome.application else { return nil }
        let step = SealApplicationStep(
            at: at, actor: "device:\(device)", action: .used(useNumber: application.usesMade, flagged: outcome.flag?.kind), note: use.location.placeName
        )
        var extra = [
            "use": "\(application.usesMade)", "uses_remaining": "\(application.usesRemaining)", "place": use.location.placeName, "device": device.value,
        ]
        if let photo = use.photoHash { extra["photo"] = photo.hex }
        if let flag = outcome.flag { extra["flagged"] = flag.kind }
        let notice = SealWorkflow.makeNotice(
            "seal.used", application, recipients: application.approvers + application.cc + [application.applicant], by: nil, at: at,
            text: "Seal \(application.seal) used under \(application.id) at \(use.location.placeName) (use \(application.usesMade) of \(application.uses), \(application.usesRemaining) left)\(outcome.flag.map { "; flagged: \($0.kind)" } ?? "").",
            extra: extra
        )
        return (step, notice)
    }
}
