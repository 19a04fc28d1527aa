import Testing
@testable import Protocol

@Suite("Uplink round trips")
struct UplinkRoundTripTests {
    @Test func everyMessageTypeHasASample() {
        let covered = Set(UplinkSamples.all.map(\.frame.message.type))
        #expect(covered == Set(UplinkMessageType.allCases))
    }

    @Test(arguments: UplinkSamples.all)
    func frameRoundTripsThroughTheStreamingDecoder(_ sample: UplinkSample) throws {
        let bytes = sample.frame.encode()
        var decoder = UplinkFrameDecoder()
        decoder.append(bytes)
        let decoded = try #require(try decoder.next())
        #expect(decoded == sample.frame)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoded.encode() == bytes)
    }

    @Test(arguments: UplinkSamples.all)
    func singleFrameDecodeAndPayloadAgree(_ sample: UplinkSample) throws {
        let bytes = sample.frame.encode()
        #expect(try UplinkFrame.decode(bytes) == sample.frame)
        let payload = sample.frame.message.payloadBytes()
        #expect(Array(bytes.dropFirst(UplinkFrame.headerSize)) == payload)
        #expect(try UplinkMessage(type: sample.frame.message.type, payload: payload) == sample.frame.message)
    }

    @Test(arguments: UplinkSamples.all)
    func headerCarriesTypeFlagsAndRequestID(_ sample: UplinkSample) {
        let bytes = sample.frame.encode()
        let frame = sample.frame
        #expect(Array(bytes[0..<2]) == [0x49, 0x4d])
        #expect(bytes[2] == ImprimaturVersion.protocolVersion)
        #expect(bytes[3] == frame.message.type.rawValue)
        #expect(bytes[4] == (frame.isResponse ? 1 : 0))
        let requestID = bytes[5..<9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(requestID == frame.requestID)
        let length = bytes[9..<13].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(Int(length) == bytes.count - UplinkFrame.headerSize)
    }

    @Test func typeCodesAreTheDocumentedOnes() {
        let table: [(UplinkMessageType, UInt8)] = [
            (.hello, 0x01), (.challenge, 0x02), (.authProof, 0x03), (.authResult, 0x04),
            (.grantRequest, 0x10), (.grant, 0x11), (.refusal, 0x12), (.limitUpdate, 0x13),
            (.revocationList, 0x14), (.serverKeys, 0x15),
            (.eventBatch, 0x20), (.ack, 0x21), (.checkpoint, 0x22), (.usageHashQuery, 0x23), (.usageHashAnswer, 0x24),
            (.auditHeadRequest, 0x25), (.auditHead, 0x26),
            (.blobOffer, 0x30), (.blobChunk, 0x31), (.blobStatus, 0x32),
            (.firmwareOffer, 0x40), (.firmwareChunk, 0x41), (.firmwareStatus, 0x42),
            (.partOffer, 0x50), (.partChunk, 0x51), (.partDone, 0x52),
            (.ping, 0x70), (.pong, 0x71), (.error, 0x7f),
        ]
        #expect(table.count == UplinkMessageType.allCases.count)
        for (type, code) in table { #expect(type.rawValue == code, "\(type)") }
    }

    @Test func refusalReasonCodesAreTheDocumentedOnes() {
        let names = UplinkMessage.RefusalReason.allCases.map { "\($0.rawValue) \($0)" }
        #expect(names == [
            "1 unknownCard", "2 wrongPIN", "3 pinRateLimited", "4 userDisabled", "5 notAllowedOnDevice",
            "6 overQuota", "7 deviceNotEnrolled", "8 applicationNotApproved", "9 usesExhausted",
            "10 resourceUnknown", "11 serverUnavailable", "12 unknownUser", "13 deviceDisabled",
            "14 applicationRevoked", "15 applicationMismatch", "16 resourceKindMismatch",
            "17 deviceClockSkew", "18 authenticationFailed", "19 protocolVersionUnsupported", "20 notPermitted",
        ])
    }

