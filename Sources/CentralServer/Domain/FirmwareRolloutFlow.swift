import Protocol

/// A firmware rollout's steps for one device, pure: a `firmwareStatus` from the agent (or the
/// server's own progress sending chunks) in, the target after it and what to do out. The
/// `FirmwareDelivery` actor stores the outcome and carries out its actions.
public enum FirmwareRolloutFlow {
    public enum Action: Hashable, Sendable {
        /// Push the image's chunks from this offset on.
        case sendChunks(from: UInt64)
        /// The device now runs the image: record its version on the device.
        case recordVersion
        /// Offer the device's next queued target (this one is final).
        case offerNext
    }

    public struct Outcome: Hashable, Sendable {
        public var target: FirmwareRolloutTarget
        public var actions: [Action] = []
        /// An audit action (`firmware.<state>`) when the target reached a new step; nil for
        /// byte progress and for reports that change nothing.
        public var auditAction: String?
        /// Why the report was ignored (logged), nil when it was taken.
        public var ignored: String?
    }

    /// The agent's `status` for `target` (its answer to the offer, or a push).
    public static func status(_ status: UplinkMessage.FirmwareStatus, for target: FirmwareRolloutTarget, at now: Timestamp) -> Outcome {
        var outcome = Outcome(target: target)
        guard !target.state.isFinal else {
            outcome.ignored = "target \(target.id) is already \(target.state.rawValue)"
            return outcome
        }
        var next = target
        next.updated = now
        if !status.message.isEmpty || status.state != .receiving { next.message = status.message }
        switch status.state {
        case .receiving:
            guard status.bytesReceived <= target.imageSize else {
                next.state = .failed
                next.message = "the agent reports \(status.bytesReceived) bytes received of a \(target.imageSize) byte image"
                outcome.target = next
                outcome.auditAction = "firmware.failed"
                outcome.actions = [.offerNext]
                return outcome
            }
            // The agent is the one that knows what it holds: sending restarts from there, even
            // after a later step (its store was reset, or it dropped a bad transfer).
            next.state = .sending
            next.bytesReceived = status.bytesReceived
            next.bytesSent = status.bytesReceived
            if target.state != .sending { outcome.auditAction = target.state == .queued ? "firmware.sending" : "firmware.resending" }
            if status.bytesReceived < target.imageSize { outcome.actions = [.sendChunks(from: status.bytesReceived)] }
        default:
            let reported = FirmwareTargetState(status.state)
            guard reported.rank >= target.state.rank else {
                outcome.ignored = "the agent reports \(reported.rawValue) for target \(target.id), already \(target.state.rawValue)"
                return outcome
            }
            next.state = reported
            next.bytesReceived = max(next.bytesReceived, min(status.bytesReceived, target.imageSize))
            if reported == .failed, next.message.isEmpty { next.message = "the agent gave no reason" }
            if reported != target.state { outcome.auditAction = "firmware.\(reported.rawValue)" }
            if reported == .confirmed { outcome.actions.append(.recordVersion) }
            if reported.isFinal { outcome.actions.append(.offerNext) }
        }
        outcome.target = next
        return outcome
    }

    /// The server pushed chunks up to `offset`: progress only, never a step back.
    public static func sent(upTo offset: UInt64, _ target: FirmwareRolloutTarget, at now: Timestamp) -> FirmwareRolloutTarget {
        guard target.state == .sending, offset > target.bytesSent else { return target }
        var next = target
        next.bytesSent = min(offset, target.imageSize)
        next.updated = now
        return next
    }

    /// The target the device should work on next: its oldest one not final (one flash at a
    /// time per device; a later rollout waits for an earlier one).
    public static func current(of targets: [FirmwareRolloutTarget]) -> FirmwareRolloutTarget? {
        targets.filter { !$0.state.isFinal }.min { $0.id < $1.id }
    }
}
