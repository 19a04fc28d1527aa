import Hummingbird

/// How a `WebTable` reaches a page: the template's view of one page of it (sort links, pager,
/// filter box, CSV link keeping the filter), or the whole selection as CSV (`?format=csv`).
extension WebApp {
    /// `nil` to render the page; a CSV response when the page was asked for `format=csv`.
    func csvIfAsked(_ table: WebTable, _ request: Request, filename: String) -> Response? {
        let query = Self.query(request)
        guard query["format"] == "csv" else { return nil }
        return Self.csv(table.csv(TableQuery(parameters: query.pairs)), filename: filename)
    }

    /// (A nil value hides a `{{#section}}`; a value shown with `{{name}}` must never be nil, or
    /// the template prints "nil": hence `filter` and `filtered`.)
    func tableContext(_ table: WebTable, _ request: Request) -> [String: Any] {
        let query = TableQuery(parameters: Self.query(request).pairs)
        let page = table.page(query)
        let path = request.uri.path
        let columns: [[String: Any]] = table.columns.map { column in
            let active = query.sort == column.key
            let descending = active && !query.descending
            return [
                "title": column.title, "numeric": column.numeric,
                "link": path + "?" + query.queryString(page: 1, sort: column.key, descending: descending),
                "arrow": active ? (query.descending ? "▼" : "▲") : "",
            ]
        }
        let rows: [[String: Any]] = page.rows.map { row in
            ["cells": row.cells.enumerated().map { index, text -> [String: Any] in
                var cell: [String: Any] = ["text": text, "numeric": table.columns[index].numeric]
                if index == 0, let link = row.link { cell["link"] = link }
                return cell
            }]
        }
        var csvQuery = query.queryString(page: 1)
        csvQuery += (csvQuery.isEmpty ? "" : "&") + "format=csv"
        var context: [String: Any] = [
            "columns": columns, "rows": rows, "empty": page.rows.isEmpty, "total": page.total, "page": page.page, "pages": page.pages,
            "filter": query.filter ?? "", "filtered": query.filter as Any, "path": path, "csv": path + "?" + csvQuery,
            "hidden": query.columnFilters.keys.sorted().map { ["name": "f." + $0, "value": query.columnFilters[$0]!] }
                + query.extra.map { ["name": $0.0, "value": $0.1] }
                + (query.sort.map { [["name": "sort", "value": $0]] } ?? []) + (query.descending ? [["name": "dir", "value": "desc"]] : []),
        ]
        if page.page > 1 { context["previous"] = path + "?" + query.queryString(page: page.page - 1) }
        if page.page < page.pages { context["next"] = path + "?" + query.queryString(page: page.page + 1) }
        if query.sort != nil { context["sort"] = query.sort! }
        return context
    }
}
