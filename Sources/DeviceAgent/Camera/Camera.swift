import Foundation
import Imaging
import Protocol

/// A picture and its media type, as stored (by SHA-256) and uploaded.
public struct Photo: Sendable, Equatable {
    public let bytes: [UInt8]
    public let mediaType: String
}

/// The box's camera: the user's face at unlock (SPEC A3), the stamped document (SPEC E4).
public protocol Camera: Sendable {
    func capture(reason: PhotoReason, user: String, at time: Date) async throws -> Photo
}

/// A camera for machines with none: a generated picture that shows who, when, where and why, so
/// a photo in the archive can be told apart from every other one.
public struct SimulatedCamera: Camera {
    public let deviceName: String

    public init(deviceName: String) { self.deviceName = deviceName }

    public func capture(reason: PhotoReason, user: String, at time: Date) async throws -> Photo {
        try Photo(bytes: Self.render(reason: reason, user: user, device: deviceName, at: time), mediaType: "image/png")
    }

    static func render(reason: PhotoReason, user: String, device: String, at time: Date) throws -> [UInt8] {
        var image = GrayImage(width: 320, height: 240, fill: 200)
        image.frame(x: 0, y: 0, width: 320, height: 240, thickness: 4, value: 40)
        // A stylised head and shoulders, so the picture reads as a portrait.
        image.fill(x: 130, y: 40, width: 60, height: 70, value: 90)
        image.fill(x: 100, y: 120, width: 120, height: 60, value: 90)
        let stamp = ISO8601DateFormatter().string(from: time)
        BitmapFont.draw("SIMULATED CAMERA", into: &image, x: 10, y: 10, scale: 1, value: 0)
        BitmapFont.draw(String(user.prefix(24)), into: &image, x: 10, y: 190, scale: 2, value: 0)
        BitmapFont.draw(String(stamp.prefix(24)), into: &image, x: 10, y: 210, scale: 1, value: 0)
        BitmapFont.draw("\(device.prefix(20)) \(reason.description)", into: &image, x: 10, y: 224, scale: 1, value: 0)
        return try PNGEncoder.encode(image)
    }
}

/// A real camera through a capture command that writes one image to standard output, e.g.
/// `fswebcam --no-banner --png 5 -` on a box with a V4L2 webcam. Keeps V4L2 specifics in a
/// well-tested tool rather than in the agent.
public struct CommandCamera: Camera {
    public let command: [String]
    public let mediaType: String
    public let timeout: Duration

    public init(command: [String], mediaType: String = "image/png", timeout: Duration = .seconds(10)) {
        self.command = command
        self.mediaType = mediaType
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func capture(reason: PhotoReason, user: String, at time: Date) async throws -> Photo {
        let (command, mediaType, timeout) = (command, mediaType, timeout)
        // Reading a child's output blocks: do it on a dispatch thread, never on the Swift
        // concurrency pool, and kill a hung camera when the timeout passes.
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.run(command, timeout: timeout).map { Photo(bytes: $0, mediaType: mediaType) }.get() })
            }
        }
    }

    private static func run(_ command: [String], timeout: Duration) -> Result<[UInt8], Failure> {
        guard let executable = command.first else { return .failure(Failure(description: "camera command is empty")) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            return .failure(Failure(description: "camera command \(executable) could not start: \(error)"))
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            // SIGKILL, not SIGTERM: a child may inherit an ignored SIGTERM from its parent.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit else {
            return .failure(Failure(description: "camera command \(executable) was stopped after \(timeout)"))
        }
        guard process.terminationStatus == 0 else {
            return .failure(Failure(description: "camera command \(executable) exited with status \(process.terminationStatus)"))
        }
        guard !data.isEmpty else { return .failure(Failure(description: "camera command \(executable) produced no image")) }
        return .success(Array(data))
    }
}
