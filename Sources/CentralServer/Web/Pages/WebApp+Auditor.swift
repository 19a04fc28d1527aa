import Foundation
import Hummingbird
import Protocol

/// The auditor's pages (issue 7, SPEC A5, G2): every job with its copied content (only auditors
/// see content), every seal use with its photos, security events, and the audit log with the
/// result of verifying its hash chain. Read-only: nothing here changes anything.
extension WebApp {
    @Sendable func auditJobs(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.auditor])
        let table = Self.jobTable(try await store.jobs(limit: 100_000), linkContent: true)
        if let csv = csvIfAsked(table, request, filename: "jobs") { return csv }
        return try page("list", caller, request, title: "Jobs", ["table": tableContext(table, request), "intro": "Every copy job and printed split part. Open a job to see the pages it copied."])
    }

    @Sendable func auditJob(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.auditor])
        // Job ids hold a colon (`device:sequence`), which links percent-encode.
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        guard let job = try await store.job(id: id) else { throw WebError.notFound("job \(id)") }
        let pages = try await store.jobContent(jobID: id)
        try await store.appendAudit(actor(caller, context).record("content.view", target: "job:\(id)", details: ["pages": "\(pages.count)"], at: services.clock.now()))
        return try page("job", caller, request, title: "Job \(id)", [
            "id": job.id, "user": job.userID.value, "device": job.deviceID.value, "started": WebFormat.time(job.started), "ended": WebFormat.time(job.ended),
            "paper": "\(job.paperSize)", "colour": job.colour ? "colour" : "mono", "pages": job.pages, "copies": job.copies,
            "content": pages.map { page -> [String: Any] in
                ["page": page.page, "held": page.held, "src": "/web/blobs/\(page.blobHash.hex)?job=\(TableQuery.escape(id))", "size": page.size, "type": page.mediaType]
            },
            "noContent": pages.isEmpty,
        ])
    }

    @Sendable func auditSealUses(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.auditor])
        let uses = try await store.sealUses(SealUseFilter())
        let table = WebTable(columns: [
            .init("application", "Application"), .init("at", "When"), .init("user", "User"), .init("seal", "Seal"), .init("device", "Device"),
            .init("place", "Place"), .init("number", "Use", numeric: true), .init("photos", "Photos", numeric: true), .init("flagged", "Flagged"),
        ], rows: uses.reversed().map { use in
            WebTable.Row([
                use.applicationID.value, WebFormat.time(use.at), use.userID.value, use.seal?.value ?? "", use.deviceID.value, use.location.placeName,
                use.useNumber.map { "\($0)" } ?? "", "\(use.photos.count)", use.flagged ?? "",
            ], link: "/web/applications/\(use.applicationID.value)")
        })
        if let csv = csvIfAsked(table, request, filename: "seal-uses") { return csv }
        return try page("list", caller, request, title: "Seal uses", ["table": tableContext(table, request), "intro": "Every stamp recorded; open one for its application's record and photos."])
    }

    @Sendable func auditSecurity(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.auditor])
        let table = WebTable(columns: [
            .init("at", "When"), .init("kind", "Kind"), .init("device", "Device"), .init("user", "User"), .init("detail", "Detail"),
        ], rows: try await store.securityEvents(limit: 10_000).map { event in
            WebTable.Row([WebFormat.time(event.at), event.kind, event.deviceID?.value ?? "", event.userID?.value ?? "", event.detail])
        })
        if let csv = csvIfAsked(table, request, filename: "security-events") { return csv }
        return try page("list", caller, request, title: "Security events", ["table": tableContext(table, request)])
    }

    @Sendable func auditLog(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.auditor])
        var entries: [AuditEntry] = []
        var after: UInt64 = 0
        while true {
            let batch = try await store.auditEntries(after: after, limit: 1000)
            entries += batch
            guard let last = batch.last, batch.count == 1000 else { break }
            after = last.sequence
        }
        let table = WebTable(columns: [
            .init("sequence", "#", numeric: true), .init("at", "When"), .init("actor", "Who"), .init("source", "From"), .init("action", "What"),
            .init("target", "On"), .init("details", "Details"), .init("hash", "Hash"),
        ], rows: entries.reversed().map { entry in
            let r = entry.record
            return WebTable.Row([
                "\(entry.sequence)", WebFormat.time(r.at), r.actor, r.source, r.action, r.target,
                r.details.keys.sorted().map { "\($0)=\(r.details[$0]!)" }.joined(separator: " "), String(entry.hash.hex.prefix(16)),
            ])
        })
        if let csv = csvIfAsked(table, request, filename: "audit-log") { return csv }
        var data: [String: Any] = ["table": tableContext(table, request), "count": entries.count]
        if let head = try await store.latestSignedAuditHead()?.head {
            data["signedHead"] = ["sequence": head.sequence, "hash": head.hash.hex, "signedAt": WebFormat.time(head.signedAt), "keyID": head.keyID.description]
        }
        if Self.query(request)["verify"] != nil {
            let verification = AuditChain.verify(entries)
            if case .intact = verification { data["verification"] = ["ok": true, "text": "\(verification)"] } else { data["verification"] = ["ok": false, "text": "\(verification)"] }
        }
        return try page("audit-log", caller, request, title: "Audit log", data)
    }

    // MARK: Pictures

    /// A page image or photo, only for who may see it: a job's scanned pages to auditors (SPEC
    /// A5), a seal use's photos to the application's people, auditors and administrators (E6).
    /// The hash must be one the named job or application really has.
    @Sendable func blob(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request)
        let text = try context.parameters.require("hash")
        guard let bytes = Hex.decode(text), let hash = try? Hash32(bytes: bytes) else { throw WebError.notFound("picture") }
        let query = Self.query(request)
        var mediaType = "image/png"
        if let job = query["job"] {
            guard caller.user.has(.auditor) else { throw WebError.forbidden("only auditors see what was copied (SPEC A5)") }
            guard let page = try await store.jobContent(jobID: job).first(where: { $0.blobHash == hash }) else { throw WebError.notFound("picture") }
            mediaType = page.mediaType
        } else if let application = query["application"], let id = try? ApplicationID(application) {
            let (_, _, uses) = try await services.seals.detail(id, for: caller.user)
            guard uses.contains(where: { $0.photos.contains(hash) }) else { throw WebError.notFound("picture") }
        } else {
            throw WebError.notFound("picture")
        }
        guard mediaType.hasPrefix("image/"), !mediaType.contains("svg"), let blobs, let data = blobs.contents(hash) else {
            throw WebError.notFound("the picture's bytes (not uploaded yet?)")
        }
        return Response(status: .ok, headers: [.contentType: mediaType, .cacheControl: "private, max-age=3600", .xContentTypeOptions: "nosniff"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
