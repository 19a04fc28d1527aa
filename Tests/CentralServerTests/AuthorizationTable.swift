import Foundation

/// The authorization table declared once, in docs/openapi.yaml (issue 14): each operation's
/// `x-roles` (who may call it) and `security` (how the caller proves who they are), read with
/// the same line-based reading of the document's layout as `OpenAPITests` (paths at two spaces,
/// methods at four, an operation's keys at six).
///
/// The names in `x-roles`: the four roles (`employee`, `approver`, `administrator`, `auditor`);
/// `anonymous` (open to everyone: no credentials needed); `device` (an enrolled device's
/// identity); `payment-provider` (the holder of the payment webhook's secret); and `owner`: the
/// user an object in the path belongs to, or who takes part in it (the applicant or the approver
/// waited on, the payer, the requester, the notification's recipient). A role listed next to
/// `owner` may act on anyone's object; a role not listed may act only on its own.
struct AuthorizationTable {
    struct Operation: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        /// The names in `x-roles`; nil when the operation has none.
        let roles: Set<String>?
        /// The schemes the operation requires: empty when `security: []` (or an empty
        /// alternative `{}`, which makes it optional), the document's default when it says nothing.
        let schemes: [String]
        /// An operation with `security: []` or an empty alternative `{}`: no credential needed.
        let optional: Bool

        var description: String { "\(method) \(path)" }
        var isOpen: Bool { roles?.contains("anonymous") == true }
        var objectScoped: Bool { roles?.contains("owner") == true }
    }

    static let knownNames: Set<String> = ["employee", "approver", "administrator", "auditor", "anonymous", "device", "payment-provider", "owner"]
    static let personRoles: Set<String> = ["employee", "approver", "administrator", "auditor", "owner"]
    /// Which x-roles names each security scheme can prove.
    static let namesByScheme: [String: Set<String>] = ["bearer": personRoles, "session": personRoles, "paymentSignature": ["payment-provider"]]

    let operations: [Operation]
    /// The names under `components: securitySchemes:`.
    let schemeNames: Set<String>

    init(_ yaml: String) {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The document's default requirement: `security:` at the top level, then `  - name: []` lines.
        var defaults: [String] = []
        if let start = lines.firstIndex(of: "security:") {
            for line in lines[(start + 1)...] {
                guard line.hasPrefix("  - ") else { break }
                defaults += Self.schemes(in: String(line.dropFirst(4)))
            }
        }
        var schemeNames: Set<String> = []
        if let start = lines.firstIndex(of: "  securitySchemes:") {
            for line in lines[(start + 1)...] {
                guard line.hasPrefix("    ") else { break }
                if !line.hasPrefix("     "), line.hasSuffix(":") { schemeNames.insert(String(line.dropFirst(4).dropLast())) }
            }
        }
        self.schemeNames = schemeNames

        var operations: [Operation] = []
        var inPaths = false
        var path: String?
        var current: (method: String, path: String, roles: Set<String>?, security: String?)?
        func close() {
            guard let op = current else { return }
            let explicit = op.security.map { $0 == "[]" || $0.contains("{}") }
            operations.append(Operation(method: op.method, path: op.path, roles: op.roles,
                                        schemes: op.security.map(Self.schemes(in:)) ?? defaults, optional: explicit ?? false))
            current = nil
        }
        for line in lines {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty, !line.hasPrefix(" ") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                close()
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     ") {
                close()
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete", "patch"].contains(key), let path { current = (key.uppercased(), path, nil, nil) }
            } else if line.hasPrefix("      "), !line.hasPrefix("       "), current != nil {
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("x-roles:") {
                    let list = text.dropFirst("x-roles:".count).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                    current?.roles = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                } else if text.hasPrefix("security:") {
                    current?.security = text.dropFirst("security:".count).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        close()
        self.operations = operations
    }

    /// The scheme names in a flow-style requirement list: `[{ session: [] }]`, `bearer: []`.
    static func schemes(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let colon = rest.firstIndex(of: ":") {
            let name = rest[..<colon].split(whereSeparator: { "[{, ".contains($0) }).last.map(String.init)
            if let name, !name.isEmpty { names.append(name) }
            rest = rest[rest.index(after: colon)...]
        }
        return names
    }

    /// What is wrong with how `operation` declares who may call it (empty when nothing is):
    /// open to anonymous ⇔ no credential needed; every named caller proved by a scheme it requires.
    func problems(_ operation: Operation) -> [String] {
        guard let roles = operation.roles, !roles.isEmpty else { return ["\(operation): no x-roles"] }
        var problems: [String] = []
        if let unknown = roles.subtracting(Self.knownNames).sorted().first { problems.append("\(operation): unknown x-roles name \(unknown)") }
        if let missing = Set(operation.schemes).subtracting(schemeNames).sorted().first {
            problems.append("\(operation): security names \(missing), which is not in components/securitySchemes")
        }
        if operation.isOpen {
            if !operation.optional { problems.append("\(operation): x-roles has anonymous but security requires \(operation.schemes)") }
        } else {
            if operation.optional || operation.schemes.isEmpty { problems.append("\(operation): x-roles \(roles.sorted()) but no security scheme is required") }
            let provable = operation.schemes.reduce(into: Set<String>()) { $0.formUnion(Self.namesByScheme[$1] ?? []) }
            if let stray = roles.subtracting(provable).sorted().first {
                problems.append("\(operation): x-roles has \(stray), which none of its schemes \(operation.schemes) proves")
            }
        }
        return problems
    }
}
