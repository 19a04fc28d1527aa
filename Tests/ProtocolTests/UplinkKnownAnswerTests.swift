import Foundation
import Testing
@testable import Protocol

/// The worked examples of docs/protocol-uplink.md. The hex here was produced by the code and
/// checked by hand against the doc's byte tables; the tests keep code, doc and this file equal.
enum UplinkKnownAnswers {
    static let grantRequestHex =
        "494d01100000000007000000230108303441324233433401043132333408636f706965722d3101000000018bcfe56800"
    static let refusalHex = "494d011201000000070000000d0002000957726f6e672050494e"
    static let devicePublicKeyHex = "d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737"
    static let authProofSignatureHex =
        "506f2ae6d31a9f03592c74e760c5bc65be88aa98aae782472266ac355e89e5bcdc1fbd0a34eb0468db6feb166c1f7933a95a776c3eae212d77704b40fe498c08"

    static var doc: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/protocol-uplink.md"), encoding: .utf8)
        }
    }
}

@Suite("Uplink known answers")
struct UplinkKnownAnswerTests {
    private func sample(_ name: String) throws -> UplinkFrame {
        try #require(UplinkSamples.all.first { $0.name == name }).frame
    }

    @Test func grantRequestFrameBytes() throws {
        let frame = try sample("grant-request-card")
        #expect(Hex.encode(frame.encode()) == UplinkKnownAnswers.grantRequestHex)
        #expect(try UplinkFrame.decode(try #require(Hex.decode(UplinkKnownAnswers.grantRequestHex))) == frame)
    }

    @Test func refusalFrameBytes() throws {
        let frame = try sample("refusal")
        #expect(Hex.encode(frame.encode()) == UplinkKnownAnswers.refusalHex)
        #expect(try UplinkFrame.decode(try #require(Hex.decode(UplinkKnownAnswers.refusalHex))) == frame)
    }

    @Test func docShowsTheseExamples() throws {
        let doc = try UplinkKnownAnswers.doc
        for hex in [
            UplinkKnownAnswers.grantRequestHex, UplinkKnownAnswers.refusalHex,
            UplinkKnownAnswers.devicePublicKeyHex, UplinkKnownAnswers.authProofSignatureHex,
        ] {
            #expect(doc.contains(hex), "docs/protocol-uplink.md lacks \(hex)")
        }
    }

    @Test func docTablesListEveryCode() throws {
        let doc = try UplinkKnownAnswers.doc
        for type in UplinkMessageType.allCases {
            #expect(doc.contains("| `0x\(Hex.encode([type.rawValue]))` | `\(type)` |"), "type \(type)")
        }
        for reason in UplinkMessage.RefusalReason.allCases {
            #expect(doc.contains("| \(reason.rawValue) | `\(reason)` |"), "refusal reason \(reason)")
        }
        for code in UplinkMessage.ErrorCode.allCases {
            #expect(doc.contains("| \(code.rawValue) | `\(code)` |"), "error code \(code)")
        }
    }
}
