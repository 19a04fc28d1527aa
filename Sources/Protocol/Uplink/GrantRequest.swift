extension UplinkMessage {
    /// A card number as the reader delivered it: 1 to 64 bytes of printable ASCII (0x21-0x7E).
    public struct CardNumber: Hashable, Sendable, CustomStringConvertible {
        public let value: String

        public init(_ value: String) throws(WireError) {
            try Self.rule.check(value)
            self.value = value
        }

        public var description: String { value }

        static let rule = ASCIIName.printable("card number", limit: UplinkLimits.cardNumberLength)
    }

    /// A PIN: 1 to 16 bytes of printable ASCII (0x21-0x7E). Its description is redacted so a PIN
    /// never reaches a log through string interpolation.
    public struct PIN: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        public let value: String

        public init(_ value: String) throws(WireError) {
            try Self.rule.check(value)
            self.value = value
        }

        public var description: String { "PIN(redacted)" }
        public var debugDescription: String { description }

        static let rule = ASCIIName.printable("PIN", limit: UplinkLimits.pinLength)
    }

    /// How the person at the device identified themselves (SPEC A2).
    public enum Credential: Hashable, Sendable {
        /// Tag 1: a card, with a PIN when the device asks for one.
        case card(CardNumber, pin: PIN?)
        /// Tag 2: a user id typed at the device, with a PIN.
        case user(UserID, pin: PIN)
    }

    /// Agent → server: someone at the device wants to use a copier or a seal. The frame's request
    /// id is what the `grant` or `refusal` answer will carry.
    public struct GrantRequest: Hashable, Sendable {
        public let credential: Credential
        public let resourceID: ResourceID
        public let resourceType: ResourceType
        /// The approved seal application being used; only for a seal, optional even then.
        public let applicationID: ApplicationID?
        /// The device's clock when the person identified.
        public let deviceTime: Timestamp

        public init(
            credential: Credential, resourceID: ResourceID, resourceType: ResourceType,
            applicationID: ApplicationID? = nil, deviceTime: Timestamp
        ) throws(WireError) {
            if applicationID != nil && resourceType != .seal {
                throw .invalidValue(field: "application id", reason: "only a seal request names an application")
            }
            self.credential = credential
            self.resourceID = resourceID
            self.resourceType = resourceType
            self.applicationID = applicationID
            self.deviceTime = deviceTime
        }
    }
}

extension UplinkMessage.CardNumber: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.string(value, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        value = try Self.rule.read(from: &reader)
    }
}

extension UplinkMessage.PIN: WireCodable {
    public func encode(to writer: inout ByteWriter) { writer.string(value, .u8) }

    public init(from reader: inout ByteReader) throws(WireError) {
        value = try Self.rule.read(from: &reader)
    }
}

extension UplinkMessage.Credential: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case let .card(number, pin):
            writer.u8(1)
            writer.encode(number)
            writer.optional(pin)
        case let .user(user, pin):
            writer.u8(2)
            writer.encode(user)
            writer.encode(pin)
        }
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.u8("credential") {
        case 1: self = .card(try reader.decode(), pin: try reader.optional("PIN"))
        case 2: self = .user(try reader.decode(), pin: try reader.decode())
        case let tag: throw .unknownTag(field: "credential", tag: UInt64(tag))
        }
    }
}

extension UplinkMessage.GrantRequest: WireCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.encode(credential)
        writer.encode(resourceID)
        writer.encode(resourceType)
        writer.optional(applicationID)
        writer.encode(deviceTime)
    }

    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(
            credential: try reader.decode(),
            resourceID: try reader.decode(),
            resourceType: try reader.decode(),
            applicationID: try reader.optional("application id"),
            deviceTime: try Timestamp(from: &reader, field: "device time")
        )
    }
}
