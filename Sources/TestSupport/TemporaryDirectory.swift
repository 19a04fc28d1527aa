import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "imprimatur") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw ProcessFailure(description: "cannot create a temporary directory: errno \(errno)")
        }
        path = String(cString: created)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    public func appending(_ name: String) -> String { path + "/" + name }
}
