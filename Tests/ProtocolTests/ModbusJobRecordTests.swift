import Testing
@testable import Protocol

@Suite("Copier job records")
struct ModbusJobRecordTests {
    static func sample() throws -> CopierJobRecord {
        try CopierJobRecord(
            sequence: 0x0001_0002, sessionTag: 0xCAFE_F00D, colourPages: 3, monoPages: 70_000,
            copies: 7, duplex: true, paperSize: .a3, end: .budgetExhausted
        )
    }

    /// The registers written out by hand from the layout in docs/modbus-map.md.
    static let sampleRegisters: [UInt16] = [
        0x0001, 0x0002, // sequence
        0xCAFE, 0xF00D, // session tag
        0x0001, 0x1173, // pages 70003
        0x0000, 0x0003, // colour pages
        0x0001, 0x1170, // mono pages 70000
        7, // copies
        1, // duplex
        2, // A3
        1, // budget exhausted
    ]

    @Test func encodesToTheDocumentedRegisters() throws {
        let record = try Self.sample()
        #expect(record.pages == 70_003)
        #expect(record.registers == Self.sampleRegisters)
        #expect(record.registers.count == CopierJobRecord.registerCount)
    }

    @Test func roundTrips() throws {
        let records = [
            try Self.sample(),
            try CopierJobRecord(sequence: 1, sessionTag: 0, colourPages: 0, monoPages: 0, copies: 1, duplex: false, paperSize: .a4, end: .cancelled),
            try CopierJobRecord(sequence: .max, sessionTag: .max, colourPages: .max, monoPages: 0, copies: .max, duplex: false, paperSize: .legal, end: .completed),
        ]
        for record in records {
            #expect(try CopierJobRecord(registers: record.registers) == record)
        }
        for paper in PaperSize.allCases {
            for end in CopierJobEnd.allCases {
                let record = try CopierJobRecord(sequence: 9, sessionTag: 4, colourPages: 1, monoPages: 2, copies: 3, duplex: true, paperSize: paper, end: end)
                #expect(try CopierJobRecord(registers: record.registers) == record)
            }
        }
    }

    static func altered(_ index: Int, _ value: UInt16) -> [UInt16] {
        var registers = sampleRegisters
        registers[index] = value
        return registers
    }

    static let decodeErrors: [([UInt16], CopierJobRecordError)] = [
        (Array(sampleRegisters.dropLast()), .wrongRegisterCount(expected: 14, got: 13)),
        (sampleRegisters + [0], .wrongRegisterCount(expected: 14, got: 15)),
        ([], .wrongRegisterCount(expected: 14, got: 0)),
        ([UInt16](repeating: 0, count: 14), .emptySlot),
        (altered(1, 0).enumerated().map { $0.offset == 0 ? 0 : $0.element }, .sequenceZero),
        (altered(10, 0), .copiesZero),
        (altered(11, 2), .invalidDuplex(2)),
        (altered(11, 0xFFFF), .invalidDuplex(0xFFFF)),
        (altered(12, 0), .unknownPaperSize(0)),
        (altered(12, 7), .unknownPaperSize(7)),
        (altered(12, 0x0101), .unknownPaperSize(0x0101)),
        (altered(13, 6), .unknownEndReason(6)),
        (altered(5, 0x1174), .pageCountMismatch(pages: 70_004, colourPages: 3, monoPages: 70_000)),
        (altered(7, 2), .pageCountMismatch(pages: 70_003, colourPages: 2, monoPages: 70_000)),
        // colour + mono wraps to pages in 32 bits: refused, the sum is checked in 64 bits.
        ([0, 1, 0, 0, 0, 0, 0xFFFF, 0xFFFF, 0, 1, 1, 0, 1, 0], .pageCountMismatch(pages: 0, colourPages: .max, monoPages: 1)),
    ]

    @Test(arguments: decodeErrors)
    func refusesBadRegisters(registers: [UInt16], error: CopierJobRecordError) {
        #expect(throws: error) { try CopierJobRecord(registers: registers) }
        #expect(!error.description.isEmpty)
    }

