import Protocol

/// The agent's side of the uplink handshake as pure steps (docs/protocol-uplink.md, "Session"):
/// hello → challenge → proof → result. No I/O: the client feeds it frames and sends what it says.
public struct UplinkHandshake: Sendable {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case unexpected(UplinkMessageType, expected: String)
        case refused(UplinkMessage.Refusal)
        case serverError(String)

        public var description: String {
            switch self {
            case let .unexpected(type, expected): return "the server sent \(type) where \(expected) was expected"
            case let .refused(refusal): return "the server refused this device: \(refusal.reason) \(refusal.text)"
            case let .serverError(text): return "the server reported an error: \(text)"
            }
        }
    }

    public let deviceID: DeviceID
    public let deviceKey: SigningKey

    public init(deviceID: DeviceID, deviceKey: SigningKey) {
        self.deviceID = deviceID
        self.deviceKey = deviceKey
    }

    public func hello(lastEventSequence: UInt64?, trustedKeyIDs: [KeyID]) throws(WireError) -> UplinkFrame {
        UplinkFrame(.hello(try UplinkMessage.Hello(
            deviceID: deviceID, agentVersion: ImprimaturVersion.string,
            supportedVersions: [ImprimaturVersion.protocolVersion], lastEventSequence: lastEventSequence,
            trustedKeyIDs: Array(Set(trustedKeyIDs)).sorted()
        )))
    }

    /// The proof for the server's challenge.
    public func answer(_ frame: UplinkFrame) throws(Failure) -> (proof: UplinkFrame, serverID: ServerID, serverTime: Timestamp) {
        switch frame.message {
        case let .challenge(challenge):
            let proof = DeviceAuthentication.proof(nonce: challenge.nonce, deviceID: deviceID, serverID: challenge.serverID, key: deviceKey)
            return (UplinkFrame(.authProof(proof)), challenge.serverID, challenge.serverTime)
        case let .error(error):
            throw .serverError(error.text)
        default:
            throw .unexpected(frame.message.type, expected: "a challenge")
        }
    }

    /// The sequence the server already holds for this device (nil: none), once it accepts us.
    public func result(_ frame: UplinkFrame) throws(Failure) -> UInt64? {
        switch frame.message {
        case let .authResult(.accepted(lastSequenceHeld)):
            return lastSequenceHeld
        case let .authResult(.refused(refusal)):
            throw .refused(refusal)
        case let .error(error):
            throw .serverError(error.text)
        default:
            throw .unexpected(frame.message.type, expected: "an authentication result")
        }
    }
}
