/// Why the server's signing keys could not be loaded, created or rotated.
public enum KeyStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A key file or the key folder can be read (or written) by other users.
    case insecurePermissions(path: String, mode: UInt32, expected: UInt32)
    /// A key file or the key folder belongs to another user.
    case wrongOwner(path: String, owner: UInt32, expected: UInt32)
    case malformedKeyFile(path: String, reason: String)
    case noSingleCurrentKey(count: Int)
    case noKeys(directory: String)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .insecurePermissions(path, mode, expected):
            return "\(path) has mode \(String(mode, radix: 8)); signing keys must not be readable by other users. Fix it with: chmod \(String(expected, radix: 8)) \(path)"
        case let .wrongOwner(path, owner, expected):
            return "\(path) belongs to uid \(owner), not to the server's uid \(expected)"
        case let .malformedKeyFile(path, reason):
            return "\(path) is not a valid server key file: \(reason)"
        case let .noSingleCurrentKey(count):
            return "the key folder must hold exactly one current (not retired) key, it holds \(count)"
        case let .noKeys(directory):
            return "no signing keys in \(directory) (start the server once, or run keys rotate)"
        case let .io(path, operation, errno):
            return "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
