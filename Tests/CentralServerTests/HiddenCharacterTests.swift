import Protocol
import Testing
import TestSupport
@testable import CentralServer

/// Issue 21 item 9: a right-to-left override or a zero-width character in a name was accepted,
/// so one person's or device's name could read as another's on screen. Every name, title and
/// note a person or device sets refuses them, naming the field and the character; names
/// stored before are shown with the character written out.
@Suite("Names: hidden characters refused")
struct HiddenCharacterTests {
    /// The bidi controls, the zero-width and invisible characters, and a control character.
    static let hidden: [UInt32] = [
        0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
        0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, 0x00AD,
        0x0007, 0x001B, 0x007F, 0x0085, 0x2028, 0x2029, 0x3164, 0xE0001,
    ]

    static func with(_ code: UInt32, in text: String = "Alice Smith") -> String {
        var scalars = String.UnicodeScalarView()
        let middle = text.unicodeScalars.index(text.unicodeScalars.startIndex, offsetBy: 3)
        scalars.append(contentsOf: text.unicodeScalars[..<middle])
        scalars.append(Unicode.Scalar(code)!)
        scalars.append(contentsOf: text.unicodeScalars[middle...])
        return String(scalars)
    }

    static func hex(_ code: UInt32) -> String {
        let digits = String(code, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    @Test func theOverrideIsNamedWithItsCodePointAndWhy() {
        #expect(throws: InputError(field: "name", "contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text on screen")) {
            try InputRules.name("Ali\u{202E}ecram")
        }
        #expect(throws: InputError(field: "name", "contains U+0007 (a control character), which cannot be shown")) { try InputRules.name("Al\u{7}") }
    }

    @Test(arguments: hidden)
    func everyHiddenCharacterIsRefusedInEveryKindOfName(_ code: UInt32) {
        let text = Self.with(code)
        for (field, check) in [
            ("name", { (text: String) throws(InputError) in _ = try InputRules.name(text) }),
            ("department", { (text: String) throws(InputError) in _ = try InputRules.department(text) }),
            ("note", { (text: String) throws(InputError) in _ = try InputRules.note(text) }),
            ("model", { (text: String) throws(InputError) in _ = try EnrollmentService.shortText(text, field: "model") }),
        ] {
            do {
                try check(text)
                Issue.record("\(field): \(Self.hex(code)) was accepted")
            } catch {
                #expect(error.field == field && error.message.hasPrefix("contains \(Self.hex(code))"), "\(error)")
            }
        }
    }

    @Test func ordinaryNamesInAnyScriptAreStillAccepted() throws {
        for name in ["Zoë Ångström", "李小龍", "Ørjan O'Brien-Núñez", "محمد", "Love ❤️", "Anaïs (finance)"] {
            #expect(try InputRules.name(name) == name)
        }
    }

    /// A joiner is part of the spelling in Persian and Indic names and of emoji sequences;
    /// between Latin letters (where it shows nothing) it is still refused.
    @Test func aJoinerIsAcceptedOnlyWhereItJoins() throws {
        for name in ["\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}", "\u{0915}\u{094D}\u{200D}\u{0937}", "Team \u{1F469}\u{200D}\u{1F4BB}"] {
            #expect(try InputRules.name(name) == name)
        }
        for name in ["al\u{200D}ice", "al\u{200C}ice", "\u{200C}\u{0645}", "\u{0645}\u{200C}", "\u{0645}\u{200C}\u{200C}\u{0645}"] {
            #expect(throws: InputError.self, "\(name.unicodeScalars.map { String($0.value, radix: 16) })") { try InputRules.name(name) }
        }
    }

    @Test func theAdminServiceRefusesAUserAndADeviceNameWithAHiddenCharacter() async throws {
        let server = try TestServer()
        await #expect(throws: AdminError.input(InputError(field: "name", "contains U+200B ZERO WIDTH SPACE, which can disguise text on screen"))) {
            try await server.admin.createUser(AdminService.NewUser(id: "mallory", name: "Ali\u{200B}ce", department: nil, roles: ["employee"], cards: [], pin: nil),
                                              by: TestServer.actor)
        }
        // The enrolment token's name becomes the device's name.
        await #expect(throws: AdminError.input(InputError(field: "name", "contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text on screen"))) {
            try await server.admin.createEnrollmentToken(name: "Copier \u{202E}1-ROF", lifetime: 3_600_000, by: TestServer.actor)
        }
        #expect(try await server.store.users().isEmpty)
    }

    @Test func aSplitJobsTitleAndPaperTypeRefuseHiddenCharacters() async throws {
        let server = try TestServer()
        try await server.enroll()
        let alice = try await server.addUser("alice")
        try await server.addUser("bob")
        let split = SplitRequest(shares: [SplitShareRequest(payer: "bob", ratio: 50), SplitShareRequest(payer: "alice", ratio: 50)])
        await #expect(throws: SplitError.input(InputError(field: "title", "contains U+2067 RIGHT-TO-LEFT ISOLATE, which can disguise text on screen"))) {
            try await server.services.splits.create(pdf: SamplePDF.make(pages: 2), split: split, title: "Offer \u{2067}fdp.", device: "agent-1", by: alice, from: "test")
        }
        var method = PrintMethod()
        method.paperType = "plain\u{200D}"
        await #expect(throws: SplitError.self) {
            try await server.services.splits.create(pdf: SamplePDF.make(pages: 2), split: SplitRequest(method: method, shares: split.shares),
                                                    title: "Offer", device: "agent-1", by: alice, from: "test")
        }
        #expect(try await server.store.splitJobs(involving: alice.id, limit: 10).isEmpty)
    }

    @Test func aSealApplicationsReasonAndNotesRefuseHiddenCharactersButKeepLineBreaks() throws {
        let applicant = Fixture.user("alice")
        var approver = Fixture.user("bob")
        approver.roles = [.employee, .approver]
        func draft(_ reason: String) -> SealWorkflow.Draft {
            SealWorkflow.Draft(seal: Fixture.resourceID("seal-1"), reason: reason, uses: 1, photos: 0, approvers: [("bob", approver)], cc: [])
        }
        let id = try ApplicationID("sa-1")
        #expect(throws: SealWorkflowError.input(InputError(field: "reason", "contains U+202D LEFT-TO-RIGHT OVERRIDE, which can disguise text on screen"))) {
            try SealWorkflow.submit(draft("Contract \u{202D}signing"), id: id, by: applicant, at: Fixture.now)
        }
        let submitted = try SealWorkflow.submit(draft("Contract signing\nfor the lease"), id: id, by: applicant, at: Fixture.now)
        #expect(submitted.application.reason == "Contract signing\nfor the lease")
        #expect(throws: SealWorkflowError.input(InputError(field: "note", "contains U+FEFF ZERO WIDTH NO-BREAK SPACE, which can disguise text on screen"))) {
            try SealWorkflow.apply(.approve(note: "ok\u{FEFF}"), by: approver, to: submitted.application, at: Fixture.now)
        }
    }

    @Test func aPageShowsAHiddenCharacterStoredBeforeWrittenOut() throws {
        let renderer = try WebRenderer.bundled()
        let page = try renderer.render("error", ["title": "Error", "message": "user Ali\u{202E}ecram not found", "status": 404])
        #expect(page.contains("Ali[U+202E]ecram"), "\(page)")
        #expect(!page.unicodeScalars.contains("\u{202E}"))
    }
}
