import Protocol
import Testing
@testable import CentralServer

/// The pure approval workflow (SPEC E1, E2, E7, G1): every step from a state, with its
/// timeline entry and its notices, and every refusal.
@Suite("Seal workflow")
struct SealWorkflowTests {
    static let t0 = Fixture.now
    static func at(_ minutes: Int64) -> Timestamp { t0.adding(milliseconds: minutes * Fixture.minute) }
    static func person(_ id: String, _ roles: Set<Role>, active: Bool = true) -> User {
        User(id: Fixture.userID(id), name: id, roles: roles, active: active, created: t0)
    }

    static let alice = person("alice", [.employee])
    static let arthur = person("arthur", [.approver, .employee])
    static let bea = person("bea", [.approver])
    static let carl = person("carl", [.approver])
    static let dora = person("dora", [.employee])
    static let ada = person("ada", [.administrator])
    static let people = [alice, arthur, bea, carl, dora, ada]
    static func lookUp(_ id: String) -> (id: String, user: User?) { (id, people.first { $0.id.value == id }) }
    static let id = try! ApplicationID("sa-1")

    static func draft(approvers: [String] = ["arthur", "bea"], cc: [String] = ["dora"], uses: Int64 = 3, photos: Int64 = 1, reason: String = "Contract with ACME") -> SealWorkflow.Draft {
        SealWorkflow.Draft(seal: Fixture.resourceID("seal-1"), reason: reason, uses: uses, photos: photos, approvers: approvers.map(lookUp), cc: cc.map(lookUp))
    }

    static func submitted() throws -> SealApplication {
        try SealWorkflow.submit(draft(), id: id, by: alice, at: t0).application
    }

    @Test func submittingWaitsOnTheFirstLevelAndTellsItsApproverAndTheCC() throws {
        let transition = try SealWorkflow.submit(Self.draft(), id: Self.id, by: Self.alice, at: Self.t0)
        let application = transition.application
        #expect(application.status == .pending(level: 0))
        #expect(application.waitingOn == Self.arthur.id)
        #expect(application.usesRemaining == 0)
        #expect(application.grantState == .pending)
        #expect(transition.steps == [SealApplicationStep(at: Self.t0, actor: "user:alice", action: .submitted)])
        #expect(transition.notices.map(\.kind) == ["seal.submitted"])
        #expect(transition.notices[0].recipients == [Self.arthur.id, Self.dora.id])
        #expect(transition.notices[0].details["waiting_on"] == "arthur")
    }

