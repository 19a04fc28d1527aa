import FirmwareSlots
import TestSupport
import Protocol
import SealSimulator

/// A seal provisioned with a test server key, and grants that key signs.
enum SealFixtures {
    static let serverKey = try! SigningKey(seed: Array(repeating: 0x5E, count: 32))
    static let otherKey = try! SigningKey(seed: Array(repeating: 0x66, count: 32))
    static let box = try! DeviceID("box-1")
    static let serial = try! ResourceID("seal-hq-1")
    static let alice = try! UserID("alice")
    static let application = try! ApplicationID("app-1")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let identity = SealIdentity(serial: serial, trustedKeys: TrustedKeys([TrustedKey(serverKey.publicKey)]), deviceID: box)

    static func grant(id: UInt64 = 1, uses: UInt32 = 3, key: SigningKey = serverKey, resource: ResourceID = serial,
                      device: DeviceID = box, lifetimeSeconds: Int64 = 600) -> [UInt8] {
        let claims = try! GrantClaims(
            grantID: GrantID(high: 0x5EA1, low: id), keyID: key.keyID, deviceID: device, subject: alice,
            resourceID: resource, resourceType: .seal, allowance: .seal(uses: uses), applicationID: application,
            issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: lifetimeSeconds)
        )
        return SignedGrant.sign(claims, with: key).wireBytes()
    }

    static func at(_ milliseconds: Int64) -> SealInstant {
        SealInstant(wall: t0.adding(milliseconds: milliseconds), uptimeMilliseconds: milliseconds)
    }
}

/// Drives a firmware the way the agent would: numbered commands, answers decoded.
struct FirmwareDriver {
    var firmware: SealFirmware
    var sequence: UInt16 = 0

    init(memory: SealMemory = SealMemory(), seed: UInt64 = 1, firmwareBank: FirmwareBank? = nil) {
        firmware = SealFirmware(identity: SealFixtures.identity, memory: memory, firmwareBank: firmwareBank, random: SplitMix64(seed: seed))
    }

    mutating func send(_ message: SealMessage, at ms: Int64 = 0, sequence explicit: UInt16? = nil) -> [SealFrame] {
        let number: UInt16
        if let explicit { number = explicit } else { sequence += 1; number = sequence }
        return firmware.receive(SealFrame(sequence: number, message: message).encode(), at: SealFixtures.at(ms))
    }

    mutating func nonce(at ms: Int64 = 0) -> SealNonce {
        guard case let .deviceInfo(info)? = send(.deviceInfoRequest, at: ms).first?.message else { fatalError("no device info") }
        return info.nonce
    }

    mutating func unlock(_ token: [UInt8], uses: UInt16, at ms: Int64 = 0) -> SealMessage? {
        let fresh = nonce(at: ms)
        return send(.unlock(try! SealUnlock(grantToken: token, uses: uses, nonce: fresh)), at: ms).first?.message
    }
}

extension SealMessage {
    var errorCode: SealErrorCode? {
        if case let .error(report) = self { return report.code }
        return nil
    }
}
