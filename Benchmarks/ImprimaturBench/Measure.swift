import Foundation

/// Runs `body` repeatedly for about `seconds` (after a short warm-up) and returns operations
/// per second, counting `operationsPerCall` operations per call.
func rate(seconds: Double = 1.0, operationsPerCall: Int = 1, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    for _ in 0..<3 { body() }
    var calls = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < .milliseconds(Int64(seconds * 1000)) {
        body()
        calls += 1
        elapsed = clock.now - start
    }
    return Double(calls * operationsPerCall) / elapsed.seconds
}

/// Times one run of `body`.
func time(_ body: () -> Void) -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    body()
    return clock.now - start
}

/// Latency percentiles of `samples` (in any unit).
func percentile(_ samples: [Double], _ p: Double) -> Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return .nan }
    let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
    return sorted[max(0, index)]
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// One printed figure: a name, a value with its unit, and what it is compared with.
func report(_ name: String, _ value: Double, _ unit: String, note: String = "") {
    let formatted: String
    if value >= 100 {
        formatted = String(format: "%.0f", value)
    } else if value >= 1 {
        formatted = String(format: "%.2f", value)
    } else {
        formatted = String(format: "%.4f", value)
    }
    let padded = name.padding(toLength: 46, withPad: " ", startingAt: 0)
    print("\(padded) \(formatted.leftPad(12)) \(unit)\(note.isEmpty ? "" : "   (\(note))")")
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
