/// Which security events are integrity alerts, the ones the dashboard must always show: a
/// device's event chain, a signature or a checkpoint that did not hold. One rule, used by the
/// store's query and by anything that sorts events in memory.
public enum SecurityAlerts {
    /// A kind is an alert when it contains one of these (lowercased).
    public static let kindMarkers = ["chain", "signature", "checkpoint"]

    public static func isAlert(kind: String) -> Bool {
        let kind = kind.lowercased()
        return kindMarkers.contains { kind.contains($0) }
    }
}
