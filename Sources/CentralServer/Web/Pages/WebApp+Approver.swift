import Foundation
import Hummingbird
import Protocol

/// The approver's pages (issue 7, SPEC E2, E6, E7): the inbox of applications waiting on them,
/// and the actions on an application (approve, forward, reject, revoke the uses left). The
/// workflow decides who may do what (nobody approves their own application).
extension WebApp {
    @Sendable func inbox(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.approver])
        let all = try await store.sealApplications()
        let waiting = all.filter { $0.waitingOn == caller.user.id }
        let table = Self.applicationTable(waiting)
        if let csv = csvIfAsked(table, request, filename: "approval-inbox") { return csv }
        let decided = all.filter { $0.approvers.contains(caller.user.id) && $0.status == .approved && $0.usesRemaining > 0 }
        return try page("inbox", caller, request, title: "Approval inbox", [
            "table": tableContext(table, request),
            "open": decided.map { ["id": $0.id.value, "applicant": $0.applicant.value, "seal": $0.seal.value, "remaining": $0.usesRemaining] },
            "noOpen": decided.isEmpty,
        ])
    }

    @Sendable func actOnApplication(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.approver, .administrator])
        let form = try await form(request, context, caller)
        let id: ApplicationID
        do { id = try ApplicationID(try context.parameters.require("id")) } catch { throw WebError.notFound("seal application") }
        let note = form["note"]
        let command: SealWorkflow.Command
        switch try context.parameters.require("action") {
        case "approve": command = .approve(note: note)
        case "reject": command = .reject(note: note)
        case "revoke": command = .revoke(note: note)
        case "forward":
            let to = try form.require("to")
            var target: User?
            if let userID = try? UserID(to) { target = try await store.user(id: userID) }
            command = .forward(to: to, user: target, note: note)
        case let other: throw WebError.notFound("the action \(other)")
        }
        let back = "/web/applications/\(id.value)"
        do {
            let application = try await services.seals.act(command, on: id, by: caller.user, from: context.peer)
            return done(back, notice: "Done: the application is now \(Self.statusText(application)).", for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done(back, notice: "Not done: \(WebError.refusal(error)!.message)", for: caller)
        }
    }
}
