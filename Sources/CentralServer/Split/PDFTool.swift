import Foundation

/// Page counts and page extraction with qpdf (Debian package `qpdf`), run as a child process on
/// files in a private temporary folder: no hand-written PDF parser (issue 5).
public struct PDFTool: Sendable {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The bytes are not a PDF qpdf can read; `detail` is qpdf's own word.
        case malformed(String)
        case toolMissing(String)
        case io(String)

        public var description: String {
            switch self {
            case let .malformed(detail): return "not a readable PDF: \(detail)"
            case let .toolMissing(path): return "the PDF tool \(path) is not installed (Debian package qpdf)"
            case let .io(detail): return "PDF tool failed: \(detail)"
            }
        }
    }

    public let qpdf: String

    public init(qpdf: String = "/usr/bin/qpdf") {
        self.qpdf = qpdf
    }

    /// The document's page count; `.malformed` for anything qpdf cannot read.
    public func pageCount(_ pdf: [UInt8]) throws(Failure) -> Int {
        guard pdf.starts(with: Array("%PDF-".utf8)) else { throw .malformed("it does not start with %PDF-") }
        return try inFolder { folder throws(Failure) in
            let input = folder + "/in.pdf"
            try write(pdf, to: input)
            let (status, output, errors) = try run(["--show-npages", input], errorsTo: folder + "/errors.txt")
            // 0: fine; 3: read with warnings (qpdf repaired it); 2: errors.
            guard status == 0 || status == 3, let count = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)), count >= 0 else {
                throw .malformed(Self.firstLine(errors, or: "qpdf exit status \(status)"))
            }
            return count
        }
    }

    /// A new PDF with pages `first...last` (from 1) of `pdf`.
    public func extract(_ pdf: [UInt8], first: Int, last: Int) throws(Failure) -> [UInt8] {
        try inFolder { folder throws(Failure) in
            let input = folder + "/in.pdf", output = folder + "/out.pdf"
            try write(pdf, to: input)
            let (status, _, errors) = try run(["--empty", "--pages", input, "\(first)-\(last)", "--", output], errorsTo: folder + "/errors.txt")
            guard status == 0 || status == 3 else { throw .malformed(Self.firstLine(errors, or: "qpdf exit status \(status)")) }
            guard let data = FileManager.default.contents(atPath: output) else { throw .io("qpdf wrote no output") }
            return Array(data)
        }
    }

    private func inFolder<T>(_ body: (String) throws(Failure) -> T) throws(Failure) -> T {
        let folder = NSTemporaryDirectory() + "imprimatur-pdf-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch { throw .io("cannot make a temporary folder: \(error)") }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    private func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw .io("cannot write \(path)")
        }
    }

    /// Runs qpdf; its stdout (a page count at most) through a pipe, its stderr into a file, since
    /// a damaged PDF can make qpdf warn far more than a pipe holds while nobody reads it.
    private func run(_ arguments: [String], errorsTo errorPath: String) throws(Failure) -> (Int32, String, String) {
        guard FileManager.default.isExecutableFile(atPath: qpdf) else { throw .toolMissing(qpdf) }
        guard FileManager.default.createFile(atPath: errorPath, contents: nil), let errorFile = FileHandle(forWritingAtPath: errorPath) else {
            throw .io("cannot write \(errorPath)")
        }
        defer { try? errorFile.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qpdf)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorFile
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .io("cannot start \(qpdf): \(error)") }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = FileManager.default.contents(atPath: errorPath) ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors.prefix(64 * 1024), as: UTF8.self))
    }

    private static func firstLine(_ text: String, or fallback: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        return line.isEmpty ? fallback : String(line.prefix(300))
    }
}