    @Test(arguments: [
        (SealWorkflowTests.draft(uses: 0), "uses"),
        (SealWorkflowTests.draft(uses: 1001), "uses"),
        (SealWorkflowTests.draft(photos: -1), "photos"),
        (SealWorkflowTests.draft(reason: "  "), "reason"),
        (SealWorkflowTests.draft(approvers: []), "approvers"),
        (SealWorkflowTests.draft(approvers: ["ghost"]), "approvers[0]"),
        (SealWorkflowTests.draft(approvers: ["arthur", "dora"]), "approvers[1]"),
        (SealWorkflowTests.draft(approvers: ["arthur", "arthur"]), "approvers[1]"),
        (SealWorkflowTests.draft(cc: ["nobody"]), "cc[0]"),
    ])
    func badDraftsNameTheField(_ draft: SealWorkflow.Draft, _ field: String) {
        #expect {
            try SealWorkflow.submit(draft, id: Self.id, by: Self.alice, at: Self.t0)
        } throws: { error in
            guard case let .input(input) = error as? SealWorkflowError else { return false }
            return input.field == field
        }
    }

    @Test func nobodyNamesThemselvesAsApprover() {
        #expect(throws: SealWorkflowError.forbidden("nobody approves their own application: arthur cannot be an approver of it")) {
            try SealWorkflow.submit(Self.draft(approvers: ["bea", "arthur"]), id: Self.id, by: Self.arthur, at: Self.t0)
        }
    }

    @Test func onlyActiveEmployeesApply() {
        #expect(throws: SealWorkflowError.forbidden("only an active employee may apply to use a seal")) {
            try SealWorkflow.submit(Self.draft(), id: Self.id, by: Self.bea, at: Self.t0)
        }
    }

    @Test func approvingEveryLevelApprovesAndTellsTheApplicant() throws {
        let first = try SealWorkflow.apply(.approve(note: "ok"), by: Self.arthur, to: try Self.submitted(), at: Self.at(1))
        #expect(first.application.status == .pending(level: 1))
        #expect(first.application.waitingOn == Self.bea.id)
        #expect(first.steps == [SealApplicationStep(at: Self.at(1), actor: "user:arthur", action: .approved(level: 0), note: "ok")])
        #expect(first.notices.map(\.kind) == ["seal.level-approved"])
        #expect(first.notices[0].recipients == [Self.bea.id, Self.alice.id, Self.dora.id])

        let last = try SealWorkflow.apply(.approve(note: nil), by: Self.bea, to: first.application, at: Self.at(2))
        #expect(last.application.status == .approved)
        #expect(last.application.decided == Self.at(2))
        #expect(last.application.usesRemaining == 3)
        #expect(last.application.grantState == .approved(applicant: Self.alice.id, seal: Fixture.resourceID("seal-1"), usesRemaining: 3))
        #expect(last.steps.map(\.action) == [.approved(level: 1), .completed])
        #expect(last.notices.map(\.kind) == ["seal.approved"])
        #expect(last.notices[0].recipients.contains(Self.alice.id))
        #expect(!last.notices[0].recipients.contains(Self.bea.id), "the person who acted is not told what they did")
    }

    @Test func forwardingHandsTheLevelOverAndIsRecorded() throws {
        let forwarded = try SealWorkflow.apply(.forward(to: "carl", user: Self.carl, note: "beyond my authority"), by: Self.arthur, to: try Self.submitted(), at: Self.at(1))
        #expect(forwarded.application.approvers == [Self.carl.id, Self.bea.id])
        #expect(forwarded.application.status == .pending(level: 0))
        #expect(forwarded.application.waitingOn == Self.carl.id)
        #expect(forwarded.steps == [SealApplicationStep(at: Self.at(1), actor: "user:arthur", action: .forwarded(level: 0, to: Self.carl.id), note: "beyond my authority")])
        #expect(forwarded.notices[0].recipients.first == Self.carl.id)
        // The one who forwarded is no longer asked.
        #expect(throws: SealWorkflowError.forbidden("sa-1 is waiting on carl, not on arthur")) {
            try SealWorkflow.apply(.approve(note: nil), by: Self.arthur, to: forwarded.application, at: Self.at(2))
        }
        let approved = try SealWorkflow.apply(.approve(note: nil), by: Self.carl, to: forwarded.application, at: Self.at(2))
        #expect(approved.application.waitingOn == Self.bea.id)
    }

    @Test func forwardingIsRefusedToTheApplicantToOneselfAndToNonApprovers() throws {
        let application = try Self.submitted()
        #expect(throws: SealWorkflowError.forbidden("nobody approves their own application: it cannot be forwarded to its applicant alice")) {
            try SealWorkflow.apply(.forward(to: "alice", user: Self.alice, note: nil), by: Self.arthur, to: application, at: Self.at(1))
        }
        #expect(throws: SealWorkflowError.field("to", "cannot forward to yourself")) {
            try SealWorkflow.apply(.forward(to: "arthur", user: Self.arthur, note: nil), by: Self.arthur, to: application, at: Self.at(1))
        }
        #expect(throws: SealWorkflowError.field("to", "dora does not have the approver role")) {
            try SealWorkflow.apply(.forward(to: "dora", user: Self.dora, note: nil), by: Self.arthur, to: application, at: Self.at(1))
        }
        #expect(throws: SealWorkflowError.field("to", "bea already approves level 2 of this application")) {
            try SealWorkflow.apply(.forward(to: "bea", user: Self.bea, note: nil), by: Self.arthur, to: application, at: Self.at(1))
        }
        #expect(throws: SealWorkflowError.field("to", "no user \"ghost\"")) {
            try SealWorkflow.apply(.forward(to: "ghost", user: nil, note: nil), by: Self.arthur, to: application, at: Self.at(1))
        }
    }

    @Test func rejectingEndsIt() throws {
        let first = try SealWorkflow.apply(.approve(note: nil), by: Self.arthur, to: try Self.submitted(), at: Self.at(1))
        let rejected = try SealWorkflow.apply(.reject(note: "no contract attached"), by: Self.bea, to: first.application, at: Self.at(2))
        #expect(rejected.application.status == .rejected)
        #expect(rejected.application.grantState == .rejected)
        #expect(rejected.notices[0].recipients == [Self.alice.id, Self.dora.id, Self.arthur.id])
        #expect(rejected.notices[0].text == "bea rejected sa-1 at level 2: no contract attached")
        #expect(throws: SealWorkflowError.conflict("sa-1 is rejected, not waiting for a decision")) {
            try SealWorkflow.apply(.approve(note: nil), by: Self.bea, to: rejected.application, at: Self.at(3))
        }
    }

    @Test func onlyTheApproverWaitedOnActs() throws {
        let application = try Self.submitted()
        for (person, command) in [(Self.bea, SealWorkflow.Command.approve(note: nil)), (Self.ada, .reject(note: nil)), (Self.dora, .approve(note: nil))] {
            #expect(throws: SealWorkflowError.forbidden("sa-1 is waiting on arthur, not on \(person.id)")) {
                try SealWorkflow.apply(command, by: person, to: application, at: Self.at(1))
            }
        }
        #expect(throws: SealWorkflowError.forbidden("nobody approves their own application")) {
            try SealWorkflow.apply(.approve(note: nil), by: Self.alice, to: application, at: Self.at(1))
        }
    }

    @Test func aDisabledOrDemotedApproverCannotAct() throws {
        let application = try Self.submitted()
        #expect(throws: SealWorkflowError.forbidden("arthur is not an active approver")) {
            try SealWorkflow.apply(.approve(note: nil), by: Self.person("arthur", [.approver], active: false), to: application, at: Self.at(1))
        }
    }

    @Test func revokingTakesTheRemainingUses() throws {
        var approved = try SealWorkflow.apply(.approve(note: nil), by: Self.arthur, to: try Self.submitted(), at: Self.at(1)).application
        approved = try SealWorkflow.apply(.approve(note: nil), by: Self.bea, to: approved, at: Self.at(2)).application
        approved.usesMade = 1
        #expect(throws: SealWorkflowError.forbidden("only an approver of sa-1 or an administrator may revoke it")) {
            try SealWorkflow.apply(.revoke(note: nil), by: Self.dora, to: approved, at: Self.at(3))
        }
        let revoked = try SealWorkflow.apply(.revoke(note: "contract cancelled"), by: Self.bea, to: approved, at: Self.at(3))
        #expect(revoked.application.status == .revoked)
        #expect(revoked.application.revokedAt == Self.at(3))
        #expect(revoked.application.usesRemaining == 0)
        #expect(revoked.application.grantState == .revoked)
        #expect(revoked.steps.map(\.action) == [.revoked(usesRevoked: 2)])
        #expect(throws: SealWorkflowError.conflict("sa-1 was already revoked")) {
            try SealWorkflow.apply(.revoke(note: nil), by: Self.ada, to: revoked.application, at: Self.at(4))
        }
        // An administrator may revoke too.
        #expect(try SealWorkflow.apply(.revoke(note: nil), by: Self.ada, to: approved, at: Self.at(3)).application.status == .revoked)
        #expect(throws: SealWorkflowError.conflict("sa-1 is still waiting for approval; reject it instead")) {
            try SealWorkflow.apply(.revoke(note: nil), by: Self.ada, to: try Self.submitted(), at: Self.at(3))
        }
    }

    @Test func theTimelineOfAWholeLife() throws {
        var application = try Self.submitted()
        var timeline = [SealApplicationStep(at: Self.t0, actor: "user:alice", action: .submitted)]
        for (minute, person, command) in [
            (Int64(1), Self.arthur, SealWorkflow.Command.forward(to: "carl", user: Self.carl, note: nil)),
            (2, Self.carl, .approve(note: nil)),
            (3, Self.bea, .approve(note: "fine")),
            (9, Self.carl, .revoke(note: nil)),
        ] {
            let transition = try SealWorkflow.apply(command, by: person, to: application, at: Self.at(minute))
            application = transition.application
            timeline += transition.steps
        }
        #expect(timeline.map { "\($0.actor) \($0.action.name)" } == [
            "user:alice submitted", "user:arthur forwarded", "user:carl approved", "user:bea approved", "user:bea completed", "user:carl revoked",
        ])
        #expect(timeline.map(\.at) == [Self.t0, Self.at(1), Self.at(2), Self.at(3), Self.at(3), Self.at(9)])
    }

    // MARK: Uses

    static func use(_ number: UInt32, user: String = "alice", application: String = "sa-1") -> SealUseEvent {
        try! SealUseEvent(
            sessionID: 1, applicationID: try! ApplicationID(application), grantID: GrantID(high: 1, low: 2), userID: Fixture.userID(user),
            useNumber: number, usesRemaining: 0, location: try! SealLocation(placeName: "Legal, 3F"), photoHash: nil
        )
    }

    /// `SealUseCheck.check` with the grant the server issued for `use` (its user, `device` and application).
    static func check(_ use: SealUseEvent, application: SealApplication?, device: DeviceID, at: Timestamp) -> SealUseCheck.Outcome {
        let grant = IssuedGrant(grantID: use.grantID, kind: .access, keyID: Fixture.deviceKey.keyID, userID: use.userID, deviceID: device,
                                resourceID: Fixture.resourceID("seal-1"), issuedAt: at, expires: at.adding(seconds: 60), allowance: .seal(uses: 5),
                                available: nil, applicationID: use.applicationID)
        return SealUseCheck.check(use, application: application, grant: grant, device: device, at: at)
    }

    @Test func usesCountAndTheOneTooManyIsFlagged() throws {
        var application = try SealWorkflow.apply(.approve(note: nil), by: Self.arthur, to: try Self.submitted(), at: Self.at(1)).application
        application = try SealWorkflow.apply(.approve(note: nil), by: Self.bea, to: application, at: Self.at(2)).application
        let device = Fixture.deviceID("agent-1")
        for number in 1...3 {
            let outcome = Self.check(Self.use(UInt32(number)), application: application, device: device, at: Self.at(10))
            #expect(outcome.flag == nil)
            application = outcome.application!
        }
        #expect(application.usesRemaining == 0)
        let fourth = Self.check(Self.use(4), application: application, device: device, at: Self.at(11))
        #expect(fourth.flag?.kind == "seal.use-over-approved-count")
        #expect(fourth.application?.usesMade == 4)
        let (step, notice) = try #require(SealUseCheck.record(Self.use(4), outcome: fourth, device: device, at: Self.at(11)))
        #expect(step.action == .used(useNumber: 4, flagged: "seal.use-over-approved-count"))
        #expect(notice.kind == "seal.used")
        #expect(Set(notice.recipients) == [Self.arthur.id, Self.bea.id, Self.dora.id, Self.alice.id])
    }

    @Test func usesUnderUnknownPendingRevokedOrSomeoneElsesApplicationsAreFlagged() throws {
        let device = Fixture.deviceID("agent-1")
        #expect(Self.check(Self.use(1), application: nil, device: device, at: Self.at(1)).flag?.kind == "seal.use-unknown-application")
        let pending = try Self.submitted()
        #expect(Self.check(Self.use(1), application: pending, device: device, at: Self.at(1)).flag?.kind == "seal.use-not-approved")
        var approved = pending
        approved.status = .approved
        #expect(Self.check(Self.use(1, user: "dora"), application: approved, device: device, at: Self.at(1)).flag?.kind == "seal.use-wrong-user")
        var revoked = approved
        revoked.status = .revoked
        revoked.revokedAt = Self.at(5)
        // A stamp made before the revocation (reported late by an offline agent) is fine.
        #expect(Self.check(Self.use(1), application: revoked, device: device, at: Self.at(4)).flag == nil)
        #expect(Self.check(Self.use(1), application: revoked, device: device, at: Self.at(6)).flag?.kind == "seal.use-after-revocation")
    }
}
