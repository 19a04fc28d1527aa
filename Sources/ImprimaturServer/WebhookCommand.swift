import ArgumentParser
import CentralServer
import Protocol

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Set where notices (seal steps and uses) are posted, signed with HMAC-SHA256.",
        subcommands: [Set.self, Clear.self, Show.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post every notice to --url; prints the shared secret (made when --secret is not given)."
        )
        @OptionGroup var options: DataOptions
        @Option(help: "The receiver's URL (http:// or https://).") var url: String
        @Option(help: "The shared secret, at least 16 characters; default: 64 random hex digits.") var secret: String?

        func run() async throws {
            try await reporting {
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count <= 2000 else {
                    throw CLIError("invalid --url: must start with http:// or https://, got \"\(url)\"")
                }
                var generator = SystemRandomNumberGenerator()
                let chosen = secret ?? Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
                guard chosen.count >= 16 else { throw CLIError("invalid --secret: must be at least 16 characters, got \(chosen.count)") }
                let store = try options.openStore()
                try await store.setWebhook(WebhookTarget(url: url, secret: chosen), audit: CLIActor.current.record(
                    "webhook.set", target: "webhook", details: ["url": url], at: SystemClock().now()
                ))
                try await store.close()
                print("webhook \(url)")
                print("secret \(chosen)")
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop posting notices (the inbox keeps them).")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                try await store.setWebhook(nil, audit: CLIActor.current.record("webhook.clear", target: "webhook", at: SystemClock().now()))
                try await store.close()
                print("webhook cleared")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the webhook URL and the outbox (the secret is not shown).")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let target = try await store.webhook()
                let outbox = try await store.webhookOutbox(limit: 100_000)
                try await store.close()
                print("webhook \(target?.url ?? "(none)")")
                let pending = outbox.filter { $0.delivered == nil }
                print("outbox: \(outbox.count - pending.count) delivered, \(pending.count) waiting\(pending.first?.lastError.map { "; last error: \($0)" } ?? "")")
            }
        }
    }
}
