import DeviceAgent
import Protocol
import Testing

/// The channel alone against the seal. In the one serialized suite: every test points this
/// process's UMOCKDEV_DIR at its own seal, so no two may run at once.
extension SealAgentUSBTests {
    @Test func device_info_and_status_over_libusb() async throws {
        let rig = try SealRig()
        let channel = try rig.channel()
        defer { channel.close() }
        guard case let .deviceInfo(info) = try await channel.request(.deviceInfoRequest) else { Issue.record("no device info"); return }
        #expect(info.serial == SealRig.serial)
        guard case let .status(status) = try await channel.request(.statusRequest) else { Issue.record("no status"); return }
        #expect(!status.isUnlocked)
    }

    @Test func unlock_for_three_uses_three_stamps_the_fourth_refused() async throws {
        let rig = try SealRig()
        let channel = try rig.channel()
        defer { channel.close() }
        guard case let .deviceInfo(info) = try await channel.request(.deviceInfoRequest) else { Issue.record("no device info"); return }
        let answer = try await channel.request(.unlock(try SealUnlock(grantToken: SealRig.grant(uses: 3), uses: 3, nonce: info.nonce)))
        guard case let .unlocked(unlocked) = answer else { Issue.record("not unlocked: \(answer)"); return }
        #expect(unlocked.usesAllowed == 3)
        _ = try await channel.request(.heartbeat(try SealHeartbeat(watchdogMilliseconds: 30_000)))
        var reports: [SealStampReport] = []
        for _ in 0..<3 {
            #expect(try rig.panel("stamp")["stamped"] as? Bool == true)
            reports += try await Self.pollAndAck(channel)
        }
        let fourth = try rig.panel("stamp")
        #expect(fourth["stamped"] as? Bool == false)
        for _ in 0..<5 where reports.count < 3 { reports += try await Self.pollAndAck(channel) }
        #expect(reports.map(\.usesRemaining) == [2, 1, 0])
        #expect(try rig.panel("status")["locked"] as? Bool == true)
    }

    /// The channel leaves acks to its caller (the agent acks once a use is stored).
    static func pollAndAck(_ channel: SealChannel) async throws -> [SealStampReport] {
        let received = try await channel.poll(timeoutMilliseconds: 200)
        for report in received { try await channel.ack(report) }
        return received.map(\.report)
    }
}
