import ArgumentParser
import FirmwareSlots
import Foundation
import Protocol

/// `firmware-sim image`: the vendor's side of firmware (docs/firmware.md): a signing key, images
/// for the simulated copier and seal, their signature, and a look inside one.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build, sign and inspect firmware images for the simulated copier and seal.",
        subcommands: [ImageKeygenCommand.self, ImageBuildCommand.self, ImageSignCommand.self, ImageShowCommand.self]
    )
}

enum ImageModel: String, ExpressibleByArgument, CaseIterable {
    case copier, seal
    var resourceType: ResourceType { self == .copier ? .copier : .seal }
}

/// Reads and writes the files `image` works with; every failure names the file.
enum ImageFiles {
    static func read(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Console.fail("cannot read \(what) \(path)")
        }
        return [UInt8](data)
    }

    static func write(_ bytes: [UInt8], to path: String, mode: Int = 0o644) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch {
            throw Console.fail("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// A hex key file (one line, as keygen writes it).
    static func hexKey(_ path: String, what: String) throws -> [UInt8] {
        let text = String(decoding: try read(path, what: what), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32 else {
            throw Console.fail("\(path) is not a \(what): expected 64 hex digits")
        }
        return bytes
    }

    static func decode(_ path: String) throws -> FirmwareImage {
        do {
            return try FirmwareImage.decode(try read(path, what: "image"))
        } catch let error as WireError {
            throw Console.fail("\(path) is not a valid firmware image: \(error)")
        }
    }
}

struct ImageKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a vendor signing key: DIR/vendor.key (seed, hex, 0600) and DIR/vendor.pub (public key, hex)."
    )

    @Option(help: "Directory for the key pair (created if missing; existing keys are never overwritten).")
    var out: String

    func run() throws {
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let keyPath = out + "/vendor.key"
        guard !FileManager.default.fileExists(atPath: keyPath) else {
            throw Console.fail("\(keyPath) exists; refusing to overwrite a vendor key")
        }
        let key = SigningKey()
        try ImageFiles.write(Array((Hex.encode(key.seed) + "\n").utf8), to: keyPath, mode: 0o600)
        try ImageFiles.write(Array((Hex.encode(key.publicKey.bytes) + "\n").utf8), to: out + "/vendor.pub")
        Console.line("vendor key \(key.keyID): \(keyPath), public key \(out)/vendor.pub")
    }
}

struct ImageBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an unsigned image from a payload file (key=value lines: name, page-rate, feature).",
        discussion: "Sign it with `image sign`; devices refuse unsigned images."
    )

    @Option(help: "copier or seal.") var model: ImageModel
    @Option(help: "The image's version, MAJOR.MINOR.PATCH.") var version: String
    @Option(help: "The lowest running version the image may replace (default: 0.0.0).") var minVersion: String = "0.0.0"
    @Option(help: "The payload file.") var payload: String
    @Option(help: "Where to write the image.") var out: String

    func run() throws {
        guard let version = FirmwareVersion(parsing: version) else { throw ValidationError("--version must be MAJOR.MINOR.PATCH, e.g. 1.2.0") }
        guard let minimum = FirmwareVersion(parsing: minVersion) else { throw ValidationError("--min-version must be MAJOR.MINOR.PATCH") }
        let bytes = try ImageFiles.read(payload, what: "payload")
        do {
            _ = try FirmwareSettings(payload: bytes)
        } catch {
            throw Console.fail("\(payload): \(error)")
        }
        let now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        let image: FirmwareImage
        do {
            image = try FirmwareImage(model: model.resourceType, version: version, minimumVersion: minimum, payload: bytes, buildTime: now)
        } catch {
            throw Console.fail(error.description)
        }
        try ImageFiles.write(image.wireBytes(), to: out)
        Console.line("built \(out): \(model.rawValue) \(version), \(bytes.count) payload byte(s), unsigned")
    }
}

struct ImageSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an image in place with a vendor key (replacing any earlier signature)."
    )

    @Option(help: "The vendor key file (vendor.key from keygen).") var key: String
    @Argument(help: "The image file.") var image: String

    func run() throws {
        let signingKey: SigningKey
        do {
            signingKey = try SigningKey(seed: try ImageFiles.hexKey(key, what: "vendor key"))
        } catch let error as WireError {
            throw Console.fail("\(key): \(error)")
        }
        let signed = try ImageFiles.decode(image).signed(by: signingKey)
        try ImageFiles.write(signed.wireBytes(), to: image)
        Console.line("signed \(image) with vendor key \(signingKey.keyID)")
    }
}

struct ImageShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print an image's manifest, signer and payload.")

    @Argument(help: "The image file.") var image: String
    @Option(help: "Also check the signature against this vendor public key file (vendor.pub).") var vendorKey: String?

    func run() throws {
        let decoded = try ImageFiles.decode(image)
        let manifest = decoded.manifest
        Console.line("model: \(manifest.model)")
        Console.line("version: \(manifest.version)")
        Console.line("minimum version: \(manifest.minimumVersion)")
        Console.line("payload: \(manifest.payloadSize) byte(s), sha256 \(manifest.payloadSHA256)")
        Console.line("built: \(manifest.buildTime.millisecondsSinceEpoch) ms since 1970")
        Console.line("signed by: \(decoded.signature.map { "vendor key \($0.keyID)" } ?? "nobody (unsigned)")")
        if Hash32.sha256(decoded.payload) != manifest.payloadSHA256 { Console.line("payload hash: MISMATCH") }
        if let vendorKey {
            let publicKey: PublicKey
            do {
                publicKey = try PublicKey(bytes: try ImageFiles.hexKey(vendorKey, what: "vendor public key"))
            } catch let error as WireError {
                throw Console.fail("\(vendorKey): \(error)")
            }
            let valid = decoded.signature.map { $0.keyID == publicKey.keyID && publicKey.isValidSignature($0.signature, for: decoded.signedBytes) } ?? false
            Console.line("signature: \(valid ? "valid" : "NOT valid") under \(publicKey.keyID)")
            if !valid { throw ExitCode.failure }
        }
        Console.line("payload text:")
        Console.line(String(decoding: decoded.payload, as: UTF8.self))
    }
}
