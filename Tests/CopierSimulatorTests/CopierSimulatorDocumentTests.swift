import Foundation
import Testing
@testable import CopierSimulator

/// Keeps docs/copier-simulator.md true: its state file example is what the code writes, its
/// example requests are commands the panel accepts, and every status key is documented.
@Suite("docs/copier-simulator.md")
struct CopierSimulatorDocumentTests {
    static let document: String = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/copier-simulator.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func theStateFileExampleIsWhatTheCodeWrites() throws {
        let text = Self.document
        let begin = try #require(text.range(of: "<!-- state-example:begin -->\n```json\n"))
        let end = try #require(text.range(of: "```\n<!-- state-example:end -->"))
        let example = String(text[begin.upperBound..<end.lowerBound])
        #expect(example == String(decoding: try CopierMemoryTests.sample().fileBytes, as: UTF8.self))
        #expect(try CopierMemory(fileBytes: Array(example.utf8)) == CopierMemoryTests.sample())
    }

    @Test func everyExampleRequestIsACommand() throws {
        let requests = Self.document.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let start = trimmed.range(of: #"{"cmd":"#) else { return nil }
            // In table cells the request is in backquotes; N stands for a number.
            let request = trimmed[start.lowerBound...].prefix { $0 != "`" }
            return request.replacingOccurrences(of: ":N}", with: ":5}")
        }
        #expect(requests.count >= 8)
        for request in requests {
            #expect(throws: Never.self, "\(request)") { try PanelCommand.parse(request) }
        }
    }

    @Test func exampleErrorsAreTheOnesTheCodeGives() {
        for (request, message) in [
            (#"{"cmd":"job","pages":1,"color":true}"#, #"unknown key \"color\" (expected \"cmd\", \"copies\", \"pages\", \"colour\", \"duplex\", \"paper\")"#),
            (#"{"cmd":"job","pages":0}"#, #"\"pages\": 0 is outside 1...65535"#),
            ("hello", "not JSON: unexpected character 'h' at byte 0"),
        ] {
            let error = #expect(throws: PanelCommandError.self) { try PanelCommand.parse(request) }
            #expect(error.map { PanelStatus.error($0.description).text } == #"{"error":"\#(message)"}"#)
            #expect(Self.document.contains(#"{"error":"\#(message)"}"#))
        }
    }

    @Test func everyStatusKeyIsDocumented() throws {
        var controller = CopierController.fresh()
        controller.unlock(budget: 5, at: ms(0))
        _ = try controller.start(originals: 2, at: ms(0))
        let status = try #require(PanelStatus.json(controller, modbusFault: .none).objectValue)
        var keys = status.keys
        keys += try #require(status["current_job"]?.objectValue).keys.map { "\"\($0)\"" }
        for key in keys where !key.hasPrefix("\"") {
            #expect(Self.document.contains("`\(key)`") || Self.document.contains(", `\(key)`"), "status key \(key) is not in the document")
        }
        for key in keys where key.hasPrefix("\"") {
            #expect(Self.document.contains(key), "current_job key \(key) is not in the document")
        }
    }
}
