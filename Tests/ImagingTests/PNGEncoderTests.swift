import Testing
@testable import Imaging

@Suite("PNG encoder")
struct PNGEncoderTests {
    @Test func producesAValidPNGStructure() throws {
        var image = GrayImage(width: 40, height: 12)
        BitmapFont.draw("A4 #3", into: &image, x: 1, y: 2)
        let png = try PNGEncoder.encode(image)
        #expect(Array(png.prefix(8)) == PNGEncoder.signature)
        // IHDR: length 13, type, width 40, height 12, depth 8, grey.
        #expect(Array(png[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8))
        #expect(Array(png[16..<24]) == [0, 0, 0, 40, 0, 0, 0, 12])
        #expect(Array(png[24..<26]) == [8, 0])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    }

    @Test func textIsDrawnWhereAsked() {
        var image = GrayImage(width: 20, height: 10)
        BitmapFont.draw("1", into: &image, x: 0, y: 0)
        // Glyph "1" row 0 is 0x04: only column 2 is ink.
        #expect(image[2, 0] == 0)
        #expect(image[0, 0] == 255)
        #expect(BitmapFont.width(of: "AB") == 11)
    }

    @Test func differentImagesGiveDifferentFiles() throws {
        var a = GrayImage(width: 16, height: 16)
        var b = a
        BitmapFont.draw("A", into: &a, x: 0, y: 0)
        BitmapFont.draw("B", into: &b, x: 0, y: 0)
        #expect(try PNGEncoder.encode(a) != PNGEncoder.encode(b))
    }
}
