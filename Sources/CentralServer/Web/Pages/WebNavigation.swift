import Foundation
/// The menu of the pages a person's roles open (SPEC G1: each role sees its own). Pure.
enum WebNavigation {
    struct Item: Hashable, Sendable {
        let path: String
        let label: String
    }

    static func entries(for roles: Set<Role>) -> [Item] {
        var items = [Item(path: "/web", label: "Dashboard"), Item(path: "/web/usage", label: "Use over time")]
        if roles.contains(.employee) {
            items += [
                Item(path: "/web/me", label: "My use"), Item(path: "/web/applications", label: "Seal applications"),
                Item(path: "/web/shares", label: "Split shares"),
            ]
        }
        if roles.contains(.employee) || roles.contains(.auditor) { items.append(Item(path: "/web/bills", label: "Bills")) }
        if roles.contains(.approver) { items.append(Item(path: "/web/inbox", label: "Approval inbox")) }
        if roles.contains(.administrator) {
            items += [
                Item(path: "/web/admin/users", label: "Users"), Item(path: "/web/admin/prices", label: "Prices"),
                Item(path: "/web/admin/devices", label: "Devices"), Item(path: "/web/admin/tokens", label: "Enrolment tokens"),
                Item(path: "/web/admin/firmware", label: "Firmware"),
            ]
        }
        if roles.contains(.auditor) {
            items += [
                Item(path: "/web/audit/jobs", label: "Jobs"), Item(path: "/web/audit/seal-uses", label: "Seal uses"),
                Item(path: "/web/audit/security", label: "Security events"), Item(path: "/web/audit/log", label: "Audit log"),
            ]
        }
        return items
    }

    /// As the layout template wants them: the current page marked.
    static func items(for roles: Set<Role>, current: String) -> [[String: Any]] {
        entries(for: roles).map { item in
            let isCurrent = item.path == "/web" ? (current == "/web" || current == "/web/") : current.hasPrefix(item.path)
            return ["path": item.path, "label": item.label, "current": isCurrent]
        }
    }
}
