import Foundation
import Hummingbird
import Protocol

/// The enrolment and device routes.
extension Handlers {
    @Sendable func enroll(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var body = try await Self.body(request, context)
        let enrollment = EnrollmentService.Request(
            token: try body.string("token"),
            deviceID: try body.string("device_id"),
            publicKey: try body.string("public_key"),
            model: try body.string("model"),
            firmware: try body.string("firmware"),
            resources: try body.optionalObjects("resources", limit: EnrollmentService.maximumResources) { (entry: inout JSONObjectReader) throws(InputError) in
                (id: try entry.string("id"), type: try entry.string("type"))
            }
        )
        try body.finish()
        let result = try await services.enrollment.enroll(enrollment, source: context.peer)
        return JSONResponse.make(DTO.EnrollmentBody(
            deviceID: result.device.id.value, name: result.device.name, serverID: result.serverID.value,
            serverKeys: result.serverKeys.map(DTO.ServerKeyBody.init),
            resources: result.device.resources.map { DTO.ResourceBody(id: $0.id.value, type: $0.type.description) }
        ), status: .created)
    }

    @Sendable func createEnrollmentToken(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let name = try body.string("name")
        let lifetime = try TimeText.duration(try body.optionalString("expires") ?? "24h", field: "expires")
        try body.finish()
        let (token, expires) = try await services.admin.createEnrollmentToken(name: name, lifetime: lifetime, by: Self.actor(caller, context))
        return JSONResponse.make(["token": token, "name": name, "expires": TimeText.iso8601(expires)], status: .created)
    }

    // MARK: Devices
    @Sendable func listDevices(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        return JSONResponse.make(DTO.List(items: try await services.store.devices().map { DTO.DeviceBody($0) }))
    }

    @Sendable func getDevice(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let id = try InputRules.deviceID(try Self.pathParameter(context, "id"), field: "id")
        guard let device = try await services.store.device(id: id) else { throw APIError(.notFound, "device \(id) not found") }
        return JSONResponse.make(DTO.DeviceBody(device, permissions: try await services.store.devicePermissions(id)))
    }
}
