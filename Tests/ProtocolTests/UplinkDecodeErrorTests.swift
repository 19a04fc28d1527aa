import Testing
@testable import Protocol

/// A frame header followed by `payload`, written by hand so that every field can be wrong.
func uplinkFrameBytes(
    type: UInt8, payload: [UInt8], flags: UInt8 = 0, requestID: UInt32 = 0,
    magic: [UInt8] = [0x49, 0x4d], version: UInt8 = 1, length: UInt32? = nil
) -> [UInt8] {
    var writer = ByteWriter()
    writer.raw(magic)
    writer.u8(version)
    writer.u8(type)
    writer.u8(flags)
    writer.u32(requestID)
    writer.u32(length ?? UInt32(payload.count))
    writer.raw(payload)
    return writer.bytes
}

@Suite("Uplink decode errors")
struct UplinkDecodeErrorTests {
    /// Feeds `bytes` to a fresh decoder and returns what `next()` threw.
    private func decodeError(_ bytes: [UInt8], maximumFrameSize: Int = UplinkLimits.defaultMaximumFrameSize) -> UplinkDecodeError? {
        var decoder = UplinkFrameDecoder(maximumFrameSize: maximumFrameSize)
        decoder.append(bytes)
        do {
            _ = try decoder.next()
            return nil
        } catch {
            return error
        }
    }

    private func payloadError(_ type: UplinkMessageType, _ payload: [UInt8]) -> UplinkDecodeError? {
        decodeError(uplinkFrameBytes(type: type.rawValue, payload: payload))
    }

    // MARK: header

    @Test func badMagicShowsTheBytes() {
        let error = decodeError(Array("GET / HTTP/1.1\r\n".utf8))
        #expect(error == .badMagic([0x47, 0x45]))
        #expect(error?.description == "bad frame magic 0x47 0x45 (\"GE\"), expected 0x49 0x4d (\"IM\")")
        #expect(decodeError([0x16, 0x03]) == .badMagic([0x16, 0x03]))
        #expect(UplinkDecodeError.badMagic([0x16, 0x03]).description.hasPrefix("bad frame magic 0x16 0x03,"))
    }

    @Test func unsupportedVersionIsRefusedFromItsByte() {
        let error = decodeError([0x49, 0x4d, 0x02])
        #expect(error == .unsupportedVersion(2))
        #expect(error?.description.contains("version 2") == true)
        #expect(decodeError([0x49, 0x4d, 0x00]) == .unsupportedVersion(0))
    }

    @Test func unknownMessageTypeIsRefused() {
        let error = decodeError([0x49, 0x4d, 0x01, 0x99])
        #expect(error == .unknownMessageType(0x99))
        #expect(error?.description == "unknown message type 0x99 (153)")
        #expect(decodeError([0x49, 0x4d, 0x01, 0x00]) == .unknownMessageType(0))
    }

    @Test(arguments: [0x02, 0x04, 0x80, 0xff, 0x03] as [UInt8])
    func reservedFlagBitsAreRefused(_ flags: UInt8) {
        let error = decodeError(uplinkFrameBytes(type: 0x21, payload: [0, 0, 0, 0, 0, 0, 0, 1], flags: flags, requestID: 1))
        #expect(error == .reservedFlags(flags))
        #expect(error?.description.contains("0x" + Hex.encode([flags])) == true)
    }

