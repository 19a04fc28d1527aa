import ModbusIO
import Protocol
import Testing
@testable import CopierSimulator

@Suite("Front panel commands")
struct PanelCommandTests {
    @Test(arguments: [
        (#"{"cmd":"job","pages":3}"#, PanelCommand.job(try! CopierJobRequest(copies: 1, originals: 3))),
        (#"{"cmd":"job","copies":2,"pages":5,"colour":true,"duplex":true,"paper":"letter"}"#,
         .job(try! CopierJobRequest(copies: 2, originals: 5, colour: true, duplex: true, paper: .letter))),
        (#"{"cmd":"status"}"#, .status),
        (#"{"cmd":"cancel"}"#, .cancel),
        (#"{"cmd":"fault","delay_ms":250}"#, .modbusFault(.delay(.milliseconds(250)))),
        (#"{"cmd":"fault","exception":6}"#, .modbusFault(.exception(.serverDeviceBusy))),
        (#"{"cmd":"fault","drop":true}"#, .modbusFault(.drop)),
        (#"{"cmd":"fault","silence":true}"#, .modbusFault(.silence)),
        (#"{"cmd":"fault","clear":true}"#, .modbusFault(.none)),
        (#"{"cmd":"copier_fault","code":4}"#, .copierFault(.doorOpen)),
        (#"{"cmd":"copier_fault","clear":true}"#, .copierFault(.none)),
    ] as [(String, PanelCommand)])
    func parses(line: String, expected: PanelCommand) throws {
        let command = try PanelCommand.parse(line)
        #expect(command == expected)
        #expect(try PanelCommand.parse(command.json.text) == command, "the client's line parses to the same command")
    }

    @Test(arguments: [
        ("hello", "not JSON: unexpected character 'h' at byte 0"),
        ("[1]", "\"(top level)\" must be an object"),
        (#"{"pages":1}"#, "\"cmd\" is missing"),
        (#"{"cmd":7}"#, "\"cmd\" must be a string"),
        (#"{"cmd":"print"}"#, "unknown command \"print\" (job, status, cancel, fault, copier_fault)"),
        (#"{"cmd":"job"}"#, "\"pages\" is missing"),
        (#"{"cmd":"job","pages":0}"#, "\"pages\": 0 is outside 1...65535"),
        (#"{"cmd":"job","pages":2.5}"#, "\"pages\" must be an integer"),
        (#"{"cmd":"job","pages":1,"copies":70000}"#, "\"copies\": 70000 is outside 1...65535"),
        (#"{"cmd":"job","pages":1,"color":true}"#,
         "unknown key \"color\" (expected \"cmd\", \"copies\", \"pages\", \"colour\", \"duplex\", \"paper\")"),
        (#"{"cmd":"job","pages":1,"duplex":1}"#, "\"duplex\" must be true or false"),
        (#"{"cmd":"job","pages":1,"paper":"A5"}"#, "\"paper\": unknown paper size \"A5\" (A4, A3, B4, B5, Letter, Legal)"),
        (#"{"cmd":"status","x":1}"#, "unknown key \"x\" (expected \"cmd\")"),
        (#"{"cmd":"fault"}"#, "fault needs one of \"delay_ms\", \"exception\", \"drop\", \"silence\", \"clear\""),
        (#"{"cmd":"fault","drop":true,"silence":true}"#,
         "fault takes only one of \"delay_ms\", \"exception\", \"drop\", \"silence\", \"clear\", got \"drop\", \"silence\""),
        (#"{"cmd":"fault","drop":false}"#, "\"drop\": must be true (leave the key out instead)"),
        (#"{"cmd":"fault","delay_ms":0}"#, "\"delay_ms\": 0 is outside 1...60000"),
        (#"{"cmd":"fault","exception":7}"#, "\"exception\": 7 is not a Modbus exception code (1, 2, 3, 4, 5, 6, 8, 10, 11)"),
        (#"{"cmd":"fault","exception":300}"#, "\"exception\": 300 is outside 0...255"),
        (#"{"cmd":"copier_fault","code":0}"#, "\"code\": 0 is outside 1...5"),
        (#"{"cmd":"copier_fault"}"#, "copier_fault needs one of \"code\", \"clear\""),
    ] as [(String, String)])
    func refuses(line: String, message: String) {
        let error = #expect(throws: PanelCommandError.self) { try PanelCommand.parse(line) }
        #expect(error?.description == message)
    }

    @Test func refusesOverLongLines() {
        let line = #"{"cmd":"status","pad":""# + String(repeating: "x", count: 5000) + "\"}"
        #expect(throws: PanelCommandError.lineTooLong(limit: 4096)) { try PanelCommand.parse(line) }
    }

    @Test func jobOutcomesReadBack() throws {
        let outcomes = [
            CopierJobOutcome(sequence: 3, pagesPrinted: 5, end: .budgetExhausted, scans: ["/s/job-3-page-1.png"]),
            CopierJobOutcome(sequence: 4, pagesPrinted: 2, end: .completed, scans: []),
            CopierJobOutcome.notStarted(.lockedByAgent),
        ]
        #expect(outcomes.map(\.json.text) == [
            #"{"job":3,"pages_printed":5,"stopped":"budget","scans":["/s/job-3-page-1.png"]}"#,
            #"{"job":4,"pages_printed":2,"stopped":null,"scans":[]}"#,
            #"{"job":null,"pages_printed":0,"stopped":"locked","scans":[]}"#,
        ])
        for outcome in outcomes {
            #expect(try CopierJobOutcome(json: outcome.json) == outcome)
        }
    }

    @Test func faultInjectionDecides() {
        let answer = ModbusDecision.answer(ModbusRegisterImage(coils: 1, holdingRegisters: 1, inputRegisters: 1))
        #expect(ModbusFaultInjection.none.apply { answer } == answer)
        #expect(ModbusFaultInjection.delay(.milliseconds(5)).apply { answer } == .delay(.milliseconds(5), then: .init(answer)))
        var ran = false
        #expect(ModbusFaultInjection.exception(.serverDeviceBusy).apply { ran = true; return answer } == .exception(6))
        #expect(ModbusFaultInjection.drop.apply { ran = true; return answer } == .drop)
        #expect(ModbusFaultInjection.silence.apply { ran = true; return answer } == .silence)
        #expect(!ran, "a request is not carried out when it is refused, dropped or ignored")
    }
}