    @Test func constructionRefusesWhatDecodingRefuses() {
        #expect(throws: CopierJobRecordError.sequenceZero) {
            try CopierJobRecord(sequence: 0, sessionTag: 1, colourPages: 0, monoPages: 1, copies: 1, duplex: false, paperSize: .a4, end: .completed)
        }
        #expect(throws: CopierJobRecordError.copiesZero) {
            try CopierJobRecord(sequence: 1, sessionTag: 1, colourPages: 0, monoPages: 1, copies: 0, duplex: false, paperSize: .a4, end: .completed)
        }
        #expect(throws: CopierJobRecordError.pageCountMismatch(pages: nil, colourPages: .max, monoPages: 1)) {
            try CopierJobRecord(sequence: 1, sessionTag: 1, colourPages: .max, monoPages: 1, copies: 1, duplex: false, paperSize: .a4, end: .completed)
        }
    }

    @Test func errorDescriptionsSayWhatWasWrong() {
        #expect(CopierJobRecordError.invalidDuplex(2).description == "invalid duplex: must be 0 or 1, got 2")
        #expect(CopierJobRecordError.wrongRegisterCount(expected: 14, got: 3).description == "a job record is 14 registers, got 3")
        #expect(CopierJobRecordError.pageCountMismatch(pages: 5, colourPages: 1, monoPages: 2).description
            == "invalid page counts: colour 1 + mono 2 != pages 5")
        #expect(CopierJobRecordError.unknownPaperSize(9).description == "unknown paper size code 9")
    }
}

@Suite("Copier job ring")
struct ModbusJobRingTests {
    @Test func slotsSitAtFixedAddresses() {
        #expect(CopierJobRing.slot(for: 1).address == 114)
        #expect(CopierJobRing.slot(for: 16).address == 100)
        #expect(CopierJobRing.slot(for: 15).address == 100 + 15 * 14)
        #expect(CopierJobRing.slot(for: 33).address == 114)
        #expect(CopierJobRing.slot(for: .max).address == 100 + 15 * 14)
        #expect(CopierJobRing.slot(for: 5).count == 14)
        let last = CopierJobRing.slot(for: 15)
        #expect(last.addresses.upperBound == CopierModbusMap.Input.jobRing.addresses.upperBound)
    }

    @Test func planReadsEveryJobOnce() {
        #expect(CopierJobRing.plan(lastSeen: 0, latest: 0) == .upToDate)
        #expect(CopierJobRing.plan(lastSeen: 7, latest: 7) == .upToDate)
        #expect(CopierJobRing.plan(lastSeen: 0, latest: 3) == .read(1...3, lost: nil))
        #expect(CopierJobRing.plan(lastSeen: 4, latest: 20) == .read(5...20, lost: nil))
        #expect(CopierJobRing.plan(lastSeen: 4, latest: 21) == .read(6...21, lost: 5...5))
        #expect(CopierJobRing.plan(lastSeen: 0, latest: 40) == .read(25...40, lost: 1...24))
        #expect(CopierJobRing.plan(lastSeen: 9, latest: 2) == .counterWentBack(lastSeen: 9, latest: 2))
        #expect(CopierJobRing.plan(lastSeen: .max - 1, latest: .max) == .read(UInt32.max...UInt32.max, lost: nil))
    }

    static func record(_ sequence: UInt32) throws -> CopierJobRecord {
        try CopierJobRecord(sequence: sequence, sessionTag: 1, colourPages: 0, monoPages: 2, copies: 1, duplex: false, paperSize: .a4, end: .completed)
    }

    @Test func slotReadingDetectsStaleAndOverwrittenSlots() throws {
        #expect(try CopierJobRing.reading(try Self.record(21).registers, expecting: 21) == .record(try Self.record(21)))
        #expect(try CopierJobRing.reading(try Self.record(37).registers, expecting: 21) == .overwritten(by: 37))
        #expect(try CopierJobRing.reading(try Self.record(5).registers, expecting: 21) == .notYetWritten(found: 5))
        #expect(try CopierJobRing.reading([UInt16](repeating: 0, count: 14), expecting: 21) == .notYetWritten(found: nil))
        #expect(throws: CopierJobRecordError.wrongSlot(sequence: 22, slot: 5, expectedSlot: 6)) {
            try CopierJobRing.reading(try Self.record(22).registers, expecting: 21)
        }
        #expect(throws: CopierJobRecordError.invalidDuplex(3)) {
            var registers = try Self.record(21).registers
            registers[11] = 3
            return try CopierJobRing.reading(registers, expecting: 21)
        }
    }
}
