import Testing
@testable import Protocol

/// Every code table goes through `WireEnum`: each case encodes as its raw value, big-endian in
/// the raw value's width, and every value without a case is refused under the table's field name.
@Suite("Wire enums")
struct WireEnumTests {
    static func check<E: WireEnum & CaseIterable & Equatable>(_ type: E.Type, field: String) throws {
        #expect(E.wireField == field)
        let width = E.RawValue.bitWidth / 8
        for value in E.allCases {
            let bytes = value.wireBytes()
            #expect(bytes.count == width)
            #expect(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == UInt64(value.rawValue))
            #expect(try E(wireBytes: bytes) == value)
        }
        let defined = Set(E.allCases.map { UInt64($0.rawValue) })
        let undefined = (0...UInt64(E.RawValue.max)).first { !defined.contains($0) }!
        let undefinedBytes = (0..<width).reversed().map { UInt8(truncatingIfNeeded: undefined >> UInt64(8 * $0)) }
        #expect(throws: WireError.unknownTag(field: field, tag: undefined)) { try E(wireBytes: undefinedBytes) }
        #expect(throws: WireError.truncated(field: field, needed: width, available: 0)) { try E(wireBytes: []) }
    }

    @Test func everyCodeTable() throws {
        try Self.check(PaperSize.self, field: "paper size")
        try Self.check(ResourceType.self, field: "resource type")
        try Self.check(EventKind.self, field: "event kind")
        try Self.check(CopyJobEnd.self, field: "job end")
        try Self.check(PhotoReason.self, field: "photo reason")
        try Self.check(SessionCloseReason.self, field: "close reason")
        try Self.check(UplinkMessage.FirmwareState.self, field: "firmware state")
        try Self.check(UplinkMessage.ErrorCode.self, field: "error code")
        try Self.check(UplinkMessage.RefusalReason.self, field: "refusal reason")
        try Self.check(SealModel.self, field: "model id")
        try Self.check(SealErrorCode.self, field: "error code")
    }
}
