import Protocol
import Testing
@testable import CentralServer

@Suite("Web login lockout, sessions and CSRF rules")
struct WebSecurityTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static func at(_ minutes: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: t0.millisecondsSinceEpoch + minutes * 60_000) }

    @Test func anAccountLocksAtTheFifthFailureInFifteenMinutesAndUnlocksWhenTheOldestAgesOut() {
        let throttle = LoginThrottle(perAccount: 5, perSource: 20, window: 15 * 60_000)
        let four = (0..<4).map { Self.at($0) }
        #expect(throttle.decide(accountFailures: four, sourceFailures: four, now: Self.at(5)) == .allowed)
        let five = four + [Self.at(4)]
        guard case let .locked(until, reason) = throttle.decide(accountFailures: five, sourceFailures: five, now: Self.at(5)) else {
            Issue.record("five failures did not lock"); return
        }
        #expect(reason.contains("account"))
        // The oldest (minute 0) leaves the window at minute 15.
        #expect(until == Self.at(15))
        #expect(throttle.decide(accountFailures: five, sourceFailures: five, now: Self.at(15)) == .allowed)
    }

    @Test func oldFailuresDoNotCount() {
        let throttle = LoginThrottle()
        let old = (0..<10).map { Self.at($0) }
        #expect(throttle.decide(accountFailures: old, sourceFailures: old, now: Self.at(40)) == .allowed)
    }

    @Test func oneAddressTryingManyAccountsIsLockedToo() {
        let throttle = LoginThrottle(perAccount: 5, perSource: 20)
        let many = (0..<20).map { Self.at(0).adding($0) }
        guard case let .locked(_, reason) = throttle.decide(accountFailures: [], sourceFailures: many, now: Self.at(1)) else {
            Issue.record("twenty failures from one address did not lock"); return
        }
        #expect(reason.contains("address"))
    }

    @Test func aSessionEndsWhenIdleOrTooOld() {
        let policy = WebSessionPolicy(idleTimeout: 30 * 60_000, lifetime: 12 * 3_600_000)
        #expect(policy.isLive(created: Self.at(0), lastSeen: Self.at(0), now: Self.at(29)))
        #expect(!policy.isLive(created: Self.at(0), lastSeen: Self.at(0), now: Self.at(30)))
        #expect(policy.isLive(created: Self.at(0), lastSeen: Self.at(700), now: Self.at(710)))
        #expect(!policy.isLive(created: Self.at(0), lastSeen: Self.at(719), now: Self.at(720)))
        // A clock that went back before the login does not keep a session alive.
        #expect(!policy.isLive(created: Self.at(10), lastSeen: Self.at(10), now: Self.at(5)))
    }

    @Test func theCookieIsHttpOnlySameSiteAndSecureOnlyOverTLS() {
        let id = String(repeating: "ab", count: 32)
        let plain = WebSessionPolicy(secureCookie: false).cookie(id)
        #expect(plain.hasPrefix("imprimatur_session=\(id);"))
        #expect(plain.contains("HttpOnly") && plain.contains("SameSite=Strict") && plain.contains("Path=/"))
        #expect(!plain.contains("Secure"))
        #expect(WebSessionPolicy(secureCookie: true).cookie(id).hasSuffix("; Secure"))
        #expect(WebSessionPolicy().clearedCookie().contains("Max-Age=0"))
    }

    @Test func onlyAWellFormedSessionIdIsReadFromTheCookieHeader() {
        let id = String(repeating: "0f", count: 32)
        #expect(WebSessionPolicy.sessionID(cookieHeader: "a=1; imprimatur_session=\(id); b=2") == id)
        #expect(WebSessionPolicy.sessionID(cookieHeader: "imprimatur_session=\(id.uppercased())") == nil)
        #expect(WebSessionPolicy.sessionID(cookieHeader: "imprimatur_session=abc") == nil)
        #expect(WebSessionPolicy.sessionID(cookieHeader: "other=\(id)") == nil)
        #expect(WebSessionPolicy.sessionID(cookieHeader: nil) == nil)
    }

    @Test func sessionTokensAreRandomHexAndStoredOnlyHashed() {
        let a = WebSessionPolicy.token(Array(repeating: 1, count: 32))
        #expect(a.count == 64)
        #expect(WebSessionPolicy.storedHash(a) != WebSessionPolicy.storedHash(WebSessionPolicy.token(Array(repeating: 2, count: 32))))
        #expect(WebSessionPolicy.storedHash(a).hex != a)
    }

    @Test func theCSRFTokenMustMatchExactly() {
        let token = String(repeating: "c", count: 64)
        #expect(WebSessionPolicy.csrfMatches(expected: token, given: token))
        #expect(!WebSessionPolicy.csrfMatches(expected: token, given: nil))
        #expect(!WebSessionPolicy.csrfMatches(expected: token, given: ""))
        #expect(!WebSessionPolicy.csrfMatches(expected: token, given: String(token.dropLast()) + "d"))
        #expect(!WebSessionPolicy.csrfMatches(expected: token, given: token + "c"))
        #expect(!WebSessionPolicy.csrfMatches(expected: "", given: ""))
    }

    @Test func formsAreDecoded() throws {
        let form = try FormFields(parsing: "user=alice&password=a%26b+c%3D&role=employee&role=auditor&empty=")
        #expect(form["user"] == "alice")
        #expect(form["password"] == "a&b c=")
        #expect(form.all("role") == ["employee", "auditor"])
        #expect(form["empty"] == nil)
        #expect(try FormFields(parsing: "name=%C3%A9t%C3%A9")["name"] == "été")
    }

    @Test func aBrokenFormSaysWhatIsWrong() {
        #expect(throws: FormError.self) { try FormFields(parsing: "a=%zz") }
        #expect(throws: FormError.self) { try FormFields(parsing: "a=%4") }
        #expect(throws: FormError.self) { try FormFields(parsing: "a=%ff%fe") }
        do {
            _ = try FormFields(parsing: "uses=many").integer("uses")
            Issue.record("a word was taken as a number")
        } catch {
            #expect(error.description.contains("uses") && error.description.contains("many"))
        }
    }

    @Test func aLoginRedirectStaysOnThisSite() {
        #expect(WebApp.safeNext("/web/inbox?x=1") == "/web/inbox?x=1")
        #expect(WebApp.safeNext("https://evil.example/") == "/web")
        #expect(WebApp.safeNext("//evil.example/web") == "/web")
        #expect(WebApp.safeNext("/api/v1/users") == "/web")
    }
}

extension Timestamp {
    func adding(_ seconds: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + Int64(seconds) * 1000) }
}
