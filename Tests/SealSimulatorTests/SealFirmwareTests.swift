import Protocol
import SealSimulator
import Testing

@Suite struct SealFirmwareTests {
    @Test func locked_at_power_on_and_a_press_is_refused() {
        var driver = FirmwareDriver(memory: SealMemory(totalStamps: 41))
        #expect(!driver.firmware.isUnlocked)
        let (outcome, frames) = driver.firmware.press(at: SealFixtures.at(0))
        guard case .refused = outcome else { Issue.record("pressed a locked seal: \(outcome)"); return }
        #expect(frames.isEmpty)
        #expect(driver.firmware.memory.totalStamps == 41)
        #expect(driver.firmware.memory.refusedPresses == 1)
    }

    @Test func unlock_for_three_uses_then_three_stamps_then_locked() throws {
        var driver = FirmwareDriver(memory: SealMemory(totalStamps: 10))
        guard case let .unlocked(unlocked)? = driver.unlock(SealFixtures.grant(uses: 3), uses: 3) else {
            Issue.record("not unlocked"); return
        }
        #expect(unlocked.usesAllowed == 3)
        #expect(unlocked.grantID == GrantID(high: 0x5EA1, low: 1))
        var numbers: [UInt32] = []
        for expectedRemaining in [UInt16(2), 1, 0] {
            let (outcome, frames) = driver.firmware.press(at: SealFixtures.at(100))
            guard case let .stamped(report) = outcome else { Issue.record("refused: \(outcome)"); return }
            #expect(report.usesRemaining == expectedRemaining)
            #expect(frames.map(\.message) == [.stampReport(report)])
            numbers.append(report.stampNumber)
        }
        #expect(numbers == [11, 12, 13])
        #expect(!driver.firmware.isUnlocked)
        guard case .refused = driver.firmware.press(at: SealFixtures.at(200)).outcome else { Issue.record("a 4th stamp"); return }
        #expect(driver.firmware.memory.totalStamps == 13)
        #expect(driver.firmware.memory.refusedPresses == 1)
    }

    @Test func uses_allowed_is_the_lesser_of_request_and_grant() {
        var driver = FirmwareDriver()
        guard case let .unlocked(unlocked)? = driver.unlock(SealFixtures.grant(uses: 2), uses: 5) else { Issue.record("not unlocked"); return }
        #expect(unlocked.usesAllowed == 2)
    }

    @Test func a_replayed_unlock_frame_is_refused() {
        var driver = FirmwareDriver()
        let nonce = driver.nonce()
        let frame = SealFrame(sequence: 9, message: .unlock(try! SealUnlock(grantToken: SealFixtures.grant(), uses: 3, nonce: nonce))).encode()
        #expect(driver.firmware.receive(frame, at: SealFixtures.at(0)).first?.message.type == .unlocked)
        #expect(driver.send(.lock).first?.message == .ack)
        // The same bytes again, after the session: nonce already spent.
        _ = driver.nonce()
        let again = driver.firmware.receive(frame, at: SealFixtures.at(10))
        #expect(again.first?.message.errorCode == .replayed)
        #expect(!driver.firmware.isUnlocked)
    }

