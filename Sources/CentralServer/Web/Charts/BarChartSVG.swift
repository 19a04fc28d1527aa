/// A bar chart as SVG text, made on the server (issue 7: no JavaScript). Pure geometry: bars
/// scale to the largest total (rounded up to a "nice" axis maximum), labels thin out when there
/// are many bars. Every text is XML-escaped; the SVG is embedded in the page as it is.
public enum BarChartSVG {
    public struct Bar: Hashable, Sendable {
        public let label: String
        public let value: Int64
        public init(label: String, value: Int64) {
            self.label = label
            self.value = value
        }
    }

    /// The geometry of one bar (for tests and for the SVG).
    public struct Geometry: Hashable, Sendable {
        public let x: Double
        public let y: Double
        public let width: Double
        public let height: Double
    }

    public static let width = 720.0
    public static let height = 260.0
    static let left = 48.0, right = 8.0, top = 12.0, bottom = 36.0

    /// The axis maximum: the smallest 1, 2 or 5 × 10^n at or above `value` (at least 1).
    public static func niceMaximum(_ value: Int64) -> Int64 {
        guard value > 1 else { return 1 }
        var scale: Int64 = 1
        while true {
            for step: Int64 in [1, 2, 5] where step * scale >= value { return step * scale }
            scale *= 10
        }
    }

    public static func geometry(_ bars: [Bar]) -> [Geometry] {
        guard !bars.isEmpty else { return [] }
        let maximum = Double(niceMaximum(bars.map(\.value).max() ?? 0))
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let slot = plotWidth / Double(bars.count)
        let barWidth = max(1, slot * 0.7)
        return bars.enumerated().map { index, bar in
            let h = plotHeight * Double(max(0, bar.value)) / maximum
            return Geometry(x: left + slot * Double(index) + (slot - barWidth) / 2, y: top + plotHeight - h, width: barWidth, height: h)
        }
    }

    public static func svg(_ bars: [Bar], title: String) -> String {
        let maximum = niceMaximum(bars.map(\.value).max() ?? 0)
        let plotHeight = height - top - bottom
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        // Axis lines and the grid at 0, 1/2 and the maximum.
        for fraction in [0.0, 0.5, 1.0] {
            let y = top + plotHeight * (1 - fraction)
            out += "<line class=\"grid\" x1=\"\(format(left))\" y1=\"\(format(y))\" x2=\"\(format(width - right))\" y2=\"\(format(y))\"/>"
            let value = Double(maximum) * fraction
            out += "<text class=\"axis\" x=\"\(format(left - 4))\" y=\"\(format(y + 4))\" text-anchor=\"end\">\(format(value))</text>"
        }
        let every = max(1, Int((Double(bars.count) / 12).rounded(.up)))
        for (index, (bar, g)) in zip(bars, geometry(bars)).enumerated() {
            out += "<rect class=\"bar\" x=\"\(format(g.x))\" y=\"\(format(g.y))\" width=\"\(format(g.width))\" height=\"\(format(g.height))\"><title>\(HTMLText.escape(bar.label)): \(bar.value)</title></rect>"
            if index % every == 0 {
                out += "<text class=\"label\" x=\"\(format(g.x + g.width / 2))\" y=\"\(format(height - bottom + 16))\" text-anchor=\"middle\">\(HTMLText.escape(bar.label))</text>"
            }
        }
        return out + "</svg>"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
