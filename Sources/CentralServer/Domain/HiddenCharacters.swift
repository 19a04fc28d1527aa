/// Characters a name may not hold because they change how text looks on screen without showing
/// themselves (issue 21: a right-to-left override or a zero-width space in a display name made
/// one person's name read as another's). Pure; every free text a person or device names
/// something with goes through `problem(in:)` (via `InputRules.displayText` or its callers).
///
/// Refused: control characters (Cc), format characters (Cf: the bidi embeddings, overrides and
/// isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, the zero-width
/// U+200B-U+200D, U+2060-U+2064, U+FEFF, U+180E, the soft hyphen U+00AD, ...), the line and
/// paragraph separators, and the other default-ignorable code points (Hangul fillers, ...)
/// except variation selectors, which only choose a glyph's form (emoji). Names already stored
/// are not rewritten; the web pages show them written out (`shownVisibly`).
public enum HiddenCharacters {
    /// The first character of `text` a name may not hold, or nil. `allowingLineBreaks` lets a
    /// multi-line text (a reason, a note) keep its line feeds and carriage returns.
    public static func first(in text: String, allowingLineBreaks: Bool = false) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            if allowingLineBreaks, scalar == "\n" || scalar == "\r" { return false }
            return isHidden(scalar)
        }
    }

    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate:
            return true
        default:
            return properties.isDefaultIgnorableCodePoint && !properties.isVariationSelector
        }
    }

    /// What is wrong with `text` as a name, naming the character by code point and Unicode
    /// name, e.g. `contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text on screen`;
    /// nil when nothing is.
    public static func problem(in text: String, allowingLineBreaks: Bool = false) -> String? {
        guard let scalar = first(in: text, allowingLineBreaks: allowingLineBreaks) else { return nil }
        return "contains \(describe(scalar))"
    }

    /// `text` with each hidden character (but line feeds, carriage returns and tabs) written out
    /// as `[U+202E]`, for the web pages: a name stored before names were checked shows what it
    /// holds instead of reordering or hiding the text around it.
    public static func shownVisibly(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isHidden($0) && !["\n", "\r", "\t"].contains($0) }) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isHidden(scalar), !["\n", "\r", "\t"].contains(scalar) {
                shown.append(contentsOf: "[U+\(Self.hex(scalar))]".unicodeScalars)
            } else {
                shown.append(scalar)
            }
        }
        return String(shown)
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return digits.count < 4 ? String(repeating: "0", count: 4 - digits.count) + digits : digits
    }

    /// `U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text on screen`, or for a control
    /// character `U+0007 (a control character), which cannot be shown`.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = Self.hex(scalar)
        if scalar.properties.generalCategory == .control {
            return "U+\(hex) (a control character), which cannot be shown"
        }
        let name = scalar.properties.name ?? scalar.properties.nameAlias ?? "(no name)"
        return "U+\(hex) \(name), which can disguise text on screen"
    }
}
