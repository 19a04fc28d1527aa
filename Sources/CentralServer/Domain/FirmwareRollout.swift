import Protocol

/// Where one device stands in a firmware rollout, as the server knows it from what it sent and
/// what the agent reported (`firmwareStatus`, docs/protocol-uplink.md).
public enum FirmwareTargetState: String, CaseIterable, Hashable, Sendable {
    /// Waiting to be offered (the device is offline, or busy with an earlier rollout).
    case queued
    /// Offered; chunks are going out (`bytesSent`) and arriving (`bytesReceived`).
    case sending
    case verifying
    case installed
    case trial
    case confirmed
    case rolledBack = "rolled_back"
    case failed

    /// Confirmed, rolled back or failed: nothing more happens to this target.
    public var isFinal: Bool { self == .confirmed || self == .rolledBack || self == .failed }

    /// Order of the steps; a report never moves a target back (except `receiving`, see the flow).
    var rank: Int {
        switch self {
        case .queued: return 0
        case .sending: return 1
        case .verifying: return 2
        case .installed: return 3
        case .trial: return 4
        case .confirmed, .rolledBack, .failed: return 5
        }
    }

    init(_ reported: UplinkMessage.FirmwareState) {
        switch reported {
        case .receiving: self = .sending
        case .verifying: self = .verifying
        case .installed: self = .installed
        case .trial: self = .trial
        case .confirmed: self = .confirmed
        case .rolledBack: self = .rolledBack
        case .failed: self = .failed
        }
    }
}

/// One device in a rollout. Its `id` is the `imageID` of the transfer on the uplink, so a
/// second rollout of the same image to the same device is a new transfer on the agent too.
public struct FirmwareRolloutTarget: Hashable, Sendable {
    public let id: UInt64
    public let rolloutID: UInt64
    public let device: DeviceID
    public let imageSize: UInt64
    public var state: FirmwareTargetState
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    /// The agent's last detail (the reason, when failed or rolled back).
    public var message: String
    public var updated: Timestamp

    public init(id: UInt64, rolloutID: UInt64, device: DeviceID, imageSize: UInt64, state: FirmwareTargetState = .queued,
                bytesSent: UInt64 = 0, bytesReceived: UInt64 = 0, message: String = "", updated: Timestamp) {
        self.id = id
        self.rolloutID = rolloutID
        self.device = device
        self.imageSize = imageSize
        self.state = state
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.message = message
        self.updated = updated
    }
}

/// A stored firmware image: the bytes as uploaded (manifest, payload and vendor signature) and
/// what the server read from its manifest.
public struct FirmwareImageRecord: Hashable, Sendable {
    public let id: UInt64
    public let model: ResourceType
    public let version: FirmwareVersion
    public let minimumVersion: FirmwareVersion?
    public let size: UInt64
    public let sha256: Hash32
    public let uploaded: Timestamp
    public let uploadedBy: String

    public init(id: UInt64, model: ResourceType, version: FirmwareVersion, minimumVersion: FirmwareVersion?, size: UInt64, sha256: Hash32,
                uploaded: Timestamp, uploadedBy: String) {
        self.id = id
        self.model = model
        self.version = version
        self.minimumVersion = minimumVersion
        self.size = size
        self.sha256 = sha256
        self.uploaded = uploaded
        self.uploadedBy = uploadedBy
    }
}

/// A rollout: one image to chosen devices, started by a person.
public struct FirmwareRollout: Hashable, Sendable {
    public let id: UInt64
    public let image: FirmwareImageRecord
    public let created: Timestamp
    public let createdBy: String
    public var targets: [FirmwareRolloutTarget]

    public init(id: UInt64, image: FirmwareImageRecord, created: Timestamp, createdBy: String, targets: [FirmwareRolloutTarget]) {
        self.id = id
        self.image = image
        self.created = created
        self.createdBy = createdBy
        self.targets = targets
    }

    /// Every target final.
    public var isFinished: Bool { targets.allSatisfy(\.state.isFinal) }
}

/// One `firmwareStatus` as received, kept for the rollout's history.
public struct FirmwareStatusRecord: Hashable, Sendable {
    public let targetID: UInt64
    public let at: Timestamp
    public let state: UplinkMessage.FirmwareState
    public let bytesReceived: UInt64
    public let message: String

    public init(targetID: UInt64, at: Timestamp, state: UplinkMessage.FirmwareState, bytesReceived: UInt64, message: String) {
        self.targetID = targetID
        self.at = at
        self.state = state
        self.bytesReceived = bytesReceived
        self.message = message
    }
}
