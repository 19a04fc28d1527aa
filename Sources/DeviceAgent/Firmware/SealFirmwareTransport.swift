import Protocol

/// The seal over its USB frames (docs/seal-usb.md, "Firmware").
struct SealFirmwareTransport: FirmwareTransport {
    /// The seal's channel now: a running agent reopens it when the seal comes back.
    let channel: @Sendable () async -> SealChannel?
    var target: FirmwareTarget { .seal }
    var chunkSize: Int { SealFirmwareChunk.maximumDataSize }
    var chunksPerStatus: Int { 16 }

    private func statusRequest(_ message: SealMessage) async throws(FlashError) -> FirmwareSlotStatus {
        switch try await request(message) {
        case let .firmwareStatus(status): return status
        case let .error(report): throw .protocolViolation("the seal answered \(message.type) with \(report)")
        case let other: throw .protocolViolation("the seal answered \(message.type) with a \(other.type) frame")
        }
    }

    private func request(_ message: SealMessage) async throws(FlashError) -> SealMessage {
        guard let channel = await channel() else { throw .link("the seal is not connected") }
        do {
            return try await channel.request(message, timeoutMilliseconds: 2000)
        } catch {
            throw .link(error.description)
        }
    }

    func status() async throws(FlashError) -> FirmwareSlotStatus {
        try await statusRequest(.firmwareStatusRequest)
    }

    func begin(imageID: UInt32, size: UInt32) async throws(FlashError) -> FirmwareSlotStatus {
        try await statusRequest(.firmwareBegin(SealFirmwareBegin(imageID: imageID, imageSize: size)))
    }

    /// Each chunk is answered with the bytes the seal holds; an out-of-place chunk is answered
    /// with an error, and the status the flasher reads next says where to go on.
    func send(imageID: UInt32, chunks: [(offset: UInt32, data: [UInt8])]) async throws(FlashError) {
        for chunk in chunks {
            let frame: SealFirmwareChunk
            do {
                frame = try SealFirmwareChunk(imageID: imageID, offset: UInt64(chunk.offset), data: chunk.data)
            } catch {
                throw .protocolViolation("chunk: \(error)")
            }
            switch try await request(.firmwareChunk(frame)) {
            case .firmwareChunkReceived: continue
            case .error: return
            case let other: throw .protocolViolation("the seal answered a firmware chunk with a \(other.type) frame")
            }
        }
    }

    func install(imageID: UInt32) async throws(FlashError) -> FirmwareSlotStatus? {
        try await statusRequest(.firmwareInstall(SealFirmwareInstall(imageID: imageID)))
    }

    func confirm() async throws(FlashError) -> FirmwareSlotStatus {
        try await statusRequest(.firmwareConfirm)
    }

    func healthCheck() async throws(FlashError) -> FirmwareVersion {
        switch try await request(.deviceInfoRequest) {
        case let .deviceInfo(info): return info.firmware
        case let other: throw .protocolViolation("the seal answered a device info request with a \(other.type) frame")
        }
    }
}
