import Protocol

/// The largest request body each route accepts, in one place, so the connection guard can
/// answer 413 on a request's claimed `Content-Length` before reading a byte of it (issue 21:
/// a claimed 1 GiB body was read to 64 KiB before the 413) and can cut a body that streams
/// past its route's limit instead of draining it. The handlers bound what they collect with
/// the same figures.
public enum RequestBodyLimits {
    /// JSON bodies and web forms.
    public static let document = 64 * 1024
    /// `POST /api/v1/split-jobs`: the PDF to split.
    public static let splitPDF = SplitService.maximumPDFSize
    /// `POST /api/v1/firmware/images`: a signed image file.
    public static let firmwareImage = Int(UplinkLimits.firmwareImageSize)

    /// The limit for a request's method and path (its target without the query).
    public static func limit(method: String, path: Substring) -> Int {
        guard method == "POST" || method == "PUT" else { return document }
        switch path {
        case "/api/v1/split-jobs": return splitPDF
        case "/api/v1/firmware/images": return firmwareImage
        default: return document
        }
    }
}
