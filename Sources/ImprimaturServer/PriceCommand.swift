import ArgumentParser
import CentralServer
import Protocol

struct PriceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price",
        abstract: "Set and list page prices (per paper size, colour or mono, in minor currency units).",
        subcommands: [Set.self, List.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the price of one page.")
        @OptionGroup var options: DataOptions
        @Option(help: "A4, A3, B4, B5, Letter or Legal.") var paper: String
        @Flag(help: "The price for colour pages.") var colour = false
        @Flag(help: "The price for mono pages.") var mono = false
        @Option(help: "Minor units (cents) per page, at least 1.") var price: Int64
        @Option(help: "ISO 4217 currency code.") var currency = "EUR"

        func validate() throws {
            guard colour != mono else { throw ValidationError("give exactly one of --colour and --mono") }
        }

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let set = try await AdminService(store: store).setPrice(paper: paper, colour: colour, price: price, currency: currency, by: CLIActor.current)
                try await store.close()
                print("\(set.paperSize) \(set.colour ? "colour" : "mono"): \(set.pricePerPage) \(set.currency) minor units per page")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the price table.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let prices = try await store.prices()
                try await store.close()
                printTable(["PAPER", "COLOUR", "PRICE", "CURRENCY"], prices.map {
                    [$0.paperSize.description, $0.colour ? "colour" : "mono", String($0.pricePerPage), $0.currency.code]
                })
            }
        }
    }
}

struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota",
        abstract: "Set a user's quota: first upper limit and adjustment per period.",
        subcommands: [Set.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's quota.")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String
        @Option(help: "The first upper limit per period, in pages or minor currency units.") var limit: Int64
        @Option(help: "pages or money.") var unit: String
        @Option(help: "How far beyond the first limit the user may go (overdraft).") var adjustment: Int64 = 0
        @Option(help: "daily, weekly, monthly or yearly.") var period = "monthly"
        @Option(help: "The currency of a money quota.") var currency = "EUR"

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let quota = try await AdminService(store: store).setQuota(
                    user: user, limit: limit, unit: unit, currency: currency, adjustment: adjustment, period: period, by: CLIActor.current
                )
                try await store.close()
                print("quota of \(quota.userID): \(quota.firstLimit) + \(quota.adjustment) \(quota.unit) per \(quota.period) period")
            }
        }
    }
}
