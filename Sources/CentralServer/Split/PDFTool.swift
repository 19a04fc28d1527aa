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
            let (status, output, errors) = try run(["--show-npages", input])
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
            let (status, _, errors) = try run(["--empty", "--pages", input, "\(first)-\(last)", "--", output])
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

    private func run(_ arguments: [String]) throws(Failure) -> (Int32, String, String) {
        guard FileManager.default.isExecutableFile(atPath: qpdf) else { throw .toolMissing(qpdf) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qpdf)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .io("cannot start \(qpdf): \(error)") }
        // qpdf's output here is a number or a few lines of errors: reading after exit cannot fill the pipes.
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    private static func firstLine(_ text: String, or fallback: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        return line.isEmpty ? fallback : String(line.prefix(300))
    }
}
