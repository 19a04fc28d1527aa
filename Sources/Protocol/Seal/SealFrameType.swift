/// The type byte of a seal frame. Commands (agent → seal) are 0x01-0x3F, answers and reports
/// (seal → agent) 0x80 and up, and ack / error (either way) 0x7E / 0x7F.
public enum SealFrameType: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case deviceInfoRequest = 0x01
    case unlock = 0x02
    case lock = 0x03
    case heartbeat = 0x04
    case statusRequest = 0x05
    case firmwareChunk = 0x06
    case firmwareBegin = 0x07
    case firmwareInstall = 0x08
    case firmwareConfirm = 0x09
    case firmwareStatusRequest = 0x0A
    case ack = 0x7E
    case error = 0x7F
    case deviceInfo = 0x81
    case unlocked = 0x82
    case status = 0x85
    case firmwareChunkReceived = 0x86
    case firmwareStatus = 0x87
    case stampReport = 0x90

    /// Who sends frames of this type.
    public var direction: SealDirection {
        switch self {
        case .deviceInfoRequest, .unlock, .lock, .heartbeat, .statusRequest, .firmwareChunk,
             .firmwareBegin, .firmwareInstall, .firmwareConfirm, .firmwareStatusRequest: return .toSeal
        case .deviceInfo, .unlocked, .status, .firmwareChunkReceived, .firmwareStatus, .stampReport: return .toAgent
        case .ack, .error: return .either
        }
    }

    public var description: String {
        switch self {
        case .deviceInfoRequest: return "device info request"
        case .unlock: return "unlock"
        case .lock: return "lock"
        case .heartbeat: return "heartbeat"
        case .statusRequest: return "status request"
        case .firmwareChunk: return "firmware chunk"
        case .firmwareBegin: return "firmware begin"
        case .firmwareInstall: return "firmware install"
        case .firmwareConfirm: return "firmware confirm"
        case .firmwareStatusRequest: return "firmware status request"
        case .ack: return "ack"
        case .error: return "error"
        case .deviceInfo: return "device info"
        case .unlocked: return "unlocked"
        case .status: return "status"
        case .firmwareChunkReceived: return "firmware chunk received"
        case .firmwareStatus: return "firmware status"
        case .stampReport: return "stamp report"
        }
    }
}

public enum SealDirection: Hashable, Sendable {
    /// Agent → seal, on bulk OUT endpoint 0x01.
    case toSeal
    /// Seal → agent, on bulk IN endpoint 0x81.
    case toAgent
    case either
}

/// What a seal frame says: its type and payload together, so a payload can never travel under
/// the wrong type.
public enum SealMessage: Hashable, Sendable {
    case deviceInfoRequest
    case unlock(SealUnlock)
    case lock
    case heartbeat(SealHeartbeat)
    case statusRequest
    case firmwareChunk(SealFirmwareChunk)
    case firmwareBegin(SealFirmwareBegin)
    case firmwareInstall(SealFirmwareInstall)
    case firmwareConfirm
    case firmwareStatusRequest
    case ack
    case error(SealErrorReport)
    case deviceInfo(SealDeviceInfo)
    case unlocked(SealUnlocked)
    case status(SealStatus)
    case firmwareChunkReceived(SealFirmwareChunkReceived)
    case firmwareStatus(FirmwareSlotStatus)
    case stampReport(SealStampReport)

    public var type: SealFrameType {
        switch self {
        case .deviceInfoRequest: return .deviceInfoRequest
        case .unlock: return .unlock
        case .lock: return .lock
        case .heartbeat: return .heartbeat
        case .statusRequest: return .statusRequest
        case .firmwareChunk: return .firmwareChunk
        case .firmwareBegin: return .firmwareBegin
        case .firmwareInstall: return .firmwareInstall
        case .firmwareConfirm: return .firmwareConfirm
        case .firmwareStatusRequest: return .firmwareStatusRequest
        case .ack: return .ack
        case .error: return .error
        case .deviceInfo: return .deviceInfo
        case .unlocked: return .unlocked
        case .status: return .status
        case .firmwareChunkReceived: return .firmwareChunkReceived
        case .firmwareStatus: return .firmwareStatus
        case .stampReport: return .stampReport
        }
    }

    /// Writes the payload alone (empty for request, lock and ack frames).
    public func encodePayload(to writer: inout ByteWriter) {
        switch self {
        case .deviceInfoRequest, .lock, .statusRequest, .ack, .firmwareConfirm, .firmwareStatusRequest: break
        case let .unlock(payload): writer.encode(payload)
        case let .heartbeat(payload): writer.encode(payload)
        case let .firmwareChunk(payload): writer.encode(payload)
        case let .error(payload): writer.encode(payload)
        case let .deviceInfo(payload): writer.encode(payload)
        case let .unlocked(payload): writer.encode(payload)
        case let .status(payload): writer.encode(payload)
        case let .firmwareChunkReceived(payload): writer.encode(payload)
        case let .firmwareBegin(payload): writer.encode(payload)
        case let .firmwareInstall(payload): writer.encode(payload)
        case let .firmwareStatus(payload): writer.encode(payload)
        case let .stampReport(payload): writer.encode(payload)
        }
    }

    /// Reads the payload of a frame of `type`; the caller checks that the reader is then at
    /// its end.
    public static func decodePayload(_ type: SealFrameType, from reader: inout ByteReader) throws(WireError) -> SealMessage {
        switch type {
        case .deviceInfoRequest: return .deviceInfoRequest
        case .lock: return .lock
        case .statusRequest: return .statusRequest
        case .ack: return .ack
        case .firmwareConfirm: return .firmwareConfirm
        case .firmwareStatusRequest: return .firmwareStatusRequest
        case .firmwareBegin: return .firmwareBegin(try reader.decode())
        case .firmwareInstall: return .firmwareInstall(try reader.decode())
        case .firmwareStatus: return .firmwareStatus(try reader.decode())
        case .unlock: return .unlock(try reader.decode())
        case .heartbeat: return .heartbeat(try reader.decode())
        case .firmwareChunk: return .firmwareChunk(try reader.decode())
        case .error: return .error(try reader.decode())
        case .deviceInfo: return .deviceInfo(try reader.decode())
        case .unlocked: return .unlocked(try reader.decode())
        case .status: return .status(try reader.decode())
        case .firmwareChunkReceived: return .firmwareChunkReceived(try reader.decode())
        case .stampReport: return .stampReport(try reader.decode())
        }
    }
}
