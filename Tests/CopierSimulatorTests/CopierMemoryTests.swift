import Foundation
import Protocol
import Testing
import TestSupport
@testable import CopierSimulator

@Suite("Copier memory: the state file")
struct CopierMemoryTests {
    static func sample() throws -> CopierMemory {
        try CopierMemory(
            model: .simulatedColour, firmware: CopierFirmwareVersion(major: 1, minor: 2, patch: 3), bootCount: 4,
            totals: CopierTotals(pages: 9, colourPages: 2, monoPages: 7), latestSequence: 17,
            jobs: [
                CopierJobRecord(sequence: 17, sessionTag: 5, colourPages: 0, monoPages: 4, copies: 2, duplex: true, paperSize: .b4, end: .budgetExhausted),
                CopierJobRecord(sequence: 2, sessionTag: 5, colourPages: 2, monoPages: 3, copies: 1, duplex: false, paperSize: .a4, end: .completed),
            ]
        )
    }

    static let sampleText = """
        {"format":1,"model":"IMP-SIM-C45","firmware":"1.2.3","boot_count":4,"total_pages":9,"total_colour_pages":2,\
        "total_mono_pages":7,"latest_job":17,"jobs":[{"job":2,"session_tag":5,"colour_pages":2,"mono_pages":3,"copies":1,\
        "duplex":false,"paper":"A4","end":"completed"},{"job":17,"session_tag":5,"colour_pages":0,"mono_pages":4,"copies":2,\
        "duplex":true,"paper":"B4","end":"budget"}]}

        """

    @Test func encodesToTheDocumentedText() throws {
        #expect(String(decoding: try Self.sample().fileBytes, as: UTF8.self) == Self.sampleText)
    }

    @Test func roundTrips() throws {
        let memory = try Self.sample()
        #expect(try CopierMemory(fileBytes: memory.fileBytes) == memory)
        let fresh = CopierMemory.factoryNew(model: .simulatedMono)
        #expect(try CopierMemory(fileBytes: fresh.fileBytes) == fresh)
    }

    struct CorruptCase: Sendable, CustomTestStringConvertible {
        let edit: @Sendable (String) -> String
        let problem: CopierMemoryProblem
        let name: String
        var testDescription: String { name }
    }

    static let corruptCases: [CorruptCase] = [
        CorruptCase(edit: { String($0.prefix(40)) }, problem: .notJSON(JSONParseError(offset: 40, reason: "unterminated string")), name: "truncated"),
        CorruptCase(edit: { _ in "" }, problem: .notJSON(JSONParseError(offset: 0, reason: "unexpected end of input")), name: "empty"),
        CorruptCase(edit: { _ in "[]" }, problem: .field(.wrongType(field: "(top level)", expected: "an object")), name: "not an object"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"format\":1", with: "\"format\":2") }, problem: .unsupportedFormat(2), name: "format"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"boot_count\":4,", with: "") }, problem: .field(.missing("boot_count")), name: "missing field"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"boot_count\":4", with: "\"boot_count\":\"4\"") },
                    problem: .field(.wrongType(field: "boot_count", expected: "an integer")), name: "wrong type"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"boot_count\":4", with: "\"boot_count\":-1") },
                    problem: .field(.invalid(field: "boot_count", reason: "-1 is outside 0...4294967295")), name: "negative"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"boot_count\":4", with: "\"boot_count\":4,\"extra\":1") },
                    problem: .field(.unknown(field: "extra", allowed: CopierMemory.topKeys)), name: "unknown field"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "IMP-SIM-C45", with: "IMP-X") },
                    problem: .field(.invalid(field: "model", reason: "unknown model \"IMP-X\" (known: IMP-SIM-C45, IMP-SIM-M30)")), name: "model"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "1.2.3", with: "1.2") },
                    problem: .field(.invalid(field: "firmware", reason: "\"1.2\" is not MAJOR.MINOR.PATCH")), name: "firmware"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"B4\"", with: "\"A9\"") },
                    problem: .field(.invalid(field: "jobs[1].paper", reason: "unknown paper size \"A9\"")), name: "paper"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"budget\"", with: "\"exploded\"") },
                    problem: .field(.invalid(field: "jobs[1].end", reason: "unknown end reason \"exploded\"")), name: "end reason"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"copies\":2", with: "\"copies\":0") },
                    problem: .field(.invalid(field: "jobs[1].copies", reason: "0 is outside 1...65535")), name: "copies"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"job\":2,", with: "\"job\":0,") },
                    problem: .field(.invalid(field: "jobs[0].job", reason: "0 is outside 1...4294967295")), name: "sequence 0"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"total_pages\":9", with: "\"total_pages\":10") },
                    problem: .inconsistent("total pages 10 is not total colour 2 + total mono 7"), name: "totals"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"latest_job\":17", with: "\"latest_job\":16") },
                    problem: .inconsistent("job 17 is newer than the latest job 16"), name: "job newer than latest"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"latest_job\":17", with: "\"latest_job\":18") },
                    problem: .inconsistent("job 2 would have been overwritten by job 18"), name: "overwritten job kept"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"job\":2,", with: "\"job\":1,").replacingOccurrences(of: "\"job\":17,", with: "\"job\":15,").replacingOccurrences(of: "\"latest_job\":17", with: "\"latest_job\":16") },
                    problem: .inconsistent("the latest job 16 has no record"), name: "latest without record"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"job\":2,", with: "\"job\":1,") },
                    problem: .inconsistent("job 1 would have been overwritten by job 17"), name: "two jobs in one slot"),
        CorruptCase(edit: { $0.replacingOccurrences(of: "\"job\":2,", with: "\"job\":17,") },
                    problem: .inconsistent("job 17 is listed twice"), name: "one job twice"),
    ]

    @Test(arguments: corruptCases)
    func corruptContentsAreRefusedByName(_ test: CorruptCase) {
        let text = test.edit(Self.sampleText)
        #expect(throws: test.problem) { try CopierMemory(fileBytes: Array(text.utf8)) }
    }

    @Test func theStoreSavesAtomicallyAndLoadsBack() throws {
        let directory = try TemporaryDirectory("copier-memory")
        let store = CopierMemoryStore(directory: directory.appending("state"))
        #expect(try store.load() == nil)
        let memory = try Self.sample()
        try store.save(memory)
        #expect(try store.load() == memory)
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        #expect(names == [CopierMemoryStore.fileName], "no temporary file is left behind")
        try store.erase()
        #expect(try store.load() == nil)
    }

    @Test func aCorruptFileIsReportedWithItsPathAndNeverReplaced() throws {
        let directory = try TemporaryDirectory("copier-memory")
        let store = CopierMemoryStore(directory: directory.path)
        let garbage = "{\"format\":1,\"model\":"
        try garbage.write(toFile: store.path, atomically: false, encoding: .utf8)
        let error = #expect(throws: CopierMemoryError.self) { try store.load() }
        #expect(error?.description.contains(store.path) == true)
        #expect(error?.description.contains("--reset-state") == true)
        #expect(throws: CopierSimulatorError.self) { try CopierSimulator(options: CopierSimulatorOptions(stateDirectory: directory.path)) }
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == garbage)
    }
}
