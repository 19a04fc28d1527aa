extension String {
    /// The non-empty lines of a LF or CRLF text, split on the scalar: "\r\n" is one Character,
    /// so splitting Characters on "\n" leaves a CRLF text one line (fuzz-firmware-image,
    /// Fuzz/findings). A line keeps a trailing "\r"; callers trim as their format says.
    func nonEmptyScalarLines() -> [Substring] {
        unicodeScalars.split(separator: "\n", omittingEmptySubsequences: true).map { Substring(String(String.UnicodeScalarView($0))) }
    }
}
