import Foundation
import Hummingbird
import Protocol

/// The split charge routes (SPEC D1-D4): an employee uploads a PDF with its split, payers
/// authenticate and approve or reject their share, the requester asks a payer again.
extension Handlers {
    /// The header that carries the split (JSON) next to the raw PDF body.
    static let splitHeader = "x-imprimatur-split"

    /// `POST /split-jobs`: body the PDF (`Content-Type: application/pdf`), the split as JSON in `X-Imprimatur-Split`.
    @Sendable func createSplitJob(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, [.employee])
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/pdf") {
            throw InputError(field: "Content-Type", "must be application/pdf (the body is the PDF), got \"\(type)\"")
        }
        guard let header = request.headers.first(where: { $0.name.canonicalName == Self.splitHeader })?.value else {
            throw InputError(field: "X-Imprimatur-Split", "is required: the split as a JSON object (title, device, shares, ...)")
        }
        var reader: JSONObjectReader
        do throws(InputError) { reader = try JSONObjectReader(body: Array(header.utf8)) } catch { throw InputError(field: "X-Imprimatur-Split", error.message) }
        let title = try reader.string("title")
        let device = try reader.string("device")
        let copies = try reader.optionalInteger("copies") ?? 1
        var method = PrintMethod()
        method.colour = try reader.optionalBool("colour") ?? false
        if let size = try reader.optionalString("paper_size") { method.paperSize = try Self.paperSize(size, field: "paper_size") }
        method.paperType = try reader.optionalString("paper_type") ?? "plain"
        let shares = try reader.optionalObjects("shares", limit: SplitPlanner.maximumShares) { share throws(InputError) in
            SplitShareRequest(
                payer: try share.string("payer"), ratio: try share.optionalInteger("ratio").map { Int(clamping: $0) },
                copies: try share.optionalInteger("copies").map { Int(clamping: $0) },
                pages: try share.optionalString("pages").map { text throws(InputError) in try Self.pageRange(text, field: "shares.pages") },
                colour: try share.optionalBool("colour"),
                paperSize: try share.optionalString("paper_size").map { text throws(InputError) in try Self.paperSize(text, field: "shares.paper_size") },
                paperType: try share.optionalString("paper_type")
            )
        } ?? []
        try reader.finish()
        var body = request
        let pdf = try await body.collectBody(upTo: SplitService.maximumPDFSize)
        let job = try await services.splits.create(
            pdf: Array(pdf.readableBytesView), split: SplitRequest(copies: Int(clamping: copies), method: method, shares: shares),
            title: title, device: device, by: caller, from: context.peer
        )
        return JSONResponse.make(DTO.SplitJobBody(job), status: .created)
    }

    /// `?view=involved` (default: requested or pays), `all` (auditor or administrator).
    @Sendable func listSplitJobs(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        let limit = try Self.limit(request)
        let jobs: [SplitJob]
        switch try Self.query(request, "view") ?? "involved" {
        case "involved": jobs = try await services.store.splitJobs(involving: caller.id, limit: limit)
        case "all":
            guard caller.has(.auditor) || caller.has(.administrator) else { throw APIError(.forbidden, "view=all needs the role administrator or auditor") }
            jobs = try await services.store.splitJobs(involving: nil, limit: limit)
        case let other: throw InputError(field: "view", "must be involved or all, got \"\(other)\"")
        }
        return JSONResponse.make(DTO.List(items: jobs.map { DTO.SplitJobBody($0) }))
    }

    @Sendable func getSplitJob(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        return JSONResponse.make(DTO.SplitJobBody(try await services.splits.detail(try Self.pathParameter(context, "id"), for: caller)))
    }

    /// Body `{"pin": "1234"}`: the payer proves who they are again before answering.
    @Sendable func authenticateSplitPayer(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        var body = try await Self.body(request, context)
        let pin = try body.string("pin")
        try body.finish()
        return try await splitAct(.authenticate, pin: pin, caller, context)
    }

    @Sendable func approveSplitShare(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        try await Self.emptyBody(request, context)
        return try await splitAct(.approve, pin: nil, caller, context)
    }

    @Sendable func rejectSplitShare(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        try await Self.emptyBody(request, context)
        return try await splitAct(.reject, pin: nil, caller, context)
    }

    @Sendable func reRequestSplitPayer(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request)
        try await Self.emptyBody(request, context)
        return try await splitAct(.reRequest, pin: nil, caller, context)
    }

    /// `caller` was authenticated before the body was read: a stranger learns nothing from the input checks.
    private func splitAct(_ event: SplitConsentEvent, pin: String?, _ caller: User, _ context: ServerRequestContext) async throws -> Response {
        let job = try await services.splits.act(
            event, job: try Self.pathParameter(context, "id"), payer: try Self.pathParameter(context, "payer"), pin: pin, by: caller, from: context.peer
        )
        return JSONResponse.make(DTO.SplitJobBody(job))
    }

    /// `N` or `N-M`.
    static func pageRange(_ text: String, field: String) throws(InputError) -> PageRange {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch parts.count {
        case 1: if let page = parts[0] { return PageRange(first: page, last: page) }
        case 2: if let first = parts[0], let last = parts[1] { return PageRange(first: first, last: last) }
        default: break
        }
        throw InputError(field: field, "must be a page N or a range N-M, got \"\(text)\"")
    }

    static func paperSize(_ text: String, field: String) throws(InputError) -> PaperSize {
        guard let size = PaperSize(name: text) else {
            throw InputError(field: field, "must be one of \(PaperSize.allCases.map(\.description).joined(separator: ", ")), got \"\(text)\"")
        }
        return size
    }
}