    @Test func a_grant_opens_one_session_only_even_with_a_fresh_nonce() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(id: 7), uses: 3)?.type == .unlocked)
        #expect(driver.send(.lock).first?.message == .ack)
        #expect(driver.unlock(SealFixtures.grant(id: 7), uses: 3)?.errorCode == .replayed)
    }

    @Test func a_used_grant_stays_used_across_a_restart() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(id: 8), uses: 1)?.type == .unlocked)
        var restarted = FirmwareDriver(memory: driver.firmware.memory, seed: 2)
        #expect(restarted.unlock(SealFixtures.grant(id: 8), uses: 1)?.errorCode == .replayed)
    }

    @Test func forged_grants_are_not_authorised() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(key: SealFixtures.otherKey), uses: 1)?.errorCode == .notAuthorised)
        #expect(driver.unlock(SealFixtures.grant(resource: try! ResourceID("seal-other")), uses: 1)?.errorCode == .notAuthorised)
        #expect(driver.unlock(SealFixtures.grant(device: try! DeviceID("box-2")), uses: 1)?.errorCode == .notAuthorised)
        var tampered = SealFixtures.grant(uses: 1)
        tampered[tampered.count - 1] ^= 0x01
        #expect(driver.unlock(tampered, uses: 1)?.errorCode == .notAuthorised)
        // Expired: ten minutes of validity plus the minute of clock skew have passed.
        #expect(driver.unlock(SealFixtures.grant(uses: 1), uses: 1, at: 11 * 60_000)?.errorCode == .notAuthorised)
        #expect(!driver.firmware.isUnlocked)
    }

    @Test func unlock_without_a_device_info_or_with_a_stale_nonce_is_refused() {
        var driver = FirmwareDriver()
        let stale = driver.nonce()
        _ = driver.nonce()
        let answer = driver.send(.unlock(try! SealUnlock(grantToken: SealFixtures.grant(), uses: 1, nonce: stale)))
        #expect(answer.first?.message.errorCode == .replayed)
        let none = driver.send(.unlock(try! SealUnlock(grantToken: SealFixtures.grant(), uses: 1, nonce: stale)))
        #expect(none.first?.message.errorCode == .replayed)
    }

    @Test func watchdog_locks_without_heartbeats_and_heartbeats_keep_it_open() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(uses: 3), uses: 3)?.type == .unlocked)
        #expect(driver.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 300)), at: 0).first?.message == .ack)
        #expect(driver.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 300)), at: 250).first?.message == .ack)
        _ = driver.firmware.tick(at: SealFixtures.at(500))
        #expect(driver.firmware.isUnlocked)
        _ = driver.firmware.tick(at: SealFixtures.at(550))
        #expect(!driver.firmware.isUnlocked)
        #expect(driver.firmware.lastLockCause == .watchdog)
        #expect(driver.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 300)), at: 600).first?.message.errorCode == .locked)
    }

    @Test func lock_frame_locks_and_a_retried_command_is_not_carried_out_twice() {
        var driver = FirmwareDriver()
        let first = driver.send(.deviceInfoRequest, sequence: 5)
        let retry = driver.send(.deviceInfoRequest, sequence: 5)
        #expect(first == retry)  // same nonce: answered again, not a new device info
        #expect(driver.unlock(SealFixtures.grant(uses: 3), uses: 3)?.type == .unlocked)
        #expect(driver.send(.lock).first?.message == .ack)
        #expect(!driver.firmware.isUnlocked)
        #expect(driver.firmware.lastLockCause == .lockCommand)
    }

    @Test func stamp_reports_are_resent_until_acked() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(uses: 3), uses: 3)?.type == .unlocked)
        _ = driver.send(.heartbeat(try! SealHeartbeat(watchdogMilliseconds: 60_000)))
        let (_, frames) = driver.firmware.press(at: SealFixtures.at(0))
        let report = frames[0]
        #expect(driver.firmware.tick(at: SealFixtures.at(400)).isEmpty)
        #expect(driver.firmware.tick(at: SealFixtures.at(500)) == [report])
        _ = driver.send(.ack, sequence: report.sequence)
        #expect(driver.firmware.tick(at: SealFixtures.at(1200)).isEmpty)
        #expect(driver.firmware.pendingReportCount == 0)
    }

    @Test func framing_error_locks_and_discards_until_usb_reset() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(uses: 3), uses: 3)?.type == .unlocked)
        var bytes = SealFrame(sequence: 9, message: .statusRequest).encode()
        bytes[bytes.count - 1] ^= 0xFF
        let answer = driver.firmware.receive(bytes, at: SealFixtures.at(0))
        #expect(answer.first?.sequence == 0)
        #expect(answer.first?.message.errorCode == .badCRC)
        #expect(!driver.firmware.isUnlocked)
        #expect(driver.send(.statusRequest).isEmpty)
        driver.firmware.usbReset()
        #expect(driver.send(.statusRequest).first?.type == .status)
    }

    @Test func unknown_frame_type_is_answered_with_its_sequence() {
        var driver = FirmwareDriver()
        var frame: [UInt8] = [0x5E, 0xA1, 0x00, 0x00, 0x3A, 0x00, 0x2A]
        let crc = CRC32.checksum(frame)
        frame += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        let answer = driver.firmware.receive(frame, at: SealFixtures.at(0))
        #expect(answer.first?.sequence == 42)
        #expect(answer.first?.message.errorCode == .unknownCommand)
    }

    @Test func unseated_seal_locks_and_refuses_unlock() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(id: 1, uses: 3), uses: 3)?.type == .unlocked)
        driver.firmware.setSeated(false)
        #expect(!driver.firmware.isUnlocked)
        #expect(driver.unlock(SealFixtures.grant(id: 2, uses: 3), uses: 3)?.errorCode == .notSeated)
    }

    @Test func a_second_unlock_during_a_session_is_busy() {
        var driver = FirmwareDriver()
        #expect(driver.unlock(SealFixtures.grant(id: 1), uses: 3)?.type == .unlocked)
        #expect(driver.unlock(SealFixtures.grant(id: 2), uses: 3)?.errorCode == .busy)
    }
}
