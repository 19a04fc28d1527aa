import TestSupport
import Testing
@testable import Protocol

@Suite("Uplink streaming decoder")
struct UplinkFrameDecoderTests {
    private let frames = UplinkSamples.all.map(\.frame)
    private var stream: [UInt8] { frames.flatMap { $0.encode() } }

    /// Drains every frame the decoder can give now.
    private func drain(_ decoder: inout UplinkFrameDecoder) throws -> [UplinkFrame] {
        var out: [UplinkFrame] = []
        while let frame = try decoder.next() { out.append(frame) }
        return out
    }

    @Test func severalFramesInOneAppend() throws {
        var decoder = UplinkFrameDecoder()
        decoder.append(stream)
        #expect(try drain(&decoder) == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func oneByteAtATime() throws {
        var decoder = UplinkFrameDecoder()
        var decoded: [UplinkFrame] = []
        for byte in stream {
            decoder.append(CollectionOfOne(byte))
            decoded += try drain(&decoder)
        }
        #expect(decoded == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: UplinkSamples.all)
    func frameSplitAtEveryPosition(_ sample: UplinkSample) throws {
        let bytes = sample.frame.encode()
        for split in 0...bytes.count {
            var decoder = UplinkFrameDecoder()
            decoder.append(bytes[..<split])
            let early = try decoder.next()
            #expect(early == (split == bytes.count ? sample.frame : nil), "split at \(split)")
            decoder.append(bytes[split...])
            let late = try decoder.next()
            #expect((early ?? late) == sample.frame, "split at \(split)")
            #expect(try decoder.next() == nil)
        }
    }

    @Test func framesAcrossIrregularChunksWithCompaction() throws {
        // Many frames through small, uneven reads exercise the buffer's compaction.
        var generator = SplitMix64(seed: 42)
        let all = (0..<20).flatMap { _ in frames }
        let bytes = all.flatMap { $0.encode() }
        var decoder = UplinkFrameDecoder()
        var decoded: [UplinkFrame] = []
        var index = 0
        while index < bytes.count {
            let count = min(Int(generator.next() % 97) + 1, bytes.count - index)
            decoder.append(bytes[index..<index + count])
            index += count
            decoded += try drain(&decoder)
            #expect(decoder.bufferedByteCount < decoder.bytesNeededForNextFrame + 97)
        }
        #expect(decoded == all)
    }

    @Test func reportsTheSizeOfTheFrameBeingAssembled() throws {
        let bytes = UplinkSamples.all[0].frame.encode()
        var decoder = UplinkFrameDecoder()
        #expect(decoder.bytesNeededForNextFrame == UplinkFrame.headerSize)
        decoder.append(bytes.prefix(UplinkFrame.headerSize))
        #expect(try decoder.next() == nil)
        #expect(decoder.bytesNeededForNextFrame == bytes.count)
    }

    @Test func frameExactlyAtTheMaximumIsAccepted() throws {
        let frame = UplinkFrame(.ack(.init(sequence: 1)))
        let bytes = frame.encode()
        var decoder = UplinkFrameDecoder(maximumFrameSize: bytes.count)
        decoder.append(bytes)
        #expect(try decoder.next() == frame)
    }
}
