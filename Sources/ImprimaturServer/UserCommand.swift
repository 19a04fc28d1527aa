import ArgumentParser
import CentralServer
import Protocol

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, disable and enable users, and set their PINs.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, SetPIN.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a card, a PIN and one or more roles.")

        @OptionGroup var options: DataOptions
        @Option(help: "The person's name, e.g. \"Alice Smith\".") var name: String
        @Option(help: "The user id (default: made from the name, e.g. alice.smith).") var id: String?
        @Option(help: "A card number; repeat for more cards.") var card: [String] = []
        @Option(help: "The PIN: 4 to 16 digits.") var pin: String?
        @Option(help: "employee, approver, administrator or auditor; repeat or separate with commas.") var role: [String]
        @Option(help: "The department (devices can be limited to departments).") var department: String?
        @Option(help: "A password for the web pages (8 characters or more).") var password: String?

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let admin = AdminService(store: store)
                let user = try await admin.createUser(
                    AdminService.NewUser(id: id, name: name, department: department, roles: role, cards: card, pin: pin, password: password),
                    by: CLIActor.current
                )
                try await store.close()
                print("added user \(user.id) (\(user.name)), roles \(user.roles.sorted().map(\.rawValue).joined(separator: ",")), cards \(user.cards.isEmpty ? "none" : user.cards.joined(separator: ","))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let users = try await store.users()
                try await store.close()
                printTable(
                    ["ID", "NAME", "DEPARTMENT", "ROLES", "ACTIVE", "PIN", "CARDS"],
                    users.map {
                        [$0.id.value, $0.name, $0.department ?? "-", $0.roles.sorted().map(\.rawValue).joined(separator: ","),
                         $0.active ? "yes" : "no", $0.pinHash == nil ? "no" : "yes", $0.cards.joined(separator: ",")]
                    }
                )
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: their grant requests are refused.")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String

        func run() async throws {
            try await setActive(options, user, false)
            print("disabled user \(user)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user again.")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String

        func run() async throws {
            try await setActive(options, user, true)
            print("enabled user \(user)")
        }
    }

    struct SetPIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-pin", abstract: "Set a user's PIN (and forget their wrong tries).")
        @OptionGroup var options: DataOptions
        @Option(help: "The user id.") var user: String
        @Option(help: "The new PIN: 4 to 16 digits.") var pin: String

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                try await AdminService(store: store).setPIN(user, pin: pin, by: CLIActor.current)
                try await store.close()
                print("set the PIN of user \(user)")
            }
        }
    }
}

private func setActive(_ options: DataOptions, _ user: String, _ active: Bool) async throws {
    try await reporting {
        let store = try options.openStore()
        try await AdminService(store: store).setActive(user, active: active, by: CLIActor.current)
        try await store.close()
    }
}
