import Testing
@testable import CopierSimulator

@Suite("JSON parser and writer")
struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        (" true ", .bool(true)),
        ("-0", .integer(0)),
        ("9223372036854775807", .integer(.max)),
        ("2.5e1", .number(25)),
        ("\"a\\n\\u00e9\\ud83d\\ude00\\/\"", .string("a\né😀/")),
        ("[1,[],{}]", .array([.integer(1), .array([]), .object([:])])),
        ("{\"b\":1,\"a\":[true,null]}", .object(["b": 1, "a": .array([true, .null])])),
    ] as [(String, JSONValue)])
    func parses(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 0"),
        ("{", "expected a key in quotes at byte 1"),
        ("[1,]", "unexpected character ']' at byte 3"),
        ("{\"a\":1,}", "expected a key in quotes at byte 7"),
        ("{\"a\":1,\"a\":2}", "duplicate key \"a\" at byte 7"),
        ("01", "leading zero in a number at byte 0"),
        ("1.", "expected a digit after '.' at byte 2"),
        ("9223372036854775808", "integer 9223372036854775808 is out of range at byte 0"),
        ("1e999", "number 1e999 is out of range at byte 0"),
        ("\"a", "unterminated string at byte 2"),
        ("\"\t\"", "control character in a string at byte 1"),
        ("\"\\x\"", "invalid escape at byte 2"),
        ("\"\\ud800\"", "unpaired surrogate at byte 7"),
        ("tru", "expected true at byte 3"),
        ("1 2", "unexpected text after the value at byte 2"),
        ("NaN", "unexpected character 'N' at byte 0"),
    ] as [(String, String)])
    func refuses(text: String, message: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.description == message)
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.reason == "nested deeper than 32 levels")
    }

    @Test func writesCompactOneLineTextThatParsesBack() throws {
        let value: JSONValue = .object(["z": "line\nbreak \"quoted\" \\ \u{01}", "a": .array([1, .number(0.5), .null, false])])
        #expect(value.text == #"{"z":"line\nbreak \"quoted\" \\ \u0001","a":[1,0.5,null,false]}"#)
        #expect(try JSONParser.parse(value.text) == value)
    }
}