    @Test func everyRefusalReasonAndErrorCodeRoundTrips() throws {
        for reason in UplinkMessage.RefusalReason.allCases {
            let message = UplinkMessage.refusal(try .init(reason: reason, text: "x"))
            #expect(try UplinkMessage(type: .refusal, payload: message.payloadBytes()) == message)
        }
        for code in UplinkMessage.ErrorCode.allCases {
            let message = UplinkMessage.error(try .init(code: code, text: ""))
            #expect(try UplinkMessage(type: .error, payload: message.payloadBytes()) == message)
        }
        for state in UplinkMessage.FirmwareState.allCases {
            let message = UplinkMessage.firmwareStatus(try .init(imageID: 1, state: state, bytesReceived: 0, message: ""))
            #expect(try UplinkMessage(type: .firmwareStatus, payload: message.payloadBytes()) == message)
        }
    }

    @Test func fieldsAtTheirMaximaRoundTrip() throws {
        typealias M = UplinkMessage
        let messages: [M] = [
            .refusal(try M.Refusal(reason: .overQuota, text: String(repeating: "é", count: 512))),
            .hello(try M.Hello(
                deviceID: try DeviceID(String(repeating: "d", count: 64)),
                agentVersion: String(repeating: "v", count: 64),
                supportedVersions: Array(1...16),
                lastEventSequence: .max,
                trustedKeyIDs: (0..<16).map { try! KeyID(bytes: [UInt8](repeating: UInt8($0), count: 8)) }
            )),
            .grantRequest(try M.GrantRequest(
                credential: .card(try M.CardNumber(String(repeating: "9", count: 64)), pin: try M.PIN(String(repeating: "~", count: 16))),
                resourceID: try ResourceID("r"), resourceType: .copier, deviceTime: Timestamp(millisecondsSinceEpoch: .max)
            )),
            .blobChunk(try M.BlobChunk(hash: .zero, offset: UplinkLimits.blobSize - 512 * 1024, data: [UInt8](repeating: 7, count: 512 * 1024))),
            .firmwareChunk(try M.FirmwareChunk(imageID: .max, offset: UplinkLimits.firmwareImageSize - 1, data: [1])),
            .eventBatch(try M.EventBatch(firstSequence: .max - 9_999, events: [[UInt8]](repeating: [0], count: 10_000))),
            .limitUpdate(try M.LimitUpdate(limitGrants: [[UInt8]](repeating: [0xaa], count: 4096))),
            .revocationList(try M.RevocationList(token: [UInt8](repeating: 0x5a, count: 1 << 20))),
        ]
        for message in messages {
            let frame = UplinkFrame(message)
            let bytes = frame.encode()
            #expect(try UplinkFrame.decode(bytes) == frame, "\(message.type)")
            #expect(try UplinkFrame.decode(bytes).encode() == bytes)
        }
    }

    @Test func sequencesOfABatchAreImplied() throws {
        let batch = try UplinkMessage.EventBatch(firstSequence: 38, events: [[1], [2], [3]])
        #expect(batch.lastSequence == 40)
    }

    @Test func setsAreSortedOnConstruction() throws {
        let hello = try UplinkMessage.Hello(
            deviceID: UplinkSamples.deviceID, agentVersion: "1", supportedVersions: [3, 1, 2],
            lastEventSequence: nil, trustedKeyIDs: [UplinkSamples.rotatedServerKey.keyID, UplinkSamples.serverKey.keyID]
        )
        #expect(hello.supportedVersions == [1, 2, 3])
        #expect(hello.trustedKeyIDs[0] < hello.trustedKeyIDs[1])
        #expect(hello.trustedKeyIDs[0].bytes.lexicographicallyPrecedes(hello.trustedKeyIDs[1].bytes))
    }

    @Test func pinIsRedactedInDescriptions() throws {
        let pin = try UplinkMessage.PIN("4321")
        let credential = UplinkMessage.Credential.card(try .init("77"), pin: pin)
        #expect(!"\(pin)".contains("4321"))
        #expect(!String(reflecting: pin).contains("4321"))
        #expect(!"\(credential)".contains("4321"))
    }
}
