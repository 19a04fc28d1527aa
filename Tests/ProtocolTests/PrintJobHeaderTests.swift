import Protocol
import Testing

@Suite("Print port header and status line")
struct PrintJobHeaderTests {
    let header = try! PrintJobHeader(jobID: "split-12-3", copies: 2, colour: true, paper: .a3, pdfLength: 1000)

    @Test func encodesTheDocumentedLayout() throws {
        let expected: [UInt8] = Array("IMPJ".utf8) + [1, 10] + Array("split-12-3".utf8) + [0, 2, 1, 2, 0, 0, 0x03, 0xE8]
        #expect(header.encoded == expected)
        #expect(try PrintJobHeader.remainingLength(afterPrefix: Array(expected.prefix(PrintJobHeader.prefixLength))) == expected.count - 6)
        #expect(try PrintJobHeader(decoding: expected) == header)
    }

    @Test(arguments: [
        (0, UInt8(ascii: "X"), "magic"),
        (4, 2, "version 2 is not supported"),
        (5, 0, "0 is outside 1...64"),
    ] as [(Int, UInt8, String)])
    func aBadPrefixIsRefused(offset: Int, byte: UInt8, says: String) {
        var bytes = header.encoded
        bytes[offset] = byte
        #expect(throws: WireError.self) { try PrintJobHeader.remainingLength(afterPrefix: Array(bytes.prefix(6))) }
        do {
            _ = try PrintJobHeader(decoding: bytes)
            Issue.record("accepted a header with byte \(offset) = \(byte)")
        } catch {
            #expect(error.description.contains(says), "\(error)")
        }
    }

    @Test func everyBadFieldIsRefusedWithItsName() {
        let good = header.encoded
        let idEnd = 6 + 10
        func refused(_ mutate: (inout [UInt8]) -> Void) -> String {
            var bytes = good
            mutate(&bytes)
            do {
                _ = try PrintJobHeader(decoding: bytes)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(refused { $0[6] = UInt8(ascii: " ") }.contains("job id"))
        #expect(refused { $0[6] = 0xFF }.contains("job id"))
        #expect(refused { $0[idEnd] = 0; $0[idEnd + 1] = 0 }.contains("copies"))
        #expect(refused { $0[idEnd] = 0x03; $0[idEnd + 1] = 0xE8 }.contains("copies"))
        #expect(refused { $0[idEnd + 2] = 2 }.contains("colour"))
        #expect(refused { $0[idEnd + 3] = 9 }.contains("paper size"))
        #expect(refused { $0.replaceSubrange((idEnd + 4)..., with: [0, 0, 0, 0]) }.contains("pdf length"))
        #expect(refused { $0.replaceSubrange((idEnd + 4)..., with: [0x02, 0, 0, 1]) }.contains("pdf length"))
        #expect(refused { $0.removeLast() }.contains("pdf length"))
        #expect(refused { $0.append(0) }.contains("trailing"))
        #expect(refused { _ = $0 } == "accepted")
    }

    @Test func aTruncatedHeaderSaysWhereItEnded() {
        let bytes = header.encoded
        for length in 0..<bytes.count {
            #expect(throws: WireError.self, "prefix of \(length) bytes") { try PrintJobHeader(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test func constructionRefusesWhatTheDecoderRefuses() {
        #expect(throws: WireError.self) { try PrintJobHeader(jobID: "", copies: 1, colour: false, paper: .a4, pdfLength: 1) }
        #expect(throws: WireError.self) { try PrintJobHeader(jobID: String(repeating: "a", count: 65), copies: 1, colour: false, paper: .a4, pdfLength: 1) }
        #expect(throws: WireError.self) { try PrintJobHeader(jobID: "a", copies: 1000, colour: false, paper: .a4, pdfLength: 1) }
        #expect(throws: WireError.self) { try PrintJobHeader(jobID: "a", copies: 1, colour: false, paper: .a4, pdfLength: (32 << 20) + 1) }
    }

    @Test func statusLinesRoundTrip() throws {
        let replies: [PrintPortReply] = [
            .printed(jobID: "split-1-1", sequence: 7, pages: 6),
            .stopped(jobID: "split-1-2", sequence: 8, pages: 3, end: .budgetExhausted),
            .refused(.locked, message: "the copier is locked"),
            .refused(.shuttingDown, message: "the copier is shutting down"),
        ]
        for reply in replies { #expect(try PrintPortReply(line: reply.line) == reply) }
        #expect(PrintPortReply.printed(jobID: "a", sequence: 7, pages: 6).line == "printed a job=7 pages=6")
        #expect(PrintPortReply.stopped(jobID: "a", sequence: 8, pages: 3, end: .watchdogExpired).line == "stopped a job=8 pages=3 reason=watchdog")
        #expect(PrintPortReply.refused(.pdf, message: "bad\nline").line == "refused pdf: bad line")
    }

    @Test(arguments: ["", "printed", "printed a job=0 pages=1", "printed a job=1", "stopped a job=1 pages=1 reason=completed", "refused nope: x", "ok"])
    func badStatusLinesAreRefused(line: String) {
        #expect(throws: WireError.self) { try PrintPortReply(line: line) }
    }
}
