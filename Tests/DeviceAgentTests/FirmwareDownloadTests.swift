import Foundation
import Logging
import Protocol
import Synchronization
import Testing
import TestSupport
@testable import DeviceAgent

/// The agent's side of a rollout up to the flasher: offers and chunks kept in the real store,
/// resumed after a restart from the bytes held, the image checked against the offered hash,
/// and nothing flashed while a session is open.
@Suite("Firmware download on the agent")
struct FirmwareDownloadTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let image: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    static func offer(_ bytes: [UInt8] = image, kind: ResourceType = .copier, id: UInt64 = 11, hash: Hash32? = nil) throws -> UplinkMessage.FirmwareOffer {
        try UplinkMessage.FirmwareOffer(deviceKind: kind, version: FirmwareVersion(major: 1, minor: 3, patch: 0), imageSize: UInt64(bytes.count),
                                       imageHash: hash ?? Hash32.sha256(bytes), imageID: id)
    }

    static func chunk(_ bytes: [UInt8] = image, id: UInt64 = 11, from: Int, to: Int) throws -> UplinkMessage.FirmwareChunk {
        try UplinkMessage.FirmwareChunk(imageID: id, offset: UInt64(from), data: Array(bytes[from..<to]))
    }

    /// Reports as the uplink would send them.
    final class Reports: Sendable {
        let list = Mutex<[UplinkMessage.FirmwareStatus]>([])
        var all: [UplinkMessage.FirmwareStatus] { list.withLock { $0 } }
        func add(_ status: UplinkMessage.FirmwareStatus) { list.withLock { $0.append(status) } }
    }

    static func updates(_ store: AgentStore, devices: Set<ResourceType> = [.copier], reports: Reports,
                        busy: @escaping @Sendable (ResourceType) async -> Bool = { _ in true }) async -> FirmwareUpdates {
        let updates = FirmwareUpdates(store: store, flasher: FirmwareFlasher(), devices: devices, clock: AgentClock(), busyPoll: .milliseconds(20),
                                      logger: Logger(label: "test"), isBusy: busy)
        await updates.setReporter { reports.add($0) }
        return updates
    }

    @Test func chunksAreKeptInOrderOnlyAndSurviveARestart() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let offer = try Self.offer()
        #expect(try store.storeFirmwareOffer(offer, at: Self.t0))
        #expect(!(try store.storeFirmwareOffer(offer, at: Self.t0)), "an image id is stored once")
        #expect(try store.appendFirmwareChunk(try Self.chunk(from: 0, to: 100_000), at: Self.t0) == 100_000)
        #expect(try store.appendFirmwareChunk(try Self.chunk(from: 150_000, to: 200_000), at: Self.t0) == nil, "a gap is refused")
        #expect(try store.appendFirmwareChunk(try Self.chunk(from: 0, to: 100_000), at: Self.t0) == nil, "a repeat is refused")
        try store.close()

        store = try fixture.open()
        let held = try #require(try store.firmwareDownload(11))
        #expect(held.state == .receiving && held.received == 100_000 && held.offer == offer)
        #expect(try store.appendFirmwareChunk(try Self.chunk(from: 100_000, to: 300_000), at: Self.t0) == 300_000)
        #expect(try store.firmwareImageBytes(11) == Self.image)
        try store.setFirmwareState(11, .failed, message: "no", at: Self.t0)
        #expect(try store.firmwareImageBytes(11).isEmpty, "a final download drops its bytes")
        #expect(try store.firmwareDownload(11)?.status().message == "no")
        try store.close()
    }

    @Test func anInterruptedTransferResumesFromTheBytesHeldAndIsCheckedWhole() async throws {
        let fixture = try StoreFixture()
        let reports = Reports()
        var store = try fixture.open()
        var updates = await Self.updates(store, reports: reports)
        let first = await updates.offer(try Self.offer())
        #expect(first?.state == .receiving && first?.bytesReceived == 0)
        await updates.chunk(try Self.chunk(from: 0, to: 131_072))
        // The agent stops mid-transfer.
        try store.close()

        store = try fixture.open()
        updates = await Self.updates(store, reports: reports)
        await updates.resume()
        let again = await updates.offer(try Self.offer())
        #expect(again?.state == .receiving && again?.bytesReceived == 131_072, "the server resumes from here")
        await updates.chunk(try Self.chunk(from: 131_072, to: Self.image.count))
        #expect(reports.all.map(\.state) == [.verifying])
        #expect(try store.firmwareDownload(11)?.state == .verifying)
        // Offered again: the stored state is the answer.
        #expect(await updates.offer(try Self.offer())?.state == .verifying)

        // A session stays open: nothing is flashed, the image waits in `verifying`.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try store.firmwareDownload(11)?.state == .verifying)
        #expect(reports.all.count == 1)
        try store.close()
    }

    @Test func aGapIsReportedOnceWithTheBytesHeld() async throws {
        let fixture = try StoreFixture()
        let reports = Reports()
        let store = try fixture.open()
        let updates = await Self.updates(store, reports: reports)
        _ = await updates.offer(try Self.offer())
        await updates.chunk(try Self.chunk(from: 0, to: 100_000))
        await updates.chunk(try Self.chunk(from: 150_000, to: 200_000))
        await updates.chunk(try Self.chunk(from: 200_000, to: 250_000))
        await updates.chunk(try Self.chunk(from: 0, to: 100_000))
        #expect(reports.all.map(\.state) == [.receiving])
        #expect(reports.all.first?.bytesReceived == 100_000, "the server goes on from here")
        await updates.chunk(try Self.chunk(from: 100_000, to: 200_000))
        await updates.chunk(try Self.chunk(from: 250_000, to: 300_000))
        #expect(reports.all.map(\.state) == [.receiving, .receiving], "a new gap after a fitting chunk is reported again")
        #expect(reports.all.last?.bytesReceived == 200_000)
        try store.close()
    }

    @Test func anImageThatIsNotTheOfferedOneFailsWithItsReason() async throws {
        let fixture = try StoreFixture()
        let reports = Reports()
        let store = try fixture.open()
        let updates = await Self.updates(store, reports: reports)
        let wrongHash = try Self.offer(hash: Hash32.sha256([1, 2, 3]))
        _ = await updates.offer(wrongHash)
        await updates.chunk(try Self.chunk(from: 0, to: Self.image.count))
        let report = try #require(reports.all.first)
        #expect(report.state == .failed)
        #expect(report.message.contains("SHA-256"))
        #expect(try store.firmwareImageBytes(11).isEmpty)
        #expect(await updates.offer(wrongHash)?.state == .failed, "the answer stays")
        try store.close()
    }

    @Test func anImageForADeviceThisBoxDoesNotDriveIsRefused() async throws {
        let fixture = try StoreFixture()
        let reports = Reports()
        let store = try fixture.open()
        let updates = await Self.updates(store, devices: [.copier], reports: reports)
        let answer = try #require(await updates.offer(try Self.offer(kind: .seal, id: 12)))
        #expect(answer.state == .failed)
        #expect(answer.message == "this box has no seal (it drives only a copier)")
        #expect(await updates.offer(try Self.offer(kind: .seal, id: 12))?.message == answer.message)
        await updates.chunk(try Self.chunk(id: 12, from: 0, to: 1000))
        #expect(try store.firmwareImageBytes(12).isEmpty, "no chunk is kept for a refused image")
        try store.close()
    }

    @Test func longMessagesAreCutOnACharacterBoundary() {
        let text = String(repeating: "é", count: 600)
        let cut = FirmwareUpdates.truncated(text, to: 1024)
        #expect(cut.utf8.count == 1024)
        #expect(cut.allSatisfy { $0 == "é" })
        #expect(FirmwareUpdates.truncated("short", to: 1024) == "short")
    }
}
