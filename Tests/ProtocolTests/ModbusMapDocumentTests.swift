import Foundation
import Testing
@testable import Protocol

/// Keeps docs/modbus-map.md and `CopierModbusMap` equal: the test reads the document's map
/// table and compares it with the code, so neither can change alone.
@Suite("Copier Modbus map and its document")
struct ModbusMapDocumentTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/modbus-map.md")

    /// The rows between the `<!-- map:begin -->` and `<!-- map:end -->` markers:
    /// `| table | address | count | name | units | access | meaning | power-on |`.
    static func documentedEntries() throws -> [ModbusMapEntry] {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        guard let begin = text.range(of: "<!-- map:begin -->"), let end = text.range(of: "<!-- map:end -->") else {
            Issue.record("docs/modbus-map.md has no map:begin / map:end markers")
            return []
        }
        var entries: [ModbusMapEntry] = []
        for line in text[begin.upperBound..<end.lowerBound].split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 8, let table = ModbusTable(rawValue: cells[1]) else { continue }
            let span = cells[2].split(separator: "-").compactMap { UInt16($0) }
            guard let first = span.first, let count = UInt16(cells[3]), let access = ModbusAccess(rawValue: cells[6]) else {
                Issue.record("cannot read the row: \(line)")
                continue
            }
            if span.count == 2 { #expect(Int(span[1]) - Int(first) + 1 == Int(count), "\(line)") }
            entries.append(ModbusMapEntry(table: table, name: cells[4], address: first, count: count, access: access))
        }
        return entries
    }

    @Test func documentTableEqualsTheCode() throws {
        let documented = try Self.documentedEntries()
        #expect(documented == CopierModbusMap.entries)
    }

    @Test func jobRecordExampleIsTheCodes() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let registers = try ModbusJobRecordTests.sample().registers
        let hex = registers.map { Hex.encode([UInt8($0 >> 8), UInt8($0 & 0xFF)]).uppercased() }.joined(separator: " ")
        #expect(text.contains("`\(hex)`"), "docs/modbus-map.md lacks the job record example \(hex)")
    }

    @Test func fixedAddressesAreTheIssuesOnes() {
        #expect(CopierModbusMap.unitID == 1)
        #expect(CopierModbusMap.Coils.relay.address == 0 && CopierModbusMap.Coils.relay.count == 1)
        #expect(CopierModbusMap.Holding.watchdogTimeout.address == 0)
        #expect(CopierModbusMap.Holding.heartbeat.address == 1)
        #expect(CopierModbusMap.Holding.pageBudget.addresses == 2...3)
        #expect(CopierModbusMap.Input.totalPages.addresses == 0...1)
        #expect(CopierModbusMap.Input.state.address == 8)
        #expect(CopierModbusMap.Input.firmwareMajor.address == 20)
        #expect(CopierModbusMap.Input.firmwareMinor.address == 21)
        #expect(CopierModbusMap.Input.firmwarePatch.address == 22)
        #expect(CopierModbusMap.Input.modelID.address == 23)
        #expect(CopierState.allCases.map(\.rawValue) == [0, 1, 2, 3])
    }

    @Test func itemsDoNotOverlap() {
        for table in ModbusTable.allCases {
            let entries = CopierModbusMap.entries.filter { $0.table == table }
            for (index, entry) in entries.enumerated() {
                for other in entries[(index + 1)...] {
                    #expect(!entry.addresses.overlaps(other.addresses), "\(entry) overlaps \(other)")
                }
            }
        }
    }

    @Test func statusBlockIsFullyMapped() {
        let block = CopierModbusMap.Input.statusBlock
        #expect(CopierModbusMap.validateRead(.input, address: block.address, count: Int(block.count)) == .accepted)
        #expect(CopierModbusMap.Input.jobRing.address == CopierJobRing.baseAddress)
        #expect(CopierModbusMap.Input.jobRing.count == 16 * 14)
    }

    @Test func firmwareWindowIsTheReservedRanges() {
        for entry in CopierModbusMap.entries where entry.name.hasPrefix("firmware ") && entry.address >= 1000 {
            let window = entry.table == .holding ? CopierModbusMap.firmwareHolding : CopierModbusMap.firmwareInput
            #expect(Int(window.lowerBound) <= entry.addresses.lowerBound && entry.addresses.upperBound <= Int(window.upperBound), "\(entry)")
        }
        let status = CopierModbusMap.Input.firmwareStatus
        #expect(CopierModbusMap.validateRead(.input, address: status.address, count: Int(status.count)) == .accepted)
        #expect(Int(status.count) == FirmwareSlotStatus.registerCount)
        // A chunk is one FC 0x10 write of 123 registers; part of it is a torn write.
        let chunk = CopierModbusMap.Holding.firmwareChunk
        #expect(chunk.count == 123 && chunk.addresses.upperBound == 1127)
        #expect(CopierModbusMap.validateHoldingWrite(address: 1005, values: Array(repeating: 0, count: 123)) == .accepted)
        #expect(CopierModbusMap.validateHoldingWrite(address: 1005, values: Array(repeating: 0, count: 3)) == .refused(.illegalDataAddress))
        #expect(CopierModbusMap.validateRead(.holding, address: 1128, count: 1) == .refused(.illegalDataAddress))
        #expect(CopierModbusMap.validateRead(.input, address: 1016, count: 1) == .refused(.illegalDataAddress))
    }

    @Test func modelIDsAreCopierIDs() {
        for model in CopierModel.allCases { #expect(model.rawValue >> 8 == 0x01) }
        #expect(CopierModel.simulatedColour.producesColour)
        #expect(!CopierModel.simulatedMono.producesColour)
    }
}
