import Protocol

/// How the flasher reaches one device: the copier's Modbus window or the seal's USB frames.
/// Every call may fail with a link error; the flasher reconnects by calling again.
protocol FirmwareTransport: Sendable {
    var target: FirmwareTarget { get }
    /// The most data bytes one chunk carries.
    var chunkSize: Int { get }
    /// How many chunks to send before reading the status again.
    var chunksPerStatus: Int { get }
    func status() async throws(FlashError) -> FirmwareSlotStatus
    func begin(imageID: UInt32, size: UInt32) async throws(FlashError) -> FirmwareSlotStatus
    /// Sends chunks in order; the caller reads the status after to see what the device took.
    func send(imageID: UInt32, chunks: [(offset: UInt32, data: [UInt8])]) async throws(FlashError)
    /// Asks the device to install; it reboots on success, so a link error here is expected.
    /// Returns the device's answer when it gives one before rebooting (the seal does).
    func install(imageID: UInt32) async throws(FlashError) -> FirmwareSlotStatus?
    func confirm() async throws(FlashError) -> FirmwareSlotStatus
    /// The version the device reports through its ordinary interface (copier input 20-22, seal
    /// device info), which must be the new one before the agent confirms it.
    func healthCheck() async throws(FlashError) -> FirmwareVersion
}

/// The copier controller over its Modbus link.
struct CopierFirmwareTransport: FirmwareTransport {
    let link: CopierLink
    var target: FirmwareTarget { .copier }
    var chunkSize: Int { CopierModbusMap.firmwareChunkDataSize }
    var chunksPerStatus: Int { 32 }

    func status() async throws(FlashError) -> FirmwareSlotStatus {
        do { return try await link.firmwareStatus() } catch { throw Self.flashError(error) }
    }

    func begin(imageID: UInt32, size: UInt32) async throws(FlashError) -> FirmwareSlotStatus {
        do {
            try await link.firmwareBegin(imageID: imageID, size: size)
            return try await link.firmwareStatus()
        } catch {
            throw Self.flashError(error)
        }
    }

    func send(imageID: UInt32, chunks: [(offset: UInt32, data: [UInt8])]) async throws(FlashError) {
        do { try await link.firmwareChunks(chunks) } catch { throw Self.flashError(error) }
    }

    func install(imageID: UInt32) async throws(FlashError) -> FirmwareSlotStatus? {
        // The controller answers the write, or drops the connection as it reboots; either way
        // the status read afterwards says how it went.
        do { try await link.firmwareCommand(.install) } catch { throw Self.flashError(error) }
        return nil
    }

    func confirm() async throws(FlashError) -> FirmwareSlotStatus {
        do {
            try await link.firmwareCommand(.confirm)
            return try await link.firmwareStatus()
        } catch {
            throw Self.flashError(error)
        }
    }

    func healthCheck() async throws(FlashError) -> FirmwareVersion {
        // The controller answers its ordinary status block and reports the new version there.
        do { return try await link.status().firmware } catch { throw Self.flashError(error) }
    }

    static func flashError(_ error: CopierLinkError) -> FlashError {
        switch error {
        case .modbus: return .link(error.description)
        case .badStatus, .badJobRecord, .unexpected: return .protocolViolation(error.description)
        }
    }
}
