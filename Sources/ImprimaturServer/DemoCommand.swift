import ArgumentParser
import CentralServer
import Foundation

/// `imprimatur-server demo seed`: weeks of demo use for `make run` and the browser tests.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demo data for trying the web pages.",
        subcommands: [Seed.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a demo device with weeks of copy jobs (scanned pages included), a bill, a held split job and a pending seal application (once per data folder)."
        )
        @OptionGroup var options: DataOptions
        @Option(help: "How many days of history, up to today.") var days = 60

        func validate() throws {
            guard (1...400).contains(days) else { throw ValidationError("--days must be 1 to 400") }
        }

        func run() async throws {
            DataOptions.restrictNewFiles()
            try await reporting {
                let services = try ServerServices.open(dataDirectory: options.data)
                guard let blobs = services.blobs else { throw CLIError("the data folder has no blob store") }
                do {
                    print(try await DemoHistory.seed(services: services, blobs: blobs, days: days))
                } catch let refusal as DemoHistory.Refusal {
                    throw CLIError(refusal.description)
                }
                try await services.store.close()
            }
        }
    }
}
