/// Input registers 0-23 read in one request (`CopierModbusMap.Input.statusBlock`): everything the
/// agent polls, decoded from one snapshot so no two fields can come from different moments.
public struct CopierStatusBlock: Hashable, Sendable {
    public let totalPages: UInt32
    public let totalColourPages: UInt32
    public let totalMonoPages: UInt32
    public let currentJobPages: UInt32
    public let state: CopierState
    public let fault: CopierFault
    public let latestJobSequence: UInt32
    public let watchdogRemainingMilliseconds: UInt16
    public let uptimeSeconds: UInt32
    public let bootCount: UInt32
    public let firmware: FirmwareVersion
    /// The model id as read; `model` is nil for an id this version does not know.
    public let modelID: UInt16

    public var model: CopierModel? { CopierModel(rawValue: modelID) }

    /// Decodes the 24 registers; refuses a wrong count or values the controller cannot report.
    public init(registers: [UInt16]) throws(CopierStatusError) {
        guard registers.count == Int(CopierModbusMap.Input.statusBlock.count) else {
            throw .wrongRegisterCount(registers.count)
        }
        func pair(_ field: InputField) -> UInt32 {
            RegisterPair.join(high: registers[Int(field.address)], low: registers[Int(field.address) + 1])
        }
        let input = CopierModbusMap.Input.self
        totalPages = pair(input.totalPages)
        totalColourPages = pair(input.totalColourPages)
        totalMonoPages = pair(input.totalMonoPages)
        currentJobPages = pair(input.currentJobPages)
        guard let state = CopierState(rawValue: registers[Int(input.state.address)]) else {
            throw .unknownState(registers[Int(input.state.address)])
        }
        guard let fault = CopierFault(rawValue: registers[Int(input.faultCode.address)]) else {
            throw .unknownFault(registers[Int(input.faultCode.address)])
        }
        guard (state == .fault) == (fault != .none) else { throw .faultDisagreesWithState(state: state, fault: fault) }
        self.state = state
        self.fault = fault
        latestJobSequence = pair(input.latestJobSequence)
        watchdogRemainingMilliseconds = registers[Int(input.watchdogRemaining.address)]
        uptimeSeconds = pair(input.uptime)
        bootCount = pair(input.bootCount)
        firmware = FirmwareVersion(
            major: registers[Int(input.firmwareMajor.address)],
            minor: registers[Int(input.firmwareMinor.address)],
            patch: registers[Int(input.firmwarePatch.address)]
        )
        modelID = registers[Int(input.modelID.address)]
    }
}

public enum CopierStatusError: Error, Hashable, Sendable, CustomStringConvertible {
    case wrongRegisterCount(Int)
    case unknownState(UInt16)
    case unknownFault(UInt16)
    case faultDisagreesWithState(state: CopierState, fault: CopierFault)

    public var description: String {
        switch self {
        case let .wrongRegisterCount(count): return "copier status block has \(count) registers, expected 24"
        case let .unknownState(value): return "copier state register holds \(value), not 0-3"
        case let .unknownFault(value): return "copier fault register holds \(value), not 0-5"
        case let .faultDisagreesWithState(state, fault): return "copier state \(state) disagrees with fault code \(fault)"
        }
    }
}
