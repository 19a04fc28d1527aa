import Foundation

/// A signed audit head as a JSON file, the form agents hand out (`imprimatur-agent audit-head`)
/// and auditors download (`GET /api/v1/audit/head`), for `imprimatur-server audit verify
/// --against FILE`:
///
///     {"format":"imprimatur-audit-head-v1","sequence":42,"hash":"<64 hex>",
///      "signed_at":"2026-12-07T15:00:00.000Z","signed_at_ms":1796655600000,
///      "key_id":"<16 hex>","token":"<hex of the signed token>"}
///
/// The token is what is checked; the other fields are for people reading the file, and a file
/// whose readable fields disagree with its token is refused rather than half-believed.
public struct AuditAnchorFile: Codable, Hashable, Sendable {
    public var format: String
    public var sequence: UInt64
    public var hash: String
    public var signedAt: String
    public var signedAtMilliseconds: Int64
    public var keyID: String
    public var token: String

    enum CodingKeys: String, CodingKey {
        case format, sequence, hash, token
        case signedAt = "signed_at"
        case signedAtMilliseconds = "signed_at_ms"
        case keyID = "key_id"
    }

    public init(_ signed: SignedAuditHead) {
        let head = signed.head
        format = AuditHead.signatureLabel
        sequence = head.sequence
        hash = head.hash.hex
        signedAtMilliseconds = head.signedAt.millisecondsSinceEpoch
        signedAt = Self.isoText(head.signedAt)
        keyID = head.keyID.description
        token = Hex.encode(signed.wireBytes())
    }

    /// Sorted keys, so one head has one file.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain strings and integers cannot fail.
        return try! encoder.encode(self)
    }

    /// Reads a file and decodes its token; signature not checked yet (`SignedAuditHead.verify`).
    public static func decode(_ data: Data) throws(AuditAnchorFileError) -> SignedAuditHead {
        let file: AuditAnchorFile
        do { file = try JSONDecoder().decode(AuditAnchorFile.self, from: data) } catch { throw .notJSON("\(error)") }
        guard file.format == AuditHead.signatureLabel else { throw .unknownFormat(file.format) }
        guard let bytes = Hex.decode(file.token) else { throw .notJSON("token is not hex") }
        let signed: SignedAuditHead
        do { signed = try SignedAuditHead.decode(bytes) } catch { throw .badToken(error) }
        let head = signed.head
        let mismatches = [
            ("sequence", file.sequence == head.sequence),
            ("hash", file.hash.lowercased() == head.hash.hex),
            ("signed_at_ms", file.signedAtMilliseconds == head.signedAt.millisecondsSinceEpoch),
            ("key_id", file.keyID.lowercased() == head.keyID.description),
        ].filter { !$0.1 }.map(\.0)
        guard mismatches.isEmpty else { throw .fieldsDisagree(mismatches) }
        return signed
    }

    public static func isoText(_ time: Timestamp) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000))
    }
}

public enum AuditAnchorFileError: Error, Hashable, Sendable, CustomStringConvertible {
    case notJSON(String)
    case unknownFormat(String)
    case badToken(AuditHeadError)
    /// The readable fields named do not say what the signed token says.
    case fieldsDisagree([String])

    public var description: String {
        switch self {
        case let .notJSON(detail): return "not an audit head file: \(detail)"
        case let .unknownFormat(format): return "unknown format \"\(format)\" (expected \(AuditHead.signatureLabel))"
        case let .badToken(error): return "token: \(error)"
        case let .fieldsDisagree(fields): return "the file's \(fields.joined(separator: ", ")) disagree with its signed token (edited by hand?)"
        }
    }
}
