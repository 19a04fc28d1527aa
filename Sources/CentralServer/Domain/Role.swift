import Foundation

/// What a person may do on the server (SPEC G1). A user holds one or more roles; they are kept
/// apart so that, for example, an administrator cannot also read content as an auditor unless
/// someone gave them both roles on purpose.
public enum Role: String, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Uses copiers and seals, applies for seal use.
    case employee
    /// Approves seal applications and charge splits.
    case approver
    /// Manages users, devices, prices and quotas: every write through the REST API.
    case administrator
    /// Reads the audit log, jobs, charges and captured content; changes nothing.
    case auditor

    public var description: String { rawValue }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses one role name, case-insensitively; nil for anything else.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Parses a comma-separated list (`employee,auditor`); the error names the first bad entry.
    public static func parseList(_ text: String) throws(InputError) -> Set<Role> {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var roles: Set<Role> = []
        for name in names {
            guard let role = Role(name: name) else {
                throw InputError(field: "role", "unknown role \"\(name)\" (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            roles.insert(role)
        }
        return roles
    }

    /// The stored form: sorted names joined by commas.
    static func storedList(_ roles: Set<Role>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }
}
