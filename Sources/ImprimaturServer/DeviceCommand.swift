import ArgumentParser
import CentralServer
import Protocol

struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Create enrolment tokens, list, disable and enable devices, and limit who may use them.",
        subcommands: [Token.self, List.self, Disable.self, Enable.self, Allow.self]
    )

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a one-time enrolment token for a new device.")
        @OptionGroup var options: DataOptions
        @Option(help: "The name the device will get, e.g. \"3rd floor copier\".") var name: String
        @Option(help: "How long the token stays valid: a number and s, m, h or d (1 minute to 30 days).") var expires = "24h"

        func run() async throws {
            try await reporting {
                let lifetime = try TimeText.duration(expires, field: "expires")
                let store = try options.openStore()
                let (token, until) = try await AdminService(store: store).createEnrollmentToken(name: name, lifetime: lifetime, by: CLIActor.current)
                try await store.close()
                print(token)
                printToStandardError("enrolment token for \"\(name)\", valid once until \(TimeText.iso8601(until)); it is not shown again")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled devices.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let devices = try await store.devices()
                try await store.close()
                printTable(
                    ["ID", "NAME", "MODEL", "FIRMWARE", "STATE", "ENROLLED", "LAST SEEN", "KEY ID", "RESOURCES"],
                    devices.map {
                        [$0.id.value, $0.name, $0.model, $0.firmware, $0.state.rawValue, TimeText.iso8601($0.enrolledAt),
                         $0.lastSeen.map(TimeText.iso8601) ?? "never", $0.publicKey.keyID.description,
                         $0.resources.map { "\($0.id):\($0.type)" }.joined(separator: ",")]
                    }
                )
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a device: its grant requests are refused.")
        @OptionGroup var options: DataOptions
        @Option(help: "The device id.") var device: String

        func run() async throws {
            try await setState(options, device, .disabled)
            print("disabled device \(device)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled device again.")
        @OptionGroup var options: DataOptions
        @Option(help: "The device id.") var device: String

        func run() async throws {
            try await setState(options, device, .active)
            print("enabled device \(device)")
        }
    }

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set who may use a device.",
            discussion: "With no --user and no --department the device is open to every user again. Otherwise only the users named and the members of the departments named may use it."
        )
        @OptionGroup var options: DataOptions
        @Option(help: "The device id.") var device: String
        @Option(help: "A user id; repeat for more.") var user: [String] = []
        @Option(help: "A department; repeat for more.") var department: [String] = []

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                try await AdminService(store: store).setDevicePermissions(device, users: user, departments: department, by: CLIActor.current)
                try await store.close()
                print(user.isEmpty && department.isEmpty ? "device \(device) is open to every user" : "device \(device) is limited to \((user.map { "user \($0)" } + department.map { "department \($0)" }).joined(separator: ", "))")
            }
        }
    }
}

private func setState(_ options: DataOptions, _ device: String, _ state: DeviceState) async throws {
    try await reporting {
        let store = try options.openStore()
        try await AdminService(store: store).setDeviceState(device, state: state, by: CLIActor.current)
        try await store.close()
    }
}
