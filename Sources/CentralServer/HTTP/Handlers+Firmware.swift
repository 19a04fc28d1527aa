import Foundation
import Hummingbird
import Protocol

/// The firmware routes (SPEC F3): administrators upload signed images and roll them out to
/// chosen devices; administrators and auditors follow each device's progress.
extension Handlers {
    /// `POST /firmware/images`: the body is the image file as `firmware-sim image sign` wrote it.
    @Sendable func uploadFirmwareImage(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/octet-stream") {
            throw InputError(field: "Content-Type", "must be application/octet-stream (the body is the image file), got \"\(type)\"")
        }
        var body = request
        let bytes = try await body.collectBody(upTo: Int(UplinkLimits.firmwareImageSize))
        let image = try await services.firmware.upload(Array(bytes.readableBytesView), by: .user(caller.id, from: context.peer))
        return JSONResponse.make(DTO.FirmwareImageBody(image), status: .created)
    }

    @Sendable func listFirmwareImages(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        return JSONResponse.make(DTO.List(items: try await services.store.firmwareImages(limit: try Self.limit(request)).map(DTO.FirmwareImageBody.init)))
    }

    /// Body `{"image": 1, "devices": ["copier-1", ...]}`.
    @Sendable func startFirmwareRollout(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let caller = try await auth.require(request, Self.writers)
        var body = try await Self.body(request, context)
        let image = try body.integer("image")
        let devices = try body.optionalStrings("devices", limit: FirmwareService.maximumDevices) ?? []
        try body.finish()
        guard image >= 1 else { throw InputError(field: "image", "must be a firmware image id (1 or more)") }
        let rollout = try await services.firmware.startRollout(image: UInt64(image), devices: devices, by: .user(caller.id, from: context.peer))
        return JSONResponse.make(DTO.FirmwareRolloutBody(try await services.firmware.detail(rollout.id)), status: .created)
    }

    @Sendable func listFirmwareRollouts(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        return JSONResponse.make(DTO.List(items: try await services.firmware.list(limit: try Self.limit(request)).map(DTO.FirmwareRolloutBody.init)))
    }

    @Sendable func getFirmwareRollout(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try await auth.require(request, Self.readers)
        let text = try context.parameters.require("id")
        guard let id = UInt64(text), id >= 1 else { throw InputError(field: "id", "must be a rollout id (a number from 1), got \"\(text)\"") }
        return JSONResponse.make(DTO.FirmwareRolloutBody(try await services.firmware.detail(id)))
    }
}
