import ArgumentParser
import CentralServer
import Protocol

struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Create and show the CA and server certificate the server serves HTTPS and WSS with.",
        subcommands: [Init.self, Show.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a CA and a server certificate signed by it in <data>/tls (or, with --renew-server, a new server certificate from the existing CA).",
            discussion: "Copy <data>/tls/ca.pem to each agent and set server.ca_file to it. See docs/server.md, \"TLS\"."
        )
        @OptionGroup var options: DataOptions

        @Option(name: .customLong("host"), help: "A DNS name agents use to reach the server (repeat for more; default localhost).")
        var hosts: [String] = []

        @Option(name: .customLong("ip"), help: "An IP address agents use to reach the server (repeat for more; default 127.0.0.1).")
        var ips: [String] = []

        @Option(help: "Days the server certificate is valid (1 to 3650).")
        var days = TLSDirectory.defaultServerDays

        @Option(help: "Days the CA is valid (1 to 7300; default 3650).")
        var caDays: Int?

        @Flag(help: "Replace an existing CA (every agent then needs the new ca.pem).")
        var force = false

        @Flag(help: "Keep the CA; issue a new server key and certificate (the current names unless --host/--ip are given).")
        var renewServer = false

        func validate() throws {
            if force && renewServer { throw ValidationError("--force replaces the CA, --renew-server keeps it: give one of them") }
            if renewServer && caDays != nil { throw ValidationError("--ca-days applies to a new CA, not to --renew-server") }
        }

        func run() async throws {
            try await reporting {
                DataOptions.restrictNewFiles()
                try DataDirectory.create(options.data)
                let directory = TLSDirectory(dataDirectory: options.data)
                let now = SystemClock().now()
                let issued: TLSDirectory.Issued
                if renewServer {
                    let names = hosts.isEmpty && ips.isEmpty ? nil : try TLSServerNames(dnsNames: hosts, ipAddresses: ips)
                    issued = try directory.renewServer(names: names, days: days, now: now)
                } else {
                    let names = try TLSServerNames(dnsNames: hosts, ipAddresses: ips)
                    issued = try directory.initialize(
                        names: names, serverDays: days, caDays: caDays ?? TLSDirectory.defaultCADays, force: force, now: now
                    )
                }
                let store = try options.openStore()
                try await store.appendAudit(CLIActor.current.record(
                    renewServer ? "tls.renew-server" : "tls.init", target: "tls:server",
                    details: [
                        "ca_sha256": issued.ca.sha256Fingerprint, "server_sha256": issued.server.sha256Fingerprint,
                        "names": Self.names(issued.server), "not_valid_after": TimeText.iso8601(issued.server.notValidAfter),
                    ],
                    at: now
                ))
                try await store.close()

                print(renewServer ? "issued a new server certificate with the existing CA" : "created a CA and a server certificate")
                printTable(["FILE", "WHAT"], [
                    [directory.caCertificateFile, renewServer ? "CA certificate (unchanged)" : "CA certificate: copy it to each agent (server.ca_file)"],
                    [directory.caKeyFile, renewServer ? "CA key (unchanged)" : "CA key, 0600: keep it private; --renew-server needs it"],
                    [directory.serverCertificateFile, "server certificate for \(Self.names(issued.server)), valid until \(TimeText.iso8601(issued.server.notValidAfter))"],
                    [directory.serverKeyFile, "server key, 0600"],
                ])
                print("CA SHA-256 fingerprint: \(issued.ca.sha256Fingerprint)")
                printToStandardError("serve with: imprimatur-server serve --data \(options.data) --tls --host 0.0.0.0")
            }
        }

        static func names(_ summary: TLSCertificateSummary) -> String {
            (summary.dnsNames.map { "DNS:\($0)" } + summary.ipAddresses.map { "IP:\($0)" }).joined(separator: ", ")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the subject, names, validity and fingerprint of the CA and server certificates.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let directory = TLSDirectory(dataDirectory: options.data)
                let (ca, server) = try directory.summaries()
                guard ca != nil || server != nil else {
                    throw CLIError("no certificates in \(directory.path); create them with: imprimatur-server tls init --data \(options.data)")
                }
                let now = SystemClock().now()
                for (title, file, summary) in [("CA", directory.caCertificateFile, ca), ("server certificate", directory.serverCertificateFile, server)] {
                    guard let summary else {
                        print("\(title): none (\(file) does not exist)")
                        continue
                    }
                    print("\(title) (\(file))")
                    for line in summary.lines(now: now) { print(line) }
                }
            }
        }
    }
}
