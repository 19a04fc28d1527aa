/// Why a device's last firmware step did not go as asked, as one number: the copier reports it
/// in input 1007, the seal in its firmware status frame. The refusal codes (1-9) are the
/// `FirmwareRefusal` cases; the agent rebuilds the full refusal from the code, the image it
/// sent and the versions in the same status (`FirmwareSlotStatus.refusal(for:)`).
public enum FirmwareResultCode: UInt16, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case none = 0
    case malformed = 1
    case unsigned = 2
    case unknownVendorKey = 3
    case badSignature = 4
    case hashMismatch = 5
    case wrongModel = 6
    case belowMinimumVersion = 7
    case notNewer = 8
    case runningTooOld = 9
    /// A session is unlocked: the device does not take firmware while it is in use.
    case sessionActive = 20
    /// Install was asked before all the image's bytes arrived.
    case incomplete = 21
    /// A trial image is running: confirm it (or let it roll back) before the next flash.
    case trialPending = 22
    /// A chunk did not start at the bytes received so far; the status says where to go on.
    case unexpectedOffset = 23
    /// A chunk, install or confirm without a transfer begun for that image id.
    case noTransfer = 24
    /// The announced image size is 0 or over the largest image.
    case badSize = 25
    /// Confirm was asked but no trial image runs.
    case notOnTrial = 26
    /// The trial image was not confirmed in time and the device went back to its working image.
    case trialTimedOut = 27
    /// The trial image was booted the allowed number of times without being confirmed.
    case trialBootsExhausted = 28
    /// The trial slot's image failed its check at boot; the device went back to its working image.
    case slotImageBroken = 29
    /// A control write the device does not understand (unknown command, bad chunk length).
    case badRequest = 30

    public init(_ refusal: FirmwareRefusal) {
        switch refusal {
        case .malformed: self = .malformed
        case .unsigned: self = .unsigned
        case .unknownVendorKey: self = .unknownVendorKey
        case .badSignature: self = .badSignature
        case .hashMismatch: self = .hashMismatch
        case .wrongModel: self = .wrongModel
        case .belowMinimumVersion: self = .belowMinimumVersion
        case .notNewer: self = .notNewer
        case .runningTooOld: self = .runningTooOld
        }
    }

    /// True for the codes that say the device refused the image itself (1-9).
    public var isRefusal: Bool { (1...9).contains(rawValue) }

    public var description: String {
        switch self {
        case .none: return "none"
        case .malformed: return "malformed image"
        case .unsigned: return "unsigned image"
        case .unknownVendorKey: return "unknown vendor key"
        case .badSignature: return "bad signature"
        case .hashMismatch: return "payload hash mismatch"
        case .wrongModel: return "image for another model"
        case .belowMinimumVersion: return "below the minimum version"
        case .notNewer: return "not newer than the running version"
        case .runningTooOld: return "running version too old for this image"
        case .sessionActive: return "a session is unlocked"
        case .incomplete: return "the image is incomplete"
        case .trialPending: return "a trial image is running"
        case .unexpectedOffset: return "chunk at an unexpected offset"
        case .noTransfer: return "no transfer for this image"
        case .badSize: return "bad image size"
        case .notOnTrial: return "no trial image to confirm"
        case .trialTimedOut: return "the trial image was not confirmed in time"
        case .trialBootsExhausted: return "the trial image used up its boots without being confirmed"
        case .slotImageBroken: return "the trial slot's image is broken"
        case .badRequest: return "bad firmware request"
        }
    }
}

extension FirmwareResultCode: WireEnum {
    public static let wireField = "firmware result code"
}
