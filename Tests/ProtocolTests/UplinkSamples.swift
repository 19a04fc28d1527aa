import Testing
@testable import Protocol

/// One frame of every message type (and the variants of the enums inside them), built from
/// fixed keys and values so their bytes never change; shared by the round-trip tests, the
/// streaming tests and the fuzz corpus.
struct UplinkSample: Sendable, CustomTestStringConvertible {
    let name: String
    let frame: UplinkFrame

    var testDescription: String { name }
}

enum UplinkSamples {
    static let deviceKey = try! SigningKey(seed: [UInt8](repeating: 0x11, count: 32))
    static let serverKey = try! SigningKey(seed: [UInt8](repeating: 0x22, count: 32))
    static let rotatedServerKey = try! SigningKey(seed: [UInt8](repeating: 0x33, count: 32))
    static let deviceID = try! DeviceID("copier-1")
    static let serverID = try! ServerID("imprimatur.example.com")
    static let nonce = try! UplinkMessage.AuthNonce(bytes: (0..<32).map { UInt8($0) })
    static let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let hashA = Hash32.sha256(Array("photo".utf8))
    static let hashB = Hash32.sha256(Array("root".utf8))

    static let all: [UplinkSample] = try! build()

    private static func build() throws -> [UplinkSample] {
        typealias M = UplinkMessage
        let push = { (name: String, message: M) in UplinkSample(name: name, frame: UplinkFrame(message)) }
        let request = { (name: String, id: UInt32, message: M) in
            UplinkSample(name: name, frame: UplinkFrame(message, requestID: id))
        }
        let response = { (name: String, id: UInt32, message: M) throws(UplinkDecodeError) in
            UplinkSample(name: name, frame: try UplinkFrame.response(message, to: id))
        }
        let card = try M.CardNumber("04A2B3C4")
        let pin = try M.PIN("1234")
        return [
            push("hello", .hello(try M.Hello(
                deviceID: deviceID, agentVersion: "0.1.0", supportedVersions: [1],
                lastEventSequence: 41, trustedKeyIDs: [serverKey.keyID, rotatedServerKey.keyID]
            ))),
            push("hello-first-start", .hello(try M.Hello(
                deviceID: deviceID, agentVersion: "0.1.0", lastEventSequence: nil, trustedKeyIDs: []
            ))),
            push("challenge", .challenge(M.Challenge(nonce: nonce, serverTime: time, serverID: serverID))),
            push("auth-proof", .authProof(DeviceAuthentication.proof(nonce: nonce, deviceID: deviceID, serverID: serverID, key: deviceKey))),
            push("auth-accepted", .authResult(.accepted(lastSequenceHeld: 37))),
            push("auth-accepted-nothing-held", .authResult(.accepted(lastSequenceHeld: nil))),
            push("auth-refused", .authResult(.refused(try M.Refusal(reason: .authenticationFailed, text: "proof did not verify")))),
            request("grant-request-card", 7, .grantRequest(try M.GrantRequest(
                credential: .card(card, pin: pin), resourceID: try ResourceID("copier-1"), resourceType: .copier, deviceTime: time
            ))),
            request("grant-request-card-no-pin", 8, .grantRequest(try M.GrantRequest(
                credential: .card(card, pin: nil), resourceID: try ResourceID("copier-1"), resourceType: .copier, deviceTime: time
            ))),
            request("grant-request-seal", 9, .grantRequest(try M.GrantRequest(
                credential: .user(try UserID("alice"), pin: pin), resourceID: try ResourceID("seal-hq"), resourceType: .seal,
                applicationID: try ApplicationID("app-2024-0042"), deviceTime: time
            ))),
            try response("grant", 7, .grant(try M.Grant(accessGrant: [0xa1, 0xa2, 0xa3], limitGrant: [0xb1, 0xb2]))),
            try response("grant-no-limit", 9, .grant(try M.Grant(accessGrant: [0xa1]))),
            try response("refusal", 7, .refusal(try M.Refusal(reason: .wrongPIN, text: "Wrong PIN"))),
            push("limit-update", .limitUpdate(try M.LimitUpdate(limitGrants: [[0x01, 0x02], [0x03]]))),
            push("revocation-list", .revocationList(try M.RevocationList(token: [0xde, 0xad, 0xbe, 0xef]))),
            push("server-keys", .serverKeys(try M.ServerKeys(keys: [
                M.ServerKey(publicKey: serverKey.publicKey, validUntil: time.adding(seconds: 86_400)),
                M.ServerKey(publicKey: rotatedServerKey.publicKey, validUntil: time.adding(seconds: 30 * 86_400)),
            ]))),
            push("event-batch", .eventBatch(try M.EventBatch(firstSequence: 38, events: [[0x01, 0x02, 0x03], [0x04], [0x05, 0x06]]))),
            push("ack", .ack(M.Ack(sequence: 40))),
            push("checkpoint", .checkpoint(try M.Checkpoint(token: [0xc0, 0xc1, 0xc2]))),
            request("usage-hash-query", 21, .usageHashQuery(try M.UsageHashQuery(
                queryID: 5, accountID: try AccountID("acct-7"), periodStart: time, periodEnd: time.adding(seconds: 2_592_000)
            ))),
            try response("usage-hash-answer", 21, .usageHashAnswer(M.UsageHashAnswer(
                queryID: 5, entryCount: 12, usageHash: hashA, treeSize: 40, treeRoot: hashB, verifiedUnaltered: true
            ))),
            request("audit-head-request", 22, .auditHeadRequest(M.AuditHeadRequest(heldSequence: 41))),
            request("audit-head-request-none", 23, .auditHeadRequest(M.AuditHeadRequest(heldSequence: nil))),
            try response("audit-head", 22, .auditHead(try M.AuditHeadAnswer(token: [0xa0, 0xa1, 0xa2]))),
            try response("audit-head-none", 23, .auditHead(try M.AuditHeadAnswer(token: nil))),
            request("blob-offer", 30, .blobOffer(try M.BlobOffer(hash: hashA, totalSize: 100_000, mediaType: try MediaType("image/jpeg")))),
            try response("blob-status-receiving", 30, .blobStatus(try M.BlobStatus(hash: hashA, state: .receiving(bytesHeld: 65_536)))),
            push("blob-status-complete", .blobStatus(try M.BlobStatus(hash: hashA, state: .complete))),
            push("blob-chunk", .blobChunk(try M.BlobChunk(hash: hashA, offset: 65_536, data: [0xff, 0xd8, 0xff, 0xe0]))),
            push("firmware-offer", .firmwareOffer(try M.FirmwareOffer(
                deviceKind: .seal, version: FirmwareVersion(major: 1, minor: 4, patch: 2), imageSize: 262_144, imageHash: hashB, imageID: 99
            ))),
            push("firmware-chunk", .firmwareChunk(try M.FirmwareChunk(imageID: 99, offset: 0, data: [0x7f, 0x45, 0x4c, 0x46]))),
            push("firmware-status", .firmwareStatus(try M.FirmwareStatus(imageID: 99, state: .trial, bytesReceived: 262_144, message: "booted 1.4.2"))),
            push("part-offer", .partOffer(try M.PartOffer(partID: "split-sj-0a1b2c-1", copies: 2, colour: true, paper: .a4, impressions: 8, pdfSize: 700_000, pdfHash: hashA))),
            push("part-chunk", .partChunk(try M.PartChunk(partID: "split-sj-0a1b2c-1", offset: 524_288, data: [0x25, 0x50, 0x44, 0x46]))),
            push("part-done-printed", .partDone(try M.PartDone(partID: "split-sj-0a1b2c-1", pdfHash: hashA, outcome: .printed(copierJobSequence: 17, impressions: 8)))),
            push("part-done-not-printed", .partDone(try M.PartDone(partID: "split-sj-0a1b2c-2", pdfHash: hashB, outcome: .notPrinted("refused paper: no A3 tray")))),
            request("ping", 3, .ping(M.Ping(nonce: 0x0123_4567_89ab_cdef, senderTime: time))),
            try response("pong", 3, .pong(M.Pong(nonce: 0x0123_4567_89ab_cdef, senderTime: time.adding(milliseconds: 12)))),
            push("error", .error(try M.ProtocolError(code: .malformedFrame, text: "bad frame magic 0x47 0x45"))),
        ]
    }
}
