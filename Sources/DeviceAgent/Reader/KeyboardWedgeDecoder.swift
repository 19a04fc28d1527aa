import Protocol

/// Turns Linux input events from a USB card reader that behaves as a keyboard ("keyboard wedge":
/// it types the card number and presses Enter) into card numbers. Pure: fed raw bytes of
/// `struct input_event` as read from /dev/input/eventN.
public struct KeyboardWedgeDecoder: Sendable {
    /// `struct input_event` on 64-bit Linux: timeval (16 bytes), type u16, code u16, value s32.
    public static let eventSize = 24
    public static let evKey: UInt16 = 1
    static let keyDown: Int32 = 1
    static let keyEnter: UInt16 = 28
    static let keyKeypadEnter: UInt16 = 96
    /// Linux key codes for digits (KEY_1 = 2 ... KEY_9 = 10, KEY_0 = 11) and letters by row.
    static let characters: [UInt16: Character] = {
        var map: [UInt16: Character] = [11: "0"]
        for (offset, digit) in "123456789".enumerated() { map[UInt16(2 + offset)] = digit }
        for (offset, letter) in "QWERTYUIOP".enumerated() { map[UInt16(16 + offset)] = letter }
        for (offset, letter) in "ASDFGHJKL".enumerated() { map[UInt16(30 + offset)] = letter }
        for (offset, letter) in "ZXCVBNM".enumerated() { map[UInt16(44 + offset)] = letter }
        // Keypad digits, which some readers use.
        for (code, digit) in [(82, "0"), (79, "1"), (80, "2"), (81, "3"), (75, "4"), (76, "5"), (77, "6"), (71, "7"), (72, "8"), (73, "9")] {
            map[UInt16(code)] = Character(digit)
        }
        return map
    }()

    private var pending: [UInt8] = []
    private var typed = ""
    public let maximumLength: Int

    public init(maximumLength: Int = UplinkLimits.cardNumberLength) { self.maximumLength = maximumLength }

    /// Feeds bytes read from the device; returns the card numbers completed by Enter.
    /// Keys the decoder does not know are ignored; an over-long entry is discarded at Enter.
    public mutating func feed(_ bytes: [UInt8]) -> [String] {
        pending += bytes
        var cards: [String] = []
        var offset = 0
        while pending.count - offset >= Self.eventSize {
            let type = UInt16(pending[offset + 16]) | UInt16(pending[offset + 17]) << 8
            let code = UInt16(pending[offset + 18]) | UInt16(pending[offset + 19]) << 8
            let value = Int32(bitPattern: UInt32(pending[offset + 20]) | UInt32(pending[offset + 21]) << 8
                | UInt32(pending[offset + 22]) << 16 | UInt32(pending[offset + 23]) << 24)
            offset += Self.eventSize
            guard type == Self.evKey, value == Self.keyDown else { continue }
            if code == Self.keyEnter || code == Self.keyKeypadEnter {
                if !typed.isEmpty && typed.count <= maximumLength { cards.append(typed) }
                typed = ""
            } else if let character = Self.characters[code] {
                if typed.count <= maximumLength { typed.append(character) }
            }
        }
        pending.removeFirst(offset)
        return cards
    }

    /// Builds the bytes of one key event (little-endian, as the kernel writes them); for tests.
    public static func event(code: UInt16, value: Int32, type: UInt16 = evKey) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes += [UInt8(type & 0xff), UInt8(type >> 8)]
        bytes += [UInt8(code & 0xff), UInt8(code >> 8)]
        let raw = UInt32(bitPattern: value)
        bytes += [UInt8(raw & 0xff), UInt8((raw >> 8) & 0xff), UInt8((raw >> 16) & 0xff), UInt8(raw >> 24)]
        return bytes
    }
}
