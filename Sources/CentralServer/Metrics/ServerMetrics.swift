import Foundation
import Prometheus
import Protocol

/// The server's Prometheus metrics, served at `/metrics`. One registry per server instance (not
/// the process-wide MetricsSystem), so tests can run many servers in one process.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `imprimatur_http_requests_total` | counter | `route`, `method`, `status` |
/// | `imprimatur_grants_issued_total` | counter | `resource_type` |
/// | `imprimatur_grants_refused_total` | counter | `reason` |
/// | `imprimatur_connected_agents` | gauge | |
/// | `imprimatur_events_ingested_total` | counter | |
public final class ServerMetrics: @unchecked Sendable {
    public let registry: PrometheusCollectorRegistry
    private let grantsIssued: [ResourceType: Counter]
    private let grantsRefused: [UplinkMessage.RefusalReason: Counter]
    /// Agents with an open uplink connection; the uplink sets it.
    public let connectedAgents: Gauge
    /// Device events stored; ingestion increments it.
    public let eventsIngested: Counter
    /// Copy job events that repeated a copier job already charged (stored, not charged).
    public let copyJobsRepeated: Counter
    private let lock = NSLock()
    private var httpRequests: [String: Counter] = [:]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var issued: [ResourceType: Counter] = [:]
        for type in ResourceType.allCases {
            issued[type] = registry.makeCounter(
                descriptor: Self.name("grants_issued", "total", help: "Access grants signed and sent, by resource type."),
                labels: [("resource_type", type.description)]
            )
        }
        grantsIssued = issued
        var refused: [UplinkMessage.RefusalReason: Counter] = [:]
        for reason in UplinkMessage.RefusalReason.allCases {
            refused[reason] = registry.makeCounter(
                descriptor: Self.name("grants_refused", "total", help: "Grant requests refused, by refusal reason."),
                labels: [("reason", reason.description)]
            )
        }
        grantsRefused = refused
        connectedAgents = registry.makeGauge(descriptor: Self.name("connected_agents", "", help: "Agents with an open uplink connection."))
        eventsIngested = registry.makeCounter(descriptor: Self.name("events_ingested", "total", help: "Device events stored."))
        copyJobsRepeated = registry.makeCounter(
            descriptor: Self.name("copy_jobs_repeated", "total", help: "Copy job events repeating a copier job already charged: stored, not charged."))
    }

    public func grantIssued(_ type: ResourceType) { grantsIssued[type]?.increment() }

    public func grantRefused(_ reason: UplinkMessage.RefusalReason) { grantsRefused[reason]?.increment() }

    /// Counts one HTTP request. `route` is the matched route pattern (`/api/v1/users/:id`), never
    /// the raw path, so label values stay few.
    public func httpRequest(route: String, method: String, status: Int) {
        let key = "\(route) \(method) \(status)"
        let counter = lock.withLock {
            if let counter = httpRequests[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.name("http_requests", "total", help: "HTTP requests answered, by route pattern, method and status."),
                labels: [("route", route), ("method", method), ("status", String(status))]
            )
            httpRequests[key] = counter
            return counter
        }
        counter.increment()
    }

    private static func name(_ metric: String, _ unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "imprimatur", metricName: metric, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
