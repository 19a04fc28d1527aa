import FirmwareSlots
/// Puts printed pages into the output tray folder: `job-<sequence>-page-<n>.png`, `n` counting
/// impressions over the whole job as scans do, each file written atomically (temporary file,
/// then rename), so a reader watching the tray never sees half a page.
public struct CopierTrayWriter: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// Files the rendered original `source` as impression `page`; returns the tray path.
    public func write(_ page: CopierPage, renderedFrom source: String) throws(FileError) -> String {
        let path = folder + "/" + CopierScan.fileName(page)
        guard let bytes = try AtomicFile.read(source, limit: 256 << 20) else {
            throw FileError("read", source, reason: "the rendered page is missing")
        }
        try AtomicFile.createDirectory(folder)
        try AtomicFile.write(bytes, to: path, durable: false)
        return path
    }
}