    @Test func responseMustNameARequest() {
        let error = decodeError(uplinkFrameBytes(type: 0x21, payload: [0, 0, 0, 0, 0, 0, 0, 1], flags: 1, requestID: 0))
        #expect(error == .responseWithoutRequestID)
        #expect(throws: UplinkDecodeError.responseWithoutRequestID) {
            try UplinkFrame.response(.ack(.init(sequence: 1)), to: 0)
        }
    }

    @Test func frameTooLargeIsRefusedFromTheHeaderAlone() {
        // 13 bytes, no payload at all: the announced length is enough to refuse.
        let header = uplinkFrameBytes(type: 0x14, payload: [], length: 0xffff_ffff)
        #expect(header.count == 13)
        let error = decodeError(header)
        #expect(error == .frameTooLarge(size: 13 + 0xffff_ffff, maximum: UplinkLimits.defaultMaximumFrameSize))
        #expect(error?.description == "frame too large: the header announces 4294967308 bytes (header and payload), the maximum is 2097152")
        #expect(decodeError(uplinkFrameBytes(type: 0x21, payload: [], length: 88), maximumFrameSize: 100) == .frameTooLarge(size: 101, maximum: 100))
        #expect(decodeError(uplinkFrameBytes(type: 0x21, payload: [], length: 87), maximumFrameSize: 100) == nil)
    }

    // MARK: payload

    @Test func truncatedPayloadFieldIsNamed() {
        let error = payloadError(.ack, [0, 0, 0, 1])
        #expect(error == .payload(.ack, .truncated(field: "acknowledged sequence", needed: 4, available: 4)))
        #expect(error?.description == "invalid ack payload: truncated acknowledged sequence: needed 4 more byte(s), 4 left")
        #expect(payloadError(.challenge, [UInt8](repeating: 0, count: 32) + [0, 0, 0]) ==
            .payload(.challenge, .truncated(field: "server time", needed: 5, available: 3)))
    }

    @Test func lengthBeyondThePayloadIsTruncation() {
        // A revocation list announcing 100 bytes inside a payload that holds 2 of them.
        #expect(payloadError(.revocationList, [0, 0, 0, 100, 0xaa, 0xbb]) ==
            .payload(.revocationList, .truncated(field: "revocation list", needed: 98, available: 2)))
    }

    @Test func overLongFieldIsRefusedBeforeReading() {
        var writer = ByteWriter()
        writer.u16(2)
        writer.u16(1025)
        let error = payloadError(.refusal, writer.bytes)
        #expect(error == .payload(.refusal, .tooLong(field: "refusal text", length: 1025, limit: 1024)))
        #expect(error?.description == "invalid refusal payload: refusal text too long: 1025 exceeds the limit of 1024")
        #expect(payloadError(.revocationList, [0x00, 0x10, 0x00, 0x01]) ==
            .payload(.revocationList, .tooLong(field: "revocation list", length: (1 << 20) + 1, limit: 1 << 20)))
        #expect(payloadError(.eventBatch, [0, 0, 0, 0, 0, 0, 0, 1, 0x27, 0x11]) ==
            .payload(.eventBatch, .tooLong(field: "events", length: 10_001, limit: 10_000)))
    }

    @Test func unknownTagInsideAPayloadIsRefused() {
        let credentialTag3: [UInt8] = [3]
        #expect(payloadError(.grantRequest, credentialTag3) == .payload(.grantRequest, .unknownTag(field: "credential", tag: 3)))
        #expect(payloadError(.refusal, [0x03, 0xe7, 0, 0]) == .payload(.refusal, .unknownTag(field: "refusal reason", tag: 999)))
        #expect(payloadError(.error, [0, 0, 0, 0]) == .payload(.error, .unknownTag(field: "error code", tag: 0)))
        #expect(payloadError(.authResult, [0]) == .payload(.authResult, .unknownTag(field: "auth result", tag: 0)))
        let description = payloadError(.grantRequest, credentialTag3)?.description
        #expect(description == "invalid grantRequest payload: unknown credential tag 3")
    }

    @Test func trailingBytesInAPayloadAreRefused() {
        let error = payloadError(.ack, [0, 0, 0, 0, 0, 0, 0, 1, 0xee])
        #expect(error == .payload(.ack, .trailingBytes(count: 1)))
        #expect(error?.description == "invalid ack payload: 1 trailing byte(s) after a complete value")
    }

    @Test func invalidUTF8IsRefused() {
        let error = payloadError(.refusal, [0, 2, 0, 2, 0xc3, 0x28])
        #expect(error == .payload(.refusal, .invalidUTF8(field: "refusal text")))
        #expect(error?.description == "invalid refusal payload: refusal text is not valid UTF-8")
    }

    @Test func nonCanonicalBoolIsRefused() {
        var answer = UplinkMessage.usageHashAnswer(.init(
            queryID: 1, entryCount: 1, usageHash: .zero, treeSize: 1, treeRoot: .zero, verifiedUnaltered: true
        )).payloadBytes()
        answer[answer.count - 1] = 2
        #expect(payloadError(.usageHashAnswer, answer) ==
            .payload(.usageHashAnswer, .invalidValue(field: "verified unaltered", reason: "a bool must be 0 or 1, got 2")))
        // An optional's presence byte is a bool too: auth accepted, presence 2.
        #expect(payloadError(.authResult, [1, 2]) ==
            .payload(.authResult, .invalidValue(field: "last sequence held presence", reason: "a bool must be 0 or 1, got 2")))
    }

    // MARK: values that are well-formed bytes but not allowed

    @Test func nonCanonicalSetsAreRefused() throws {
        var hello = ByteWriter()
        hello.encode(UplinkSamples.deviceID)
        hello.string("1", .u8)
        hello.bytes([2, 1] as [UInt8], .u8)
        hello.u8(0)
        hello.u8(0)
        #expect(payloadError(.hello, hello.bytes) == .payload(.hello, .invalidValue(
            field: "supported versions", reason: "must be strictly ascending (sorted, no duplicates); entry 1 is not"
        )))
        #expect(throws: WireError.self) {
            try UplinkMessage.ServerKeys(keys: [
                .init(publicKey: UplinkSamples.serverKey.publicKey, validUntil: UplinkSamples.time),
                .init(publicKey: UplinkSamples.serverKey.publicKey, validUntil: UplinkSamples.time),
            ])
        }
    }

    @Test func serverKeyIDMustNameItsKey() {
        var writer = ByteWriter()
        writer.u8(1)
        writer.encode(UplinkSamples.rotatedServerKey.keyID)
        writer.encode(UplinkSamples.serverKey.publicKey)
        writer.encode(UplinkSamples.time)
        guard case let .payload(type, .invalidValue(field, _)) = payloadError(.serverKeys, writer.bytes) else {
            Issue.record("expected an invalid key id")
            return
        }
        #expect(type == .serverKeys)
        #expect(field == "key id")
    }

    @Test func negativeTimestampIsRefusedByName() {
        let payload = [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xff, count: 8)
        #expect(payloadError(.ping, payload) == .payload(.ping, .invalidValue(field: "sender time", reason: "negative timestamp (-1)")))
    }

    @Test func constructorsRefuseValuesTheDecoderWouldRefuse() throws {
        typealias M = UplinkMessage
        let resource = try ResourceID("copier-1")
        #expect(throws: WireError.invalidValue(field: "application id", reason: "only a seal request names an application")) {
            try M.GrantRequest(
                credential: .card(try .init("1"), pin: nil), resourceID: resource, resourceType: .copier,
                applicationID: try ApplicationID("app-1"), deviceTime: UplinkSamples.time
            )
        }
        #expect(throws: WireError.tooLong(field: "card number", length: 65, limit: 64)) { try M.CardNumber(String(repeating: "1", count: 65)) }
        #expect(throws: WireError.tooLong(field: "PIN", length: 17, limit: 16)) { try M.PIN(String(repeating: "1", count: 17)) }
        #expect(throws: WireError.self) { try M.PIN("12 4") }
        #expect(throws: WireError.self) { try M.PIN("") }
        #expect(throws: WireError.self) { try MediaType("Image/JPEG") }
        #expect(throws: WireError.self) { try MediaType("image") }
        #expect(throws: WireError.self) { try MediaType("image/jpeg/x") }
        #expect(throws: WireError.self) { try M.Grant(accessGrant: []) }
        #expect(throws: WireError.self) { try M.Grant(accessGrant: [UInt8](repeating: 0, count: 4097)) }
        #expect(throws: WireError.self) { try M.LimitUpdate(limitGrants: []) }
        #expect(throws: WireError.self) { try M.LimitUpdate(limitGrants: [[UInt8]](repeating: [1], count: 4097)) }
        #expect(throws: WireError.self) { try M.EventBatch(firstSequence: 0, events: []) }
        #expect(throws: WireError.self) { try M.EventBatch(firstSequence: .max, events: [[1], [2]]) }
        #expect(throws: WireError.self) { try M.EventBatch(firstSequence: 0, events: [[UInt8](repeating: 0, count: 65_537)]) }
        #expect(throws: WireError.self) { try M.EventBatch(firstSequence: 0, events: [[]]) }
        #expect(throws: WireError.self) {
            try M.UsageHashQuery(queryID: 1, accountID: try AccountID("a"), periodStart: UplinkSamples.time, periodEnd: UplinkSamples.time)
        }
        #expect(throws: WireError.self) { try M.BlobOffer(hash: .zero, totalSize: 0, mediaType: try .init("image/png")) }
        #expect(throws: WireError.self) { try M.BlobOffer(hash: .zero, totalSize: (1 << 30) + 1, mediaType: try .init("image/png")) }
        #expect(throws: WireError.self) { try M.BlobChunk(hash: .zero, offset: 1 << 30, data: [1]) }
        #expect(throws: WireError.self) { try M.BlobChunk(hash: .zero, offset: .max, data: [1]) }
        #expect(throws: WireError.self) { try M.BlobChunk(hash: .zero, offset: 0, data: [UInt8](repeating: 0, count: (512 << 10) + 1)) }
        #expect(throws: WireError.self) { try M.BlobStatus(hash: .zero, state: .receiving(bytesHeld: 1 << 30)) }
        #expect(throws: WireError.self) {
            try M.FirmwareOffer(deviceKind: .copier, version: .init(major: 1, minor: 0, patch: 0), imageSize: 0, imageHash: .zero, imageID: 1)
        }
        #expect(throws: WireError.self) { try M.FirmwareChunk(imageID: 1, offset: 64 << 20, data: [1]) }
        #expect(throws: WireError.self) { try M.FirmwareStatus(imageID: 1, state: .failed, bytesReceived: (64 << 20) + 1, message: "") }
        #expect(throws: WireError.self) { try M.ProtocolError(code: .internalError, text: String(repeating: "x", count: 1025)) }
        #expect(throws: WireError.self) {
            try M.Hello(deviceID: UplinkSamples.deviceID, agentVersion: "", lastEventSequence: nil, trustedKeyIDs: [])
        }
        #expect(throws: WireError.self) {
            try M.Hello(deviceID: UplinkSamples.deviceID, agentVersion: "1", supportedVersions: [], lastEventSequence: nil, trustedKeyIDs: [])
        }
        #expect(throws: WireError.self) {
            try M.Hello(deviceID: UplinkSamples.deviceID, agentVersion: "1", supportedVersions: [0, 1], lastEventSequence: nil, trustedKeyIDs: [])
        }
        #expect(throws: WireError.self) {
            try M.Hello(deviceID: UplinkSamples.deviceID, agentVersion: "1", supportedVersions: [1, 1], lastEventSequence: nil, trustedKeyIDs: [])
        }
    }

    @Test func applicationIDForACopierIsRefusedOnTheWire() throws {
        var writer = ByteWriter()
        writer.encode(UplinkMessage.Credential.card(try .init("1"), pin: nil))
        writer.encode(try ResourceID("copier-1"))
        writer.u8(ResourceType.copier.rawValue)
        writer.optional(try ApplicationID("app-1"))
        writer.encode(UplinkSamples.time)
        #expect(payloadError(.grantRequest, writer.bytes) == .payload(.grantRequest, .invalidValue(
            field: "application id", reason: "only a seal request names an application"
        )))
    }

    // MARK: the decoder after an error

    @Test func decoderStaysFailedAfterAnError() throws {
        var decoder = UplinkFrameDecoder()
        decoder.append([0x49, 0x4d, 0x09])
        #expect(throws: UplinkDecodeError.unsupportedVersion(9)) { try decoder.next() }
        decoder.append(UplinkSamples.all[0].frame.encode())
        #expect(throws: UplinkDecodeError.unsupportedVersion(9)) { try decoder.next() }
        #expect(decoder.error == .unsupportedVersion(9))
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func goodFramesBeforeABadOneAreDelivered() throws {
        var decoder = UplinkFrameDecoder()
        let good = UplinkSamples.all[0].frame
        decoder.append(good.encode() + [0x49, 0x4d, 0x01, 0x05])
        #expect(try decoder.next() == good)
        #expect(throws: UplinkDecodeError.unknownMessageType(5)) { try decoder.next() }
    }

    // MARK: one frame per WebSocket message

    @Test func singleFrameDecodeRefusesPartialAndExtraBytes() {
        let bytes = UplinkSamples.all[0].frame.encode()
        #expect(throws: UplinkDecodeError.incompleteFrame(needed: bytes.count, available: bytes.count - 1)) {
            try UplinkFrame.decode(Array(bytes.dropLast()))
        }
        #expect(throws: UplinkDecodeError.incompleteFrame(needed: 13, available: 5)) {
            try UplinkFrame.decode(Array(bytes.prefix(5)))
        }
        #expect(throws: UplinkDecodeError.bytesAfterFrame(count: 2)) {
            try UplinkFrame.decode(bytes + [0x49, 0x4d])
        }
    }
}
