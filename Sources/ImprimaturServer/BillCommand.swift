import ArgumentParser
import CentralServer
import Foundation
import Protocol

struct BillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill",
        abstract: "Issue, show and list bills that a device can check (docs/bills.md).",
        subcommands: [Issue.self, Show.self, List.self]
    )

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a bill for an account and period; prints its id, or with --out writes its JSON there.",
            discussion: "Times: YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or milliseconds. A bill is never changed: to correct one, issue another with --corrects."
        )
        @OptionGroup var options: DataOptions
        @Option(help: "user:<id> or department:<name>.") var account: String
        @Option(help: "The period's start (inclusive).") var from: String
        @Option(help: "The period's end (exclusive); default one month after --from.") var to: String?
        @Option(help: "The id of the bill this one corrects.") var corrects: String?
        @Option(help: "ISO 4217 currency; default the first priced currency.") var currency: String?
        @Option(help: "Write the bill's JSON to this file.") var out: String?

        func run() async throws {
            try await reporting {
                let start = try BillTime.parse(from, field: "from")
                let end = try to.map { text throws(InputError) in try BillTime.parse(text, field: "to") } ?? BillTime.monthAfter(start)
                let store = try options.openStore()
                let issued: (bill: Bill, json: String)
                do {
                    issued = try await BillService(store: store).issue(
                        BillService.Request(account: account, start: start, end: end, corrects: corrects, currency: currency), by: CLIActor.current
                    )
                } catch {
                    try? await store.close()
                    throw error
                }
                try await store.close()
                if let out {
                    try Data((issued.json + "\n").utf8).write(to: URL(fileURLWithPath: out))
                }
                let bill = issued.bill
                print("\(bill.id) \(bill.account) \(TimeText.iso8601(start))..\(TimeText.iso8601(end)): \(bill.lines.count) jobs, amount \(bill.amount) (minor units of \(bill.currency ?? "-")), usage hash \(bill.usageHash)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a bill's JSON exactly as issued.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The bill's id.") var id: String

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let json = try await store.billJSON(id: id)
                try await store.close()
                guard let json else { throw CLIError("bill \(id) not found") }
                print(json)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List issued bills, newest first.")
        @OptionGroup var options: DataOptions
        @Option(help: "Only this account's bills.") var account: String?

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let bills = try await store.bills(account: account, limit: 1000)
                try await store.close()
                printTable(["ID", "ACCOUNT", "FROM", "TO", "JOBS", "AMOUNT", "CURRENCY", "CORRECTS"], bills.map {
                    [$0.id, $0.account, TimeText.iso8601(Timestamp(millisecondsSinceEpoch: $0.periodStart)),
                     TimeText.iso8601(Timestamp(millisecondsSinceEpoch: $0.periodEnd)), String($0.lines), String($0.amount), $0.currency ?? "-", $0.corrects ?? "-"]
                })
            }
        }
    }
}
