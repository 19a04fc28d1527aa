/// An 8-bit greyscale picture in memory: what the simulated camera "sees" and what the simulated
/// copier "scans". Kept deliberately simple: pixels are rows top to bottom, 0 black, 255 white.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, fill: UInt8 = 255) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: fill, count: width * height)
    }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Fills a rectangle, clipped to the image.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, value: UInt8) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            let start = row * width
            for col in x0..<x1 { pixels[start + col] = value }
        }
    }

    /// Draws a one-pixel rectangle outline of the given thickness.
    public mutating func frame(x: Int, y: Int, width w: Int, height h: Int, thickness: Int = 1, value: UInt8 = 0) {
        fill(x: x, y: y, width: w, height: thickness, value: value)
        fill(x: x, y: y + h - thickness, width: w, height: thickness, value: value)
        fill(x: x, y: y, width: thickness, height: h, value: value)
        fill(x: x + w - thickness, y: y, width: thickness, height: h, value: value)
    }
}
