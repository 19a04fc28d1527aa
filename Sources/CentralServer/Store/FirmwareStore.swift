import Protocol

/// A firmware image as read from its manifest, ready to store.
public struct NewFirmwareImage: Hashable, Sendable {
    public let model: ResourceType
    public let version: FirmwareVersion
    public let minimumVersion: FirmwareVersion?
    public let bytes: [UInt8]

    public init(model: ResourceType, version: FirmwareVersion, minimumVersion: FirmwareVersion?, bytes: [UInt8]) {
        self.model = model
        self.version = version
        self.minimumVersion = minimumVersion
        self.bytes = bytes
    }
}

/// The part of the store that keeps firmware images, rollouts and their per-device transfers
/// (SPEC F3). Each change a person makes writes its audit record in the same transaction.
public protocol FirmwareStore: Sendable {
    /// Stores an image; `StoreError.conflict` when one with the same SHA-256 is already held.
    func addFirmwareImage(_ image: NewFirmwareImage, by person: String, at: Timestamp, audit: AuditRecord) async throws -> FirmwareImageRecord
    /// Newest first.
    func firmwareImages(limit: Int) async throws -> [FirmwareImageRecord]
    func firmwareImage(id: UInt64) async throws -> FirmwareImageRecord?
    func firmwareImageBytes(id: UInt64) async throws -> [UInt8]?
    /// A rollout of image `image` to `devices`, each target queued.
    func createFirmwareRollout(image: UInt64, devices: [DeviceID], by person: String, at: Timestamp, audit: AuditRecord) async throws -> FirmwareRollout
    /// Newest first.
    func firmwareRollouts(limit: Int) async throws -> [FirmwareRollout]
    func firmwareRollout(id: UInt64) async throws -> FirmwareRollout?
    func firmwareTarget(id: UInt64) async throws -> FirmwareRolloutTarget?
    /// `device`'s targets not yet final, oldest first.
    func activeFirmwareTargets(device: DeviceID) async throws -> [FirmwareRolloutTarget]
    /// Devices with at least one target not final.
    func devicesWithActiveFirmware() async throws -> [DeviceID]
    /// Stores `target` if its stored state is still `expected` (else false and nothing
    /// written), with the agent's report, the device's new firmware version and an audit record.
    func saveFirmwareTarget(_ target: FirmwareRolloutTarget, expected: FirmwareRolloutTarget, status: FirmwareStatusRecord?, deviceFirmware: String?,
                            audit: AuditRecord?) async throws -> Bool
    /// The reports for `target`, oldest first.
    func firmwareStatusHistory(target: UInt64) async throws -> [FirmwareStatusRecord]
}
