import ArgumentParser
import CentralServer
import Foundation
import Protocol
#if canImport(Glibc)
import Glibc
#endif

/// `--data DIR`, shared by every command.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The server's data folder (SQLite store, signing keys).")
    var data: String = "./var/server"

    /// Opens the store in the data folder (creating both on first use).
    func openStore() throws -> SQLiteServerStore {
        Self.restrictNewFiles()
        return try SQLiteServerStore(dataDirectory: data)
    }

    /// Files the server creates (the database and its journal, keys) are for its own user only,
    /// whatever the umask it was started with.
    static func restrictNewFiles() {
        umask(0o077)
    }
}

/// A failure the CLI reports as one clear line and a non-zero exit code.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    /// Rephrases what the library threw in the CLI's terms (`--pin` rather than `pin`).
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as AdminError:
            if case let .input(input) = error { return CLIError("invalid --\(input.field): \(input.message)") }
            return CLIError(error.description)
        case let error as InputError:
            return CLIError("invalid --\(error.field): \(error.message)")
        case let error as any CustomStringConvertible:
            return CLIError(error.description)
        default:
            return CLIError("\(error)")
        }
    }
}

/// Runs `work`, turning any error into a `CLIError` (printed by ArgumentParser as
/// `Error: ...`, exit code 1).
func reporting<T>(_ work: () async throws -> T) async throws -> T {
    do { return try await work() } catch let error as CLIError { throw error } catch { throw CLIError.from(error) }
}

enum CLIActor {
    /// `cli:<unix user>`: who ran the command, for the audit log.
    static var current: AuditActor {
        var name: String?
        if let entry = getpwuid(geteuid()), let raw = entry.pointee.pw_name { name = String(cString: raw) }
        return .cli(name ?? ProcessInfo.processInfo.environment["USER"] ?? "uid\(geteuid())")
    }
}

/// Prints a table: a header line, then the rows, columns padded to the widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

/// One line on stderr: notes for the person that must not mix with output meant for scripts.
func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
