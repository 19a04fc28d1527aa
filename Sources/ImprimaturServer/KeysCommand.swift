import ArgumentParser
import CentralServer
import Protocol

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List and rotate the server's grant-signing keys.",
        subcommands: [List.self, Rotate.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the signing keys and which of them agents are told about.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let keys = try KeyDirectory(dataDirectory: options.data).load()
                let now = SystemClock().now()
                let published = Dictionary(uniqueKeysWithValues: keys.published(at: now, maximumGrantLifetime: GrantPolicy().maximumGrantLifetime).map { ($0.keyID, $0) })
                printTable(["KEY ID", "CREATED", "STATE", "PUBLISHED UNTIL", "PUBLIC KEY"], keys.keys.map { key in
                    let state: String
                    if key.retired == nil { state = "current" } else if published[key.keyID] != nil { state = "retired, still verifies" } else { state = "expired" }
                    let until = key.retired == nil ? "-" : published[key.keyID]?.publishedUntil.map(TimeText.iso8601) ?? "no longer"
                    return [key.keyID.description, TimeText.iso8601(key.created), state, until, Hex.encode(key.publicKey.bytes)]
                })
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new current signing key; the old one keeps verifying what it signed until that expires."
        )
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                DataOptions.restrictNewFiles()
                try DataDirectory.create(options.data)
                let now = SystemClock().now()
                let before = try? KeyDirectory(dataDirectory: options.data).load().current.keyID
                let keys = try KeyDirectory(dataDirectory: options.data).rotate(now: now)
                let store = try options.openStore()
                try await store.appendAudit(CLIActor.current.record(
                    "keys.rotate", target: "key:\(keys.current.keyID)", details: ["retired": before?.description ?? "none"], at: now
                ))
                try await store.close()
                print("new signing key \(keys.current.keyID)\(before.map { "; \($0) retired, still verifies until \(TimeText.iso8601(now.adding(milliseconds: GrantPolicy().maximumGrantLifetime)))" } ?? "")")
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create API tokens for the REST API.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new API token for a user (sent as Authorization: Bearer <token>).")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id the token acts as.") var user: String
        @Option(help: "A name to recognise the token by.") var name = "api"

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let token = try await AdminService(store: store).createAPIToken(user: user, name: name, by: CLIActor.current)
                try await store.close()
                print(token)
                printToStandardError("API token for user \(user); it is not shown again")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log's hash chain.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the audit chain; exits 1 and names the entry if it is broken.",
            discussion: """
                With --against FILE the chain is also held to a signed audit head kept outside the server (`imprimatur-agent audit-head`,
                GET /api/v1/audit/head): exit 3 when the database no longer matches it (an entry changed, or the chain truncated),
                4 when FILE is not signed by a key of this server, 2 when FILE cannot be read.
                """
        )
        @OptionGroup var options: DataOptions

        @Option(name: .long, help: "A signed audit head (JSON anchor file) to check the chain against.")
        var against: String?

        func run() async throws {
            if let against {
                try await AuditAnchorVerification.run(data: options, anchorPath: against)
                return
            }
            let verdict = try await reporting {
                let store = try options.openStore()
                let verdict = try await store.verifyAuditChain()
                try await store.close()
                return verdict
            }
            switch verdict {
            case .intact:
                print(verdict.description)
            case .broken:
                throw CLIError(verdict.description)
            }
        }
    }
}

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3 document of the REST API (what /openapi.yaml serves; docs/openapi.yaml is this output)."
    )

    func run() {
        print(OpenAPIDocument.yaml)
    }
}
