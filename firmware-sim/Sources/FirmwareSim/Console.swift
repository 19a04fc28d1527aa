import ArgumentParser
import Foundation

/// Messages for a person at a terminal: errors and warnings on stderr, results on stdout.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("firmware-sim: error: \(message)\n".utf8))
    }

    /// Prints one line on stdout and flushes it at once, so a script reading the pipe sees it.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Reports `message` and ends the command with exit status 1.
    static func fail(_ message: String) -> ExitCode {
        error(message)
        return ExitCode.failure
    }
}
