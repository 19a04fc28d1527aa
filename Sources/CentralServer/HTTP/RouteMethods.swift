/// Which HTTP methods each routed path answers, so a request whose path is routed but whose
/// method is not gets `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6) instead
/// of a 404 that says the resource does not exist. Pure: built from the router's route list.
public struct RouteMethods: Sendable, Equatable {
    /// One routed path: its segments as the router spells them (`users`, `{id}`, `*`, `**`) and
    /// the methods routed on exactly that path.
    struct Template: Sendable, Equatable {
        let segments: [String]
        var methods: Set<String>
    }

    private(set) var templates: [Template] = []

    public init() {}

    /// `routes`: each route's method and path (segments as the router spells them).
    public init(_ routes: [(method: String, path: [String])]) {
        for route in routes {
            let segments = route.path.filter { !$0.isEmpty }
            if let index = templates.firstIndex(where: { $0.segments == segments }) {
                templates[index].methods.insert(route.method)
            } else {
                templates.append(Template(segments: segments, methods: [route.method]))
            }
        }
    }

    /// The methods routed on `path`, sorted, or nil when no route has this path. Where several
    /// routed paths match (`/seal-records/report` and `/seal-records/:id`), the most specific one
    /// answers, segment by segment (a literal before a parameter before `**`), as the router's
    /// trie picks it.
    public func allowed(onPath path: String) -> [String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let best = templates.filter { Self.matches($0.segments, parts) }.max { Self.lessSpecific($0.segments, than: $1.segments) }
        return best.map { $0.methods.sorted() }
    }

    private static func matches(_ template: [String], _ parts: [String]) -> Bool {
        for (index, segment) in template.enumerated() {
            if segment == "**" { return index < parts.count }
            guard index < parts.count else { return false }
            if isParameter(segment) { continue }
            if segment != parts[index] { return false }
        }
        return template.count == parts.count
    }

    /// 2 for a literal segment, 1 for a parameter or `*`, 0 for `**`.
    private static func rank(_ segment: String) -> Int {
        segment == "**" ? 0 : isParameter(segment) ? 1 : 2
    }

    /// `*`, or a parameter as the router spells it (`{id}`; `:id` where routes are written).
    private static func isParameter(_ segment: String) -> Bool {
        segment == "*" || segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
    }

    private static func lessSpecific(_ a: [String], than b: [String]) -> Bool {
        for (left, right) in zip(a, b) where rank(left) != rank(right) { return rank(left) < rank(right) }
        return a.count < b.count
    }
}

import Synchronization

/// The server's `RouteMethods`, shared by the middleware that answers 405 and the code that
/// adds routes: the table is set once every route is in (the uplink's route comes after the
/// REST and web routes), and only read after.
public final class RouteMethodsBox: Sendable {
    private let table = Mutex(RouteMethods())

    public init() {}

    public func set(_ methods: RouteMethods) { table.withLock { $0 = methods } }

    public var current: RouteMethods { table.withLock { $0 } }
}
