import Protocol
import Testing
@testable import CentralServer

/// The pure rollout steps for one device: what each `firmwareStatus` does to the target.
@Suite("Firmware rollout flow")
struct FirmwareRolloutFlowTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let t1 = Timestamp(millisecondsSinceEpoch: 1_800_000_001_000)

    static func target(_ state: FirmwareTargetState = .queued, sent: UInt64 = 0, received: UInt64 = 0, id: UInt64 = 7) throws -> FirmwareRolloutTarget {
        FirmwareRolloutTarget(id: id, rolloutID: 1, device: try DeviceID("agent-1"), imageSize: 1000, state: state, bytesSent: sent, bytesReceived: received,
                              updated: t0)
    }

    static func status(_ state: UplinkMessage.FirmwareState, _ bytes: UInt64 = 0, _ message: String = "") throws -> UplinkMessage.FirmwareStatus {
        try UplinkMessage.FirmwareStatus(imageID: 7, state: state, bytesReceived: bytes, message: message)
    }

    @Test func aNewTransferStartsSendingFromZero() throws {
        let outcome = FirmwareRolloutFlow.status(try Self.status(.receiving, 0), for: try Self.target(), at: Self.t1)
        #expect(outcome.target.state == .sending)
        #expect(outcome.actions == [.sendChunks(from: 0)])
        #expect(outcome.auditAction == "firmware.sending")
        #expect(outcome.target.updated == Self.t1)
        #expect(outcome.ignored == nil)
    }

    @Test func aResumedTransferSendsFromWhatTheAgentHolds() throws {
        let outcome = FirmwareRolloutFlow.status(try Self.status(.receiving, 600), for: try Self.target(.sending, sent: 900, received: 300), at: Self.t1)
        #expect(outcome.target.state == .sending)
        #expect(outcome.target.bytesReceived == 600)
        #expect(outcome.target.bytesSent == 600)
        #expect(outcome.actions == [.sendChunks(from: 600)])
        #expect(outcome.auditAction == nil, "byte progress is not a step")
    }

    @Test func anAgentHoldingTheWholeImageGetsNoChunks() throws {
        let outcome = FirmwareRolloutFlow.status(try Self.status(.receiving, 1000), for: try Self.target(.sending, sent: 1000), at: Self.t1)
        #expect(outcome.actions.isEmpty)
        #expect(outcome.target.bytesReceived == 1000)
    }

    @Test func moreBytesThanTheImageFailsTheTarget() throws {
        let outcome = FirmwareRolloutFlow.status(try Self.status(.receiving, 1001), for: try Self.target(.sending), at: Self.t1)
        #expect(outcome.target.state == .failed)
        #expect(outcome.target.message.contains("1001"))
        #expect(outcome.actions == [.offerNext])
        #expect(outcome.auditAction == "firmware.failed")
    }

    @Test func theStepsGoForwardToConfirmedAndRecordTheVersion() throws {
        var target = try Self.target(.sending, sent: 1000, received: 1000)
        var audits: [String] = []
        for state in [UplinkMessage.FirmwareState.verifying, .installed, .trial, .confirmed] {
            let outcome = FirmwareRolloutFlow.status(try Self.status(state, 1000, "step \(state)"), for: target, at: Self.t1)
            #expect(outcome.ignored == nil)
            target = outcome.target
            audits.append(outcome.auditAction ?? "-")
            if state == .confirmed { #expect(outcome.actions == [.recordVersion, .offerNext]) } else { #expect(outcome.actions.isEmpty) }
        }
        #expect(target.state == .confirmed)
        #expect(target.message == "step confirmed")
        #expect(audits == ["firmware.verifying", "firmware.installed", "firmware.trial", "firmware.confirmed"])
    }

    @Test func aRollbackAndAFailureAreFinalWithTheirReason() throws {
        let rolled = FirmwareRolloutFlow.status(try Self.status(.rolledBack, 1000, "no confirm within 3 boots"), for: try Self.target(.trial), at: Self.t1)
        #expect(rolled.target.state == .rolledBack)
        #expect(rolled.target.message == "no confirm within 3 boots")
        #expect(rolled.actions == [.offerNext])
        #expect(rolled.auditAction == "firmware.rolled_back")

        let failed = FirmwareRolloutFlow.status(try Self.status(.failed, 1000, ""), for: try Self.target(.verifying), at: Self.t1)
        #expect(failed.target.state == .failed)
        #expect(failed.target.message == "the agent gave no reason")
    }

    @Test func aFinalTargetIgnoresEveryLaterReport() throws {
        for final in [FirmwareTargetState.confirmed, .rolledBack, .failed] {
            let before = try Self.target(final, received: 1000)
            for state in UplinkMessage.FirmwareState.allCases {
                let outcome = FirmwareRolloutFlow.status(try Self.status(state, 10), for: before, at: Self.t1)
                #expect(outcome.target == before)
                #expect(outcome.actions.isEmpty)
                #expect(outcome.ignored != nil)
            }
        }
    }

    @Test func aStepBackIsIgnoredButReceivingRestartsTheTransfer() throws {
        let back = FirmwareRolloutFlow.status(try Self.status(.verifying, 1000), for: try Self.target(.trial), at: Self.t1)
        #expect(back.target.state == .trial)
        #expect(back.ignored != nil)

        let restarted = FirmwareRolloutFlow.status(try Self.status(.receiving, 0), for: try Self.target(.verifying, sent: 1000, received: 1000), at: Self.t1)
        #expect(restarted.target.state == .sending)
        #expect(restarted.actions == [.sendChunks(from: 0)])
        #expect(restarted.auditAction == "firmware.resending")
    }

    @Test func sentProgressOnlyMovesForwardWhileSending() throws {
        let sending = try Self.target(.sending, sent: 100)
        #expect(FirmwareRolloutFlow.sent(upTo: 500, sending, at: Self.t1).bytesSent == 500)
        #expect(FirmwareRolloutFlow.sent(upTo: 50, sending, at: Self.t1) == sending)
        #expect(FirmwareRolloutFlow.sent(upTo: 5000, sending, at: Self.t1).bytesSent == 1000)
        let verifying = try Self.target(.verifying, sent: 1000)
        #expect(FirmwareRolloutFlow.sent(upTo: 1000, verifying, at: Self.t1) == verifying)
    }

    @Test func theCurrentTargetIsTheOldestNotFinal() throws {
        let targets = [try Self.target(.confirmed, id: 1), try Self.target(.queued, id: 5), try Self.target(.sending, id: 3)]
        #expect(FirmwareRolloutFlow.current(of: targets)?.id == 3)
        #expect(FirmwareRolloutFlow.current(of: [try Self.target(.failed, id: 1)]) == nil)
    }
}
