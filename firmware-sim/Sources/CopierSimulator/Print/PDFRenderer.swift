import Foundation

/// Renders a PDF's pages to PNG with pdftoppm (Debian package poppler-utils), as a printer's
/// raster image processor would: no hand-written PDF parser. Each job renders into a private
/// temporary folder that `PDFRendering.remove()` deletes when the job has ended.
public struct PDFRenderer: Sendable {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// pdftoppm could not read the bytes; `detail` is its own first error line.
        case malformed(String)
        case toolMissing(String)
        case io(String)

        public var description: String {
            switch self {
            case let .malformed(detail): return "not a PDF the copier can print: \(detail)"
            case let .toolMissing(path): return "the renderer \(path) is not installed (Debian package poppler-utils)"
            case let .io(detail): return "rendering failed: \(detail)"
            }
        }
    }

    public let pdftoppm: String
    /// Dots per inch of the rendered pages: a tray picture, not a print master.
    public let resolution: Int
    /// The most pages the copier takes in one job (its originals register is 16 bits).
    public static let pageLimit = Int(UInt16.max)

    public init(pdftoppm: String = "/usr/bin/pdftoppm", resolution: Int = 36) {
        self.pdftoppm = pdftoppm
        self.resolution = resolution
    }

    /// Renders every page; the result lists the PNGs in page order.
    public func render(_ pdf: [UInt8]) throws(Failure) -> PDFRendering {
        guard pdf.starts(with: Array("%PDF-".utf8)) else { throw .malformed("it does not start with %PDF-") }
        guard FileManager.default.isExecutableFile(atPath: pdftoppm) else { throw .toolMissing(pdftoppm) }
        let folder = NSTemporaryDirectory() + "copier-print-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch { throw .io("cannot make a temporary folder: \(error)") }
        let rendering = PDFRendering(folder: folder, pages: [])
        do throws(Failure) {
            let input = folder + "/job.pdf", errorPath = folder + "/errors.txt"
            guard FileManager.default.createFile(atPath: input, contents: Data(pdf), attributes: [.posixPermissions: 0o600]),
                FileManager.default.createFile(atPath: errorPath, contents: nil),
                let errorFile = FileHandle(forWritingAtPath: errorPath)
            else { throw .io("cannot write into \(folder)") }
            defer { try? errorFile.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pdftoppm)
            process.arguments = ["-png", "-gray", "-r", String(resolution), input, folder + "/page"]
            // stderr to a file: a damaged PDF can make poppler complain far more than a pipe holds.
            process.standardError = errorFile
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch { throw .io("cannot start \(pdftoppm): \(error)") }
            process.waitUntilExit()
            let errors = String(decoding: (FileManager.default.contents(atPath: errorPath) ?? Data()).prefix(64 * 1024), as: UTF8.self)
            guard process.terminationStatus == 0 else {
                throw .malformed(Self.firstLine(errors, or: "pdftoppm exit status \(process.terminationStatus)"))
            }
            // pdftoppm names pages page-1.png or page-01.png ..., zero-padded to the widest
            // number, so within one run the names sort in page order.
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasPrefix("page-") && $0.hasSuffix(".png") }.sorted()
            guard !names.isEmpty else { throw .malformed(Self.firstLine(errors, or: "the document has no pages")) }
            guard names.count <= Self.pageLimit else { throw .malformed("\(names.count) pages, more than the copier's \(Self.pageLimit)") }
            return PDFRendering(folder: folder, pages: names.map { folder + "/" + $0 })
        } catch {
            rendering.remove()
            throw error
        }
    }

    private static func firstLine(_ text: String, or fallback: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        return line.isEmpty ? fallback : String(line.prefix(300))
    }
}

/// A print job's rendered pages, one PNG per page of the PDF, in a private folder.
public struct PDFRendering: Hashable, Sendable {
    public let folder: String
    public let pages: [String]

    public func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
