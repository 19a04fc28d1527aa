/// A small, valid PDF for tests: `pages` A4 pages, each saying "Page N" in Helvetica, with a
/// correct cross-reference table (so qpdf and poppler read it without repairing it). Tests use
/// it as input to the real tools; nothing here parses PDF.
public enum SamplePDF {
    public static func make(pages: Int, label: String = "Page") -> [UInt8] {
        precondition(pages >= 1)
        // Objects: 1 catalog, 2 pages, 3 font, then per page a page object and its content.
        var objects: [String] = []
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pages).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for page in 1...pages {
            let contentNumber = 4 + 2 * (page - 1) + 1
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(contentNumber) 0 R >>")
            let stream = "BT /F1 48 Tf 100 700 Td (\(label) \(page)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }
        var out = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            table += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }
}
