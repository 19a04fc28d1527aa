import Logging
import Protocol

/// Firmware as a service (SPEC F1, F3): takes uploaded images (checked for shape, signature
/// presence and payload hash; whether a device trusts the vendor key is the device's check),
/// starts rollouts of an image to chosen devices, and shows where each device stands.
public final class FirmwareService: Sendable {
    public let store: any ServerStore
    public let clock: any ServerClock
    public let delivery: FirmwareDelivery
    public let hub: UplinkHub
    /// The most devices one rollout takes.
    public static let maximumDevices = 1000

    public init(store: any ServerStore, clock: any ServerClock, delivery: FirmwareDelivery, hub: UplinkHub) {
        self.store = store
        self.clock = clock
        self.delivery = delivery
        self.hub = hub
    }

    /// A service with no uplink (the admin CLI): its offers wait for the running server's sweep.
    public static func withoutUplink(store: any ServerStore, clock: any ServerClock = SystemClock()) -> FirmwareService {
        let hub = UplinkHub(metrics: ServerMetrics())
        return FirmwareService(store: store, clock: clock, delivery: FirmwareDelivery(store: store, hub: hub, clock: clock, logger: Logger(label: "imprimatur.cli")), hub: hub)
    }

    /// Reads the manifest of an uploaded image; refuses what no device could ever take.
    public static func inspect(_ bytes: [UInt8]) throws(WorkflowRefusal) -> NewFirmwareImage {
        guard !bytes.isEmpty else { throw .field("image", "the body is empty; send the image file as the body") }
        guard UInt64(bytes.count) <= UplinkLimits.firmwareImageSize else {
            throw .field("image", "\(bytes.count) bytes is larger than the largest image the uplink carries (\(UplinkLimits.firmwareImageSize))")
        }
        let image: FirmwareImage
        do { image = try FirmwareImage.decode(bytes) } catch {
            throw .field("image", "not a valid firmware image: \(error)")
        }
        guard image.signature != nil else {
            throw .field("image", "the image is not signed; sign it with the vendor key (firmware-sim image sign) before uploading")
        }
        let actual = Hash32.sha256(image.payload)
        guard actual == image.manifest.payloadSHA256 else {
            throw .field("image", "the payload's SHA-256 is \(actual), the manifest says \(image.manifest.payloadSHA256): the image is damaged")
        }
        return NewFirmwareImage(model: image.manifest.model, version: image.manifest.version, minimumVersion: image.manifest.minimumVersion, bytes: bytes)
    }

    public func upload(_ bytes: [UInt8], by actor: AuditActor) async throws -> FirmwareImageRecord {
        let image = try Self.inspect(bytes)
        let now = clock.now()
        let audit = actor.record("firmware.upload", target: "firmware-image", details: [
            "model": image.model.description, "version": image.version.description, "size": "\(bytes.count)",
            "sha256": Hash32.sha256(bytes).description,
        ], at: now)
        return try await store.addFirmwareImage(image, by: actor.actor, at: now, audit: audit)
    }

    /// A rollout of `imageID` to `deviceTexts`: each must be an enrolled, active device with a
    /// resource of the image's model. Offers go out at once to the connected ones.
    public func startRollout(image imageID: UInt64, devices deviceTexts: [String], by actor: AuditActor) async throws -> FirmwareRollout {
        guard let image = try await store.firmwareImage(id: imageID) else { throw WorkflowRefusal.notFound("firmware image \(imageID) not found") }
        guard (1...Self.maximumDevices).contains(deviceTexts.count) else {
            throw WorkflowRefusal.field("devices", "must name 1 to \(Self.maximumDevices) devices, got \(deviceTexts.count)")
        }
        var devices: [DeviceID] = []
        for text in deviceTexts {
            let id: DeviceID
            do { id = try DeviceID(text) } catch { throw WorkflowRefusal.field("devices", "\"\(text)\": \(error)") }
            guard !devices.contains(id) else { throw WorkflowRefusal.field("devices", "\(id) is named twice") }
            guard let device = try await store.device(id: id) else { throw WorkflowRefusal.missing(InputError(field: "devices", "no enrolled device \(id)")) }
            guard device.state == .active else { throw WorkflowRefusal.conflict("device \(id) is disabled") }
            guard device.resources.contains(where: { $0.type == image.model }) else {
                throw WorkflowRefusal.field("devices", "device \(id) has no \(image.model); the image is for a \(image.model)")
            }
            devices.append(id)
        }
        let now = clock.now()
        let audit = actor.record("firmware.rollout", target: "firmware-image:\(image.id)", details: [
            "model": image.model.description, "version": image.version.description, "devices": devices.map(\.value).joined(separator: ","),
        ], at: now)
        let rollout = try await store.createFirmwareRollout(image: image.id, devices: devices, by: actor.actor, at: now, audit: audit)
        for device in devices { await delivery.offer(to: device) }
        return rollout
    }

    /// A rollout with each target's reports and whether its device is connected now.
    public func detail(_ id: UInt64) async throws -> FirmwareRolloutDetail {
        guard let rollout = try await store.firmwareRollout(id: id) else { throw WorkflowRefusal.notFound("firmware rollout \(id) not found") }
        return try await detail(rollout, history: true)
    }

    public func list(limit: Int) async throws -> [FirmwareRolloutDetail] {
        var details: [FirmwareRolloutDetail] = []
        for rollout in try await store.firmwareRollouts(limit: limit) { details.append(try await detail(rollout, history: false)) }
        return details
    }

    private func detail(_ rollout: FirmwareRollout, history: Bool) async throws -> FirmwareRolloutDetail {
        let connected = Set(await hub.connectedDevices)
        var reports: [UInt64: [FirmwareStatusRecord]] = [:]
        if history {
            for target in rollout.targets { reports[target.id] = try await store.firmwareStatusHistory(target: target.id) }
        }
        return FirmwareRolloutDetail(rollout: rollout, connected: connected.intersection(rollout.targets.map(\.device)), history: reports)
    }
}

/// What the API shows of a rollout.
public struct FirmwareRolloutDetail: Sendable {
    public let rollout: FirmwareRollout
    /// The rollout's devices connected now.
    public let connected: Set<DeviceID>
    /// Each target's reports, by target id (empty in lists).
    public let history: [UInt64: [FirmwareStatusRecord]]
}
