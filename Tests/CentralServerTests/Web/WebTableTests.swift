import Testing
@testable import CentralServer

@Suite("Web tables: filter, sort, pages, CSV")
struct WebTableTests {
    static let table = WebTable(
        columns: [.init("user", "User"), .init("device", "Device"), .init("pages", "Pages", numeric: true)],
        rows: [
            .init(["alice", "copier-1", "12"]), .init(["bob", "copier-2", "3"]), .init(["alice", "copier-2", "100"]),
            .init(["carol", "copier-1", "7"]), .init(["Alice", "copier-3", "1"]),
        ]
    )

    @Test func theFilterLooksInEveryCellIgnoringCase() {
        let rows = Self.table.selected(TableQuery(filter: "ALICE"))
        #expect(rows.map { $0.cells[2] } == ["12", "100", "1"])
        #expect(Self.table.selected(TableQuery(filter: "copier-2")).count == 2)
        #expect(Self.table.selected(TableQuery(filter: "nobody")).isEmpty)
    }

    @Test func aColumnFilterMatchesThatColumnOnly() {
        let rows = Self.table.selected(TableQuery(columnFilters: ["device": "copier-1"]))
        #expect(rows.map { $0.cells[0] } == ["alice", "carol"])
        // An unknown column is ignored, not an error (old bookmarks keep working).
        #expect(Self.table.selected(TableQuery(columnFilters: ["nope": "x"])).count == 5)
    }

    @Test func numbersSortAsNumbersAndTextAsText() {
        #expect(Self.table.selected(TableQuery(sort: "pages")).map { $0.cells[2] } == ["1", "3", "7", "12", "100"])
        #expect(Self.table.selected(TableQuery(sort: "pages", descending: true)).map { $0.cells[2] } == ["100", "12", "7", "3", "1"])
        #expect(Self.table.selected(TableQuery(sort: "device")).map { $0.cells[1] } == ["copier-1", "copier-1", "copier-2", "copier-2", "copier-3"])
        // Stable: equal keys keep their order.
        #expect(Self.table.selected(TableQuery(sort: "device")).map { $0.cells[0] }.prefix(2) == ["alice", "carol"])
    }

    @Test func numericCellsAreReadWithTheirUnitAndThousandsSeparators() {
        #expect(WebTable.number("12.50 EUR") == 12.5)
        #expect(WebTable.number("1,234") == 1234)
        #expect(WebTable.number("-3") == -3)
        #expect(WebTable.number("abc") == nil)
        #expect(WebTable.number("") == nil)
        let money = WebTable(columns: [.init("amount", "Amount", numeric: true)], rows: [.init(["10.00 EUR"]), .init(["9.50 EUR"]), .init(["100.00 EUR"])])
        #expect(money.selected(TableQuery(sort: "amount")).map { $0.cells[0] } == ["9.50 EUR", "10.00 EUR", "100.00 EUR"])
    }

    @Test func pagesAreCutAndOutOfRangePagesClamp() {
        let first = Self.table.page(TableQuery(page: 1, pageSize: 2))
        #expect(first.rows.count == 2 && first.total == 5 && first.pages == 3 && first.page == 1)
        let last = Self.table.page(TableQuery(page: 99, pageSize: 2))
        #expect(last.page == 3 && last.rows.map { $0.cells[0] } == ["Alice"])
        let none = WebTable(columns: Self.table.columns, rows: []).page(TableQuery())
        #expect(none.pages == 1 && none.rows.isEmpty)
    }

    @Test func theQueryIsReadFromParametersAndWrittenBack() {
        let query = TableQuery(parameters: [("q", "a b"), ("sort", "pages"), ("dir", "desc"), ("page", "2"), ("size", "9999"), ("f.device", "copier-1"), ("by", "user"), ("notice", "hi")])
        #expect(query.filter == "a b" && query.sort == "pages" && query.descending && query.page == 2)
        #expect(query.pageSize == TableQuery.maximumPageSize)
        #expect(query.columnFilters == ["device": "copier-1"])
        #expect(query.extra.map(\.0) == ["by"])
        let text = query.queryString(page: 3)
        #expect(text == "by=user&q=a%20b&f.device=copier-1&sort=pages&dir=desc&page=3&size=500")
        #expect(TableQuery(parameters: [("page", "-4"), ("size", "0")]).page == 1)
    }

    @Test func csvIsRFC4180AndHonoursTheFilter() {
        let csv = Self.table.csv(TableQuery(filter: "carol"))
        #expect(csv == "User,Device,Pages\r\ncarol,copier-1,7\r\n")
        #expect(CSV.encode(header: ["a"], rows: [["x,y"], ["say \"hi\""], ["two\nlines"]]) == "a\r\n\"x,y\"\r\n\"say \"\"hi\"\"\"\r\n\"two\nlines\"\r\n")
    }

    @Test func csvCellsThatLookLikeFormulasStayText() {
        #expect(CSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.field("+1+1") == "'+1+1")
        #expect(CSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.field("-12") == "-12")
        #expect(CSV.field("-x") == "'-x")
    }
}
