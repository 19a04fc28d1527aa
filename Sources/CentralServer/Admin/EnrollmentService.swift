import Foundation
import Protocol

/// Device enrolment (SPEC F1): a device presents a one-time token an administrator created and
/// its own Ed25519 public key (the private key never leaves the device); the server registers
/// it and answers with its id and the server's public keys.
public struct EnrollmentService: Sendable {
    public let store: any ServerStore
    public let grants: GrantService
    public let clock: any ServerClock

    public init(store: any ServerStore, grants: GrantService, clock: any ServerClock = SystemClock()) {
        self.store = store
        self.grants = grants
        self.clock = clock
    }

    public struct Request: Sendable {
        public var token: String
        public var deviceID: String
        /// The 32-byte Ed25519 public key, as 64 hex digits or as base64.
        public var publicKey: String
        public var model: String
        public var firmware: String
        /// The copiers and seals attached: `(id, "copier" | "seal")`. Nil means one copier whose
        /// resource id is the device id.
        public var resources: [(id: String, type: String)]?

        public init(token: String, deviceID: String, publicKey: String, model: String, firmware: String, resources: [(id: String, type: String)]? = nil) {
            self.token = token
            self.deviceID = deviceID
            self.publicKey = publicKey
            self.model = model
            self.firmware = firmware
            self.resources = resources
        }
    }

    public struct Result: Sendable {
        public let device: Device
        public let serverID: ServerID
        public let serverKeys: [PublishedServerKey]
    }

    public static let maximumResources = 16

    public func enroll(_ request: Request, source: String) async throws -> Result {
        try await AdminError.translating {
            guard request.token.utf8.count == 64, Hex.decode(request.token) != nil else {
                throw InputError(field: "token", "must be the 64 hex digits printed by `imprimatur-server device token`")
            }
            let deviceID = try InputRules.deviceID(request.deviceID)
            let key = try Self.publicKey(request.publicKey)
            let model = try Self.shortText(request.model, field: "model")
            let firmware = try Self.shortText(request.firmware, field: "firmware")
            let resources = try Self.resources(request.resources, deviceID: deviceID)
            let now = clock.now()
            let device = Device(
                id: deviceID, name: "", model: model, firmware: firmware, publicKey: key,
                enrolledAt: now, lastSeen: nil, state: .active, resources: resources
            )
            let enrolled = try await store.enroll(tokenHash: Secrets.tokenHash(request.token.lowercased()), device: device, now: now, source: source)
            return Result(device: enrolled, serverID: try await store.serverID(), serverKeys: try grants.publishedKeys(now: now))
        }
    }

    /// Hex (64 digits) or base64 (standard or URL alphabet) of exactly 32 bytes that make an
    /// Ed25519 public key.
    static func publicKey(_ text: String) throws(InputError) -> PublicKey {
        var bytes: [UInt8]?
        if text.utf8.count == 64 { bytes = Hex.decode(text) }
        if bytes == nil {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.utf8.count % 4 != 0 { base64.append("=") }
            bytes = Data(base64Encoded: base64).map(Array.init)
        }
        guard let bytes, bytes.count == PublicKey.byteCount else {
            throw InputError(field: "public_key", "must be the 32-byte Ed25519 public key as 64 hex digits or base64")
        }
        do { return try PublicKey(bytes: bytes) } catch { throw InputError(field: "public_key", "is not a valid Ed25519 public key") }
    }

    static func shortText(_ text: String, field: String) throws(InputError) -> String {
        guard (1...64).contains(text.count) else { throw InputError(field: field, text.isEmpty ? "must not be empty" : "must be at most 64 characters") }
        try InputRules.displayText(text, field: field)
        return text
    }

    static func resources(_ given: [(id: String, type: String)]?, deviceID: DeviceID) throws(InputError) -> [DeviceResource] {
        guard let given else {
            // Both alphabets are the identifier alphabet, so a device id is always a resource id.
            return [DeviceResource(id: try InputRules.resourceID(deviceID.value), type: .copier)]
        }
        guard (1...maximumResources).contains(given.count) else {
            throw InputError(field: "resources", "must list 1 to \(maximumResources) resources")
        }
        var resources: [DeviceResource] = []
        for (index, entry) in given.enumerated() {
            let id = try InputRules.resourceID(entry.id, field: "resources[\(index)].id")
            guard let type = ResourceType.allCases.first(where: { $0.description == entry.type }) else {
                throw InputError(field: "resources[\(index)].type", "must be copier or seal, got \"\(entry.type)\"")
            }
            guard !resources.contains(where: { $0.id == id }) else {
                throw InputError(field: "resources[\(index)].id", "\(id) is listed twice")
            }
            resources.append(DeviceResource(id: id, type: type))
        }
        return resources
    }
}
