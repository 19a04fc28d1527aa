import Testing
@testable import Protocol

@Suite("Copier status block")
struct CopierStatusBlockTests {
    static func registers(state: UInt16 = 2, fault: UInt16 = 0) -> [UInt16] {
        var r = [UInt16](repeating: 0, count: 24)
        r[0] = 1; r[1] = 2           // total 65538
        r[3] = 40                    // colour 40
        r[4] = 1; r[5] = 0xFFFF - 39 + 2  // mono: whatever; not cross-checked here
        r[7] = 5                     // current job 5
        r[8] = state; r[9] = fault
        r[11] = 17                   // latest job 17
        r[15] = 1500
        r[17] = 3600
        r[19] = 4
        r[20] = 1; r[21] = 2; r[22] = 3
        r[23] = 0x0101
        return r
    }

    @Test func decodesEveryField() throws {
        let status = try CopierStatusBlock(registers: Self.registers())
        #expect(status.totalPages == 65538)
        #expect(status.totalColourPages == 40)
        #expect(status.currentJobPages == 5)
        #expect(status.state == .copying)
        #expect(status.fault == CopierFault.none)
        #expect(status.latestJobSequence == 17)
        #expect(status.watchdogRemainingMilliseconds == 1500)
        #expect(status.uptimeSeconds == 3600)
        #expect(status.bootCount == 4)
        #expect(status.firmware.description == "1.2.3")
        #expect(status.model == .simulatedColour)
    }

    @Test func refusesWhatTheControllerCannotReport() {
        #expect(throws: CopierStatusError.wrongRegisterCount(23)) { try CopierStatusBlock(registers: Array(Self.registers().prefix(23))) }
        #expect(throws: CopierStatusError.unknownState(9)) { try CopierStatusBlock(registers: Self.registers(state: 9)) }
        #expect(throws: CopierStatusError.unknownFault(6)) { try CopierStatusBlock(registers: Self.registers(state: 3, fault: 6)) }
        #expect(throws: CopierStatusError.faultDisagreesWithState(state: .copying, fault: .paperJam)) {
            try CopierStatusBlock(registers: Self.registers(state: 2, fault: 1))
        }
    }
}
