/// Characters a name may not hold because they change how text looks on screen without showing
/// themselves (issue 21: a right-to-left override or a zero-width space in a display name made
/// one person's name read as another's). Pure; every free text a person or device names
/// something with goes through `problem(in:)` (via `InputRules.displayText` or its callers).
///
/// Refused: control characters (Cc), format characters (Cf: the bidi embeddings, overrides and
/// isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, the zero-width
/// U+200B-U+200D, U+2060-U+2064, U+FEFF, U+180E, the soft hyphen U+00AD, ...), the line and
/// paragraph separators, and the other default-ignorable code points (Hangul fillers, ...)
/// except variation selectors, which only choose a glyph's form (emoji); a zero-width joiner or
/// non-joiner only where it does something visible (`joinsMeaningfully`). Names already stored
/// are not rewritten; the web pages show them written out (`shownVisibly`).
public enum HiddenCharacters {
    /// The first character of `text` a name may not hold, or nil. `allowingLineBreaks` lets a
    /// multi-line text (a reason, a note) keep its line feeds and carriage returns.
    public static func first(in text: String, allowingLineBreaks: Bool = false) -> Unicode.Scalar? {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if allowingLineBreaks, scalar == "\n" || scalar == "\r" { continue }
            guard isHidden(scalar) else { continue }
            if isJoiner(scalar), index > 0, index + 1 < scalars.count, joinsMeaningfully(scalars[index - 1], scalars[index + 1]) { continue }
            return scalar
        }
        return nil
    }

    /// U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER.
    static func isJoiner(_ scalar: Unicode.Scalar) -> Bool { scalar.value == 0x200C || scalar.value == 0x200D }

    /// Whether a joiner between `before` and `after` does something a reader sees, as Unicode's
    /// identifier rules allow (UTS #39): between two letters or marks of a joining script
    /// (Persian needs the non-joiner in everyday words, Indic scripts both), or between two
    /// emoji of a ZWJ sequence. Between Latin letters it changes nothing on screen, so it stays
    /// refused: "al‍ice" would read as "alice".
    static func joinsMeaningfully(_ before: Unicode.Scalar, _ after: Unicode.Scalar) -> Bool {
        func joiningLetter(_ scalar: Unicode.Scalar) -> Bool {
            // Hebrew and later blocks up to the Indic and Southeast Asian scripts (U+0590-U+1CFF),
            // letters and combining marks only; not Latin, Greek or Cyrillic.
            guard (0x0590...0x1CFF).contains(scalar.value) else { return false }
            switch scalar.properties.generalCategory {
            case .otherLetter, .nonspacingMark, .spacingMark, .enclosingMark: return true
            default: return false
            }
        }
        func emoji(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isEmoji && scalar.value > 0x00FF || scalar.properties.isVariationSelector || scalar.properties.isEmojiModifier
        }
        return joiningLetter(before) && joiningLetter(after) || emoji(before) && emoji(after)
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
