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
        abstract: "Quotas: first upper limit and adjustment per period, payments, adjustments, the ledger (docs/quotas.md).",
        subcommands: [Set.self, Show.self, Pay.self, Adjust.self]
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

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user's quota this period and their newest ledger entries.")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String
        @Option(help: "How many ledger entries to show.") var entries = 20

        func run() async throws {
            try await reporting {
                let services = try ServerServices.open(dataDirectory: options.data)
                do {
                    try await show(services)
                } catch {
                    try? await services.store.close()
                    throw error
                }
                try await services.store.close()
            }
        }

        private func show(_ services: ServerServices) async throws {
            let userID = try InputRules.userID(user, field: "user")
            guard let quota = try await services.store.quota(userID: userID),
                  let state = try await services.grants.quotaState(userID: userID, now: services.clock.now())
            else { throw CLIError("user \(user) has no quota") }
            print("quota of \(userID): \(quota.firstLimit) + \(quota.adjustment) \(quota.unit) per \(quota.period) period, now \(state.period)")
            print("first limit \(state.firstLimit), adjustment \(state.adjustment), second limit \(state.secondLimit), used \(state.used), remaining \(state.remaining)")
            print("paid \(state.paid) (repaid overdraft \(state.repaid)), overdraft used \(state.overdraftUsed)")
            let ledger = try await services.store.ledger(userID: userID, limit: max(1, entries))
            printTable(["ID", "AT", "KIND", "PAGES", "AMOUNT", "CURRENCY", "ACTOR", "NOTE"], ledger.map {
                [String($0.id ?? 0), TimeText.iso8601($0.at), $0.kind.rawValue, String($0.pages), String($0.amount), $0.currency?.code ?? "-", $0.actor, $0.note]
            })
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a payment: it repays overdraft used, then raises the first limit (docs/quotas.md).")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String
        @Option(help: "Minor currency units (cents) paid, at least 1.") var amount: Int64
        @Option(help: "The currency (default: a money quota's own).") var currency: String?
        @Option(help: "Why (a receipt number, say).") var note: String?

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let entry = try await AdminService(store: store).recordPayment(user: user, amount: amount, currency: currency, note: note, by: CLIActor.current)
                try await store.close()
                print("payment of \(entry.amount) \(entry.currency?.code ?? "") recorded for \(entry.userID)\(entry.pages > 0 ? " (buys \(entry.pages) pages)" : "")")
            }
        }
    }

    struct Adjust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise (or, negative, lower) a user's adjustment for this period only.")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String
        @Option(help: "Pages or minor units, in the quota's unit; negative lowers.") var amount: Int64
        @Option(help: "Why.") var note: String

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let entry = try await AdminService(store: store).adjust(user: user, amount: amount, note: note, by: CLIActor.current)
                try await store.close()
                print("adjustment of \(entry.currency == nil ? entry.pages : entry.amount) recorded for \(entry.userID) this period")
            }
        }
    }
}

struct PaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "The payment provider's webhook.",
        subcommands: [WebhookSecret.self]
    )

    struct WebhookSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook-secret",
            abstract: "Print the webhook's HMAC secret (made on first use; restart serve after making or rotating it)."
        )
        @OptionGroup var options: DataOptions
        @Flag(help: "Replace the secret with a new one (the provider must be given it).") var rotate = false

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let (secret, created) = try PaymentWebhookSecret.loadOrCreate(dataDirectory: options.data, rotate: rotate)
                if created {
                    try await store.appendAudit(AuditRecord(
                        actor: CLIActor.current.actor, source: "cli", action: rotate ? "payments.webhook-secret.rotate" : "payments.webhook-secret.create",
                        target: "payments:webhook", at: SystemClock().now()
                    ))
                }
                try await store.close()
                print(Hex.encode(secret))
            }
        }
    }
}
