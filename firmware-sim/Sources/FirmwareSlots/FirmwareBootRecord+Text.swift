import Protocol

/// The boot record as the text file `boot.state`: one `key=value` per line, so a person can read
/// it in the state directory. Reading refuses anything unknown, missing or repeated, naming the
/// line, since a device that misreads its boot state could run the wrong slot.
extension FirmwareBootRecord {
    public struct TextError: Error, Hashable, Sendable, CustomStringConvertible {
        public let reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { "boot record: \(reason)" }
    }

    public var text: String {
        var lines = [
            "format=1",
            "model=\(model)",
            "factory-version=\(factoryVersion)",
            "minimum-version=\(minimumVersion)",
            "active=\(active.rawValue)",
            "slot-a=\(Self.text(slotA))",
            "slot-b=\(Self.text(slotB))",
            "last-state=\(lastState.rawValue)",
            "last-result=\(lastResult.rawValue)",
        ]
        for key in vendorKeys.all { lines.append("vendor-key=\(Hex.encode(key.bytes))") }
        if let trial {
            lines.append("trial=\(trial.slot.rawValue) \(trial.bootsLeft) \(trial.deadline.millisecondsSinceEpoch)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func text(_ content: SlotContent) -> String {
        switch content {
        case .empty: return "empty"
        case .factory: return "factory"
        case let .image(version, minimum, hash): return "image \(version) \(minimum) \(hash.hex)"
        }
    }

    public init(text: String) throws(TextError) {
        var fields: [String: String] = [:]
        var keys: [PublicKey] = []
        for (number, line) in text.nonEmptyScalarLines().enumerated() {
            guard let equals = line.firstIndex(of: "=") else {
                throw TextError(reason: "line \(number + 1) has no '='")
            }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if key == "vendor-key" {
                guard let bytes = Hex.decode(value), let publicKey = try? PublicKey(bytes: bytes) else {
                    throw TextError(reason: "line \(number + 1): vendor-key is not a 32-byte Ed25519 public key in hex")
                }
                keys.append(publicKey)
                continue
            }
            guard fields.updateValue(value, forKey: key) == nil else {
                throw TextError(reason: "line \(number + 1): \(key) appears twice")
            }
        }
        func field(_ key: String) throws(TextError) -> String {
            guard let value = fields.removeValue(forKey: key) else { throw TextError(reason: "\(key) is missing") }
            return value
        }
        func version(_ key: String) throws(TextError) -> FirmwareVersion {
            let value = try field(key)
            guard let version = FirmwareVersion(parsing: value) else { throw TextError(reason: "\(key) \"\(value)\" is not a version") }
            return version
        }
        guard try field("format") == "1" else { throw TextError(reason: "unknown format") }
        let modelText = try field("model")
        guard let model = ResourceType.allCases.first(where: { $0.description == modelText }) else {
            throw TextError(reason: "model \"\(modelText)\" is neither copier nor seal")
        }
        let activeText = try field("active")
        guard let active = SlotName(rawValue: activeText) else { throw TextError(reason: "active slot \"\(activeText)\" is not a or b") }
        let stateText = try field("last-state")
        guard let stateValue = UInt8(stateText), let lastState = FirmwareTransferState(rawValue: stateValue) else {
            throw TextError(reason: "last-state \"\(stateText)\" is not a transfer state")
        }
        let resultText = try field("last-result")
        guard let resultValue = UInt16(resultText), let lastResult = FirmwareResultCode(rawValue: resultValue) else {
            throw TextError(reason: "last-result \"\(resultText)\" is not a result code")
        }
        let factoryVersion = try version("factory-version")
        let minimumVersion = try version("minimum-version")
        let slotA = try Self.slot(try field("slot-a"), "slot-a")
        let slotB = try Self.slot(try field("slot-b"), "slot-b")
        var trial: FirmwareTrial?
        if let trialText = fields.removeValue(forKey: "trial") {
            let parts = trialText.split(separator: " ")
            guard parts.count == 3, let slot = SlotName(rawValue: String(parts[0])),
                  let boots = UInt16(parts[1]), let deadline = Int64(parts[2])
            else { throw TextError(reason: "trial \"\(trialText)\" is not \"SLOT BOOTS DEADLINE-MS\"") }
            trial = FirmwareTrial(slot: slot, bootsLeft: boots, deadline: Timestamp(millisecondsSinceEpoch: deadline))
        }
        if let unknown = fields.keys.sorted().first { throw TextError(reason: "unknown key \(unknown)") }
        guard !keys.isEmpty else { throw TextError(reason: "no vendor-key: the device would trust no image") }
        self.init(
            model: model, factoryVersion: factoryVersion, vendorKeys: VendorKeys(keys),
            minimumVersion: minimumVersion, active: active, slotA: slotA, slotB: slotB,
            trial: trial, lastState: lastState, lastResult: lastResult
        )
        let runningContent = self[runningSlot]
        guard runningContent != .empty else { throw TextError(reason: "the running slot \(runningSlot) is empty") }
    }

    private static func slot(_ text: String, _ key: String) throws(TextError) -> SlotContent {
        if text == "empty" { return .empty }
        if text == "factory" { return .factory }
        let parts = text.split(separator: " ")
        guard parts.count == 4, parts[0] == "image",
              let version = FirmwareVersion(parsing: String(parts[1])),
              let minimum = FirmwareVersion(parsing: String(parts[2])),
              let bytes = Hex.decode(String(parts[3])), let hash = try? Hash32(bytes: bytes)
        else { throw TextError(reason: "\(key) \"\(text)\" is not empty, factory or \"image VERSION MINIMUM SHA256\"") }
        return .image(version: version, minimumVersion: minimum, imageSHA256: hash)
    }
}
