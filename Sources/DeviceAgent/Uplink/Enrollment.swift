import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Protocol

/// Enrolment (SPEC F1): the agent sends its device id and public key with the one-time token an
/// administrator made; the server answers with its grant-verification keys, which the agent
/// stores as the only keys it trusts. The private key never leaves the box.
public enum Enrollment {
    public struct Result: Sendable, Equatable {
        public let deviceID: String
        public let serverID: String
        public let serverKeys: [TrustedKey]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    struct Answer: Decodable {
        struct Key: Decodable {
            let publicKey: String
            let validUntilMilliseconds: Int64?
            enum CodingKeys: String, CodingKey {
                case publicKey = "public_key"
                case validUntilMilliseconds = "valid_until_ms"
            }
        }
        let deviceID: String
        let serverID: String
        let serverKeys: [Key]
        enum CodingKeys: String, CodingKey {
            case deviceID = "device_id"
            case serverID = "server_id"
            case serverKeys = "server_keys"
        }
    }

    /// `POST <server>/api/v1/enroll`. `server` is the server's base URL (http:// on loopback only,
    /// else https:// verified against `caFile` when given).
    public static func enroll(
        server: String, token: String, deviceID: DeviceID, publicKey: PublicKey, model: String, firmware: String,
        resources: [(id: ResourceID, type: ResourceType)], caFile: String?
    ) async throws -> Result {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        defer { Task { try? await client.shutdown() } }
        let body: [String: Any] = [
            "token": token, "device_id": deviceID.value, "public_key": Hex.encode(publicKey.bytes), "model": model,
            "firmware": firmware,
            "resources": resources.map { ["id": $0.id.value, "type": $0.type == .copier ? "copier" : "seal"] },
        ]
        var request = HTTPClientRequest(url: server.trimmingSuffix("/") + "/api/v1/enroll")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: bytes)
        guard response.status == .created || response.status == .ok else {
            throw Failure(description: "the server refused the enrolment (\(response.status.code)): \(text)")
        }
        let answer: Answer
        do { answer = try JSONDecoder().decode(Answer.self, from: Data(text.utf8)) } catch {
            throw Failure(description: "the server's answer is not an enrolment: \(error)")
        }
        let keys = try answer.serverKeys.map { key -> TrustedKey in
            guard let raw = Hex.decode(key.publicKey), let publicKey = try? PublicKey(bytes: raw) else {
                throw Failure(description: "the server sent a key that is not an Ed25519 public key")
            }
            return TrustedKey(publicKey, validUntil: key.validUntilMilliseconds.map { Timestamp(millisecondsSinceEpoch: $0) })
        }
        guard !keys.isEmpty else { throw Failure(description: "the server sent no keys") }
        return Result(deviceID: answer.deviceID, serverID: answer.serverID, serverKeys: keys)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
