import Foundation

/// A table as the web pages show it (issue 7: every table pages, sorts, filters and exports to
/// CSV). Rows are plain text cells; a column may be numeric (sorted as numbers) and may carry a
/// link per row. Pure: the page's query goes in, the rows to show come out.
public struct WebTable: Sendable {
    public struct Column: Hashable, Sendable {
        public let key: String
        public let title: String
        public let numeric: Bool

        public init(_ key: String, _ title: String, numeric: Bool = false) {
            self.key = key
            self.title = title
            self.numeric = numeric
        }
    }

    public struct Row: Hashable, Sendable {
        /// One text per column, in column order.
        public let cells: [String]
        /// Where the row's first cell links to, if anywhere.
        public let link: String?

        public init(_ cells: [String], link: String? = nil) {
            self.cells = cells
            self.link = link
        }
    }

    public let columns: [Column]
    public let rows: [Row]

    public init(columns: [Column], rows: [Row]) {
        precondition(rows.allSatisfy { $0.cells.count == columns.count }, "every row has one cell per column")
        self.columns = columns
        self.rows = rows
    }

    /// The rows that match `query`'s filter, in its order (every page: what CSV exports).
    public func selected(_ query: TableQuery) -> [Row] {
        var chosen = rows
        if let text = query.filter?.lowercased(), !text.isEmpty {
            chosen = chosen.filter { row in row.cells.contains { $0.lowercased().contains(text) } }
        }
        for (key, value) in query.columnFilters {
            guard let index = columns.firstIndex(where: { $0.key == key }) else { continue }
            chosen = chosen.filter { $0.cells[index].caseInsensitiveCompare(value) == .orderedSame }
        }
        if let key = query.sort, let index = columns.firstIndex(where: { $0.key == key }) {
            // Each cell's number is read once, not at every comparison.
            let numbers: [Double?] = columns[index].numeric ? chosen.map { Self.number($0.cells[index]) } : Array(repeating: nil, count: chosen.count)
            let order = chosen.indices.sorted { a, b in
                let result: ComparisonResult
                if let x = numbers[a], let y = numbers[b] {
                    result = x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
                } else {
                    result = chosen[a].cells[index].localizedStandardCompare(chosen[b].cells[index])
                }
                // Stable: rows that compare equal keep their original order.
                if result == .orderedSame { return a < b }
                return query.descending ? result == .orderedDescending : result == .orderedAscending
            }
            chosen = order.map { chosen[$0] }
        }
        return chosen
    }

    /// One page of the selected rows.
    public func page(_ query: TableQuery) -> TablePage {
        let chosen = selected(query)
        let pages = max(1, (chosen.count + query.pageSize - 1) / query.pageSize)
        let page = min(max(1, query.page), pages)
        let start = (page - 1) * query.pageSize
        return TablePage(rows: Array(chosen.dropFirst(start).prefix(query.pageSize)), total: chosen.count, page: page, pages: pages)
    }

    /// The selected rows as CSV (RFC 4180), a header line first.
    public func csv(_ query: TableQuery) -> String {
        CSV.encode(header: columns.map(\.title), rows: selected(query).map(\.cells))
    }

    /// A numeric cell's value (`1,234.5` or `12.50 EUR` read as their number); nil for text.
    static func number(_ text: String) -> Double? {
        let digits = text.prefix { !$0.isWhitespace }.filter { $0 != "," }
        return Double(digits)
    }
}

/// One page of a table's rows and where it is among the pages.
public struct TablePage: Hashable, Sendable {
    public let rows: [WebTable.Row]
    /// Rows matching the filter, on every page.
    public let total: Int
    /// From 1.
    public let page: Int
    public let pages: Int
}

/// What a table page was asked for: `q` (text in any cell), `sort`, `dir=desc`, `page`,
/// `size`, and `f.<column>=<value>` (that column equals the value).
public struct TableQuery: Hashable, Sendable {
    public var filter: String?
    public var columnFilters: [String: String]
    public var sort: String?
    public var descending: Bool
    public var page: Int
    public var pageSize: Int
    /// The page's other parameters (`by`, `range`, ...), kept in every link the table makes.
    public var extra: [(String, String)] = []

    public static func == (lhs: TableQuery, rhs: TableQuery) -> Bool {
        lhs.filter == rhs.filter && lhs.columnFilters == rhs.columnFilters && lhs.sort == rhs.sort && lhs.descending == rhs.descending
            && lhs.page == rhs.page && lhs.pageSize == rhs.pageSize && lhs.extra.map { "\($0.0)=\($0.1)" } == rhs.extra.map { "\($0.0)=\($0.1)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(filter)
        hasher.combine(sort)
        hasher.combine(page)
    }

    /// Parameters that are messages or formats, never carried into links.
    static let transient: Set<String> = ["notice", "problem", "format"]

    public static let defaultPageSize = 25
    public static let maximumPageSize = 500

    public init(filter: String? = nil, columnFilters: [String: String] = [:], sort: String? = nil, descending: Bool = false, page: Int = 1, pageSize: Int = TableQuery.defaultPageSize) {
        self.filter = filter
        self.columnFilters = columnFilters
        self.sort = sort
        self.descending = descending
        self.page = page
        self.pageSize = pageSize
    }

    /// From a page's query parameters; values out of range are brought into range, never refused
    /// (a bookmarked page with page=999 shows the last page).
    public init(parameters: [(String, String)]) {
        self.init()
        for (name, value) in parameters {
            switch name {
            case "q": filter = value.isEmpty ? nil : value
            case "sort": sort = value.isEmpty ? nil : value
            case "dir": descending = value == "desc"
            case "page": page = max(1, Int(value) ?? 1)
            case "size": pageSize = min(Self.maximumPageSize, max(1, Int(value) ?? Self.defaultPageSize))
            default:
                if name.hasPrefix("f.") {
                    if !value.isEmpty { columnFilters[String(name.dropFirst(2))] = value }
                } else if !Self.transient.contains(name) {
                    extra.append((name, value))
                }
            }
        }
    }

    /// The query string for this query with some parameters changed (links to other pages and sorts).
    public func queryString(page: Int? = nil, sort: String? = nil, descending: Bool? = nil) -> String {
        var items: [(String, String)] = extra
        if let filter { items.append(("q", filter)) }
        for key in columnFilters.keys.sorted() { items.append(("f." + key, columnFilters[key]!)) }
        if let sorting = sort ?? self.sort { items.append(("sort", sorting)) }
        if descending ?? self.descending { items.append(("dir", "desc")) }
        let pageNumber = page ?? self.page
        if pageNumber != 1 { items.append(("page", String(pageNumber))) }
        if pageSize != Self.defaultPageSize { items.append(("size", String(pageSize))) }
        return items.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
