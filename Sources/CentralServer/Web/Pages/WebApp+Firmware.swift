import Foundation
import Hummingbird
import Protocol

/// The firmware pages (SPEC F3, docs/firmware-rollout.md): the uploaded images, a rollout started
/// by choosing an image and devices, and each rollout's progress per device, on the same
/// `FirmwareService` as the API (so a rollout started here is audited and offered at once).
/// Images are uploaded with the CLI or the API: they are signed files made by the vendor's tools.
extension WebApp {
    @Sendable func adminFirmware(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let images = try await store.firmwareImages(limit: 200)
        let rollouts = try await services.firmware.list(limit: 500)
        let table = WebTable(columns: [
            .init("id", "Rollout", numeric: true), .init("image", "Image"), .init("created", "Started"), .init("by", "By"),
            .init("devices", "Devices", numeric: true), .init("progress", "Progress"),
        ], rows: rollouts.map { detail in
            let rollout = detail.rollout
            return WebTable.Row([
                "\(rollout.id)", "#\(rollout.image.id) \(rollout.image.model) \(rollout.image.version)", WebFormat.time(rollout.created),
                rollout.createdBy, "\(rollout.targets.count)", FirmwareProgress.summary(rollout.targets, connected: detail.connected),
            ], link: "/web/admin/firmware/rollouts/\(rollout.id)")
        })
        if let csv = csvIfAsked(table, request, filename: "firmware-rollouts") { return csv }
        let devices = try await store.devices().filter { $0.state == .active }
        return try page("firmware", caller, request, title: "Firmware", [
            "table": tableContext(table, request),
            "images": images.map { image in
                [
                    "id": "\(image.id)", "model": image.model.description, "version": image.version.description,
                    "minimum": image.minimumVersion?.description ?? "—", "size": WebFormat.bytes(image.size),
                    "sha256": String(image.sha256.hex.prefix(16)), "uploaded": WebFormat.time(image.uploaded), "by": image.uploadedBy,
                ] as [String: Any]
            },
            "hasImages": !images.isEmpty,
            "deviceChoices": devices.map { device in
                [
                    "id": device.id.value, "name": device.name, "firmware": device.firmware.isEmpty ? "unknown" : device.firmware,
                    "resources": device.resources.map { "\($0.type)" }.joined(separator: ", "),
                ] as [String: Any]
            },
            "hasDevices": !devices.isEmpty,
        ])
    }

    @Sendable func adminStartRollout(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        let form = try await form(request, context, caller)
        do {
            let image = try form.integer("image")
            guard image > 0 else { return done("/web/admin/firmware", notice: "Not started: choose an image.", for: caller) }
            let devices = form.all("device")
            guard !devices.isEmpty else { return done("/web/admin/firmware", notice: "Not started: choose at least one device.", for: caller) }
            let rollout = try await services.firmware.startRollout(image: UInt64(image), devices: devices, by: actor(caller, context))
            return done("/web/admin/firmware/rollouts/\(rollout.id)", notice: "Rollout \(rollout.id) started to \(devices.joined(separator: ", ")).", for: caller)
        } catch let error where WebError.refusal(error) != nil {
            return done("/web/admin/firmware", notice: "Not started: \(WebError.refusal(error)!.message)", for: caller)
        }
    }

    @Sendable func adminRollout(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let caller = try await caller(request, [.administrator])
        guard let id = UInt64(try context.parameters.require("id")) else { throw WebError.notFound("firmware rollout") }
        let detail: FirmwareRolloutDetail
        do { detail = try await services.firmware.detail(id) } catch is WorkflowRefusal { throw WebError.notFound("firmware rollout \(id)") }
        let rollout = detail.rollout
        let table = WebTable(columns: [
            .init("device", "Device"), .init("state", "State"), .init("link", "Link"), .init("sent", "Sent", numeric: true),
            .init("received", "Received", numeric: true), .init("message", "Message"), .init("updated", "Updated"),
        ], rows: rollout.targets.map { target in
            let online = detail.connected.contains(target.device)
            return WebTable.Row([
                target.device.value, FirmwareProgress.state(target, online: online), online ? "online" : "offline",
                FirmwareProgress.percent(target.bytesSent, of: target.imageSize), FirmwareProgress.percent(target.bytesReceived, of: target.imageSize),
                target.message, WebFormat.time(target.updated),
            ])
        })
        if let csv = csvIfAsked(table, request, filename: "firmware-rollout-\(id)") { return csv }
        return try page("firmware-rollout", caller, request, title: "Firmware rollout \(id)", [
            "table": tableContext(table, request),
            "id": "\(rollout.id)", "image": "#\(rollout.image.id) \(rollout.image.model) \(rollout.image.version)",
            "created": WebFormat.time(rollout.created), "by": rollout.createdBy,
            "summary": FirmwareProgress.summary(rollout.targets, connected: detail.connected), "finished": rollout.isFinished,
            "reports": rollout.targets.map { target in
                [
                    "device": target.device.value,
                    "items": (detail.history[target.id] ?? []).map { report in
                        [
                            "at": WebFormat.time(report.at), "state": report.state.description,
                            "received": FirmwareProgress.percent(report.bytesReceived, of: target.imageSize), "message": report.message,
                        ] as [String: Any]
                    },
                ] as [String: Any]
            },
        ])
    }
}

/// How a rollout's progress reads on the pages. Pure.
enum FirmwareProgress {
    /// A target's state as a person reads it: not final and its device away → "offline (…)".
    static func state(_ target: FirmwareRolloutTarget, online: Bool) -> String {
        let state = target.state.rawValue.replacingOccurrences(of: "_", with: " ")
        return !target.state.isFinal && !online ? "offline (\(state))" : state
    }

    /// "3 confirmed, 1 sending, 1 offline": counts by state in the order a rollout moves.
    static func summary(_ targets: [FirmwareRolloutTarget], connected: Set<DeviceID>) -> String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        let sorted = targets.sorted { ($0.state.rank, $0.device.value) > ($1.state.rank, $1.device.value) }
        for target in sorted {
            let key = !target.state.isFinal && !connected.contains(target.device) ? "offline" : target.state.rawValue.replacingOccurrences(of: "_", with: " ")
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        return order.map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
    }

    /// "96 KiB of 200 KiB (48%)".
    static func percent(_ bytes: UInt64, of size: UInt64) -> String {
        guard size > 0 else { return WebFormat.bytes(bytes) }
        return "\(WebFormat.bytes(bytes)) of \(WebFormat.bytes(size)) (\(bytes * 100 / size)%)"
    }
}
