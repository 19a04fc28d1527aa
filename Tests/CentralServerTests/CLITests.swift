import Foundation
import Protocol
import TestSupport
import Testing
@testable import CentralServer
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `imprimatur-server` as a child process, as an administrator would.
@Suite("imprimatur-server command line")
struct CLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try ChildProcess.run(try BuildProducts.executable("imprimatur-server"), arguments, timeout: .seconds(30))
    }

    @Test func userAddListDisableAndBadInput() throws {
        let data = try TemporaryDirectory()
        let added = try Self.run(["user", "add", "--data", data.path, "--name", "Alice Smith", "--card", "0004711", "--pin", "1234", "--role", "employee", "--department", "finance"])
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains("added user alice.smith"))

        let list = try Self.run(["user", "list", "--data", data.path])
        #expect(list.output.contains("alice.smith"))
        #expect(list.output.contains("finance"))

        let badInputs: [([String], String)] = [
            (["--name", "Bob", "--card", "77", "--pin", "12", "--role", "employee"], "invalid --pin: must be 4 to 16 digits"),
            (["--name", "Bob", "--card", "77", "--pin", "12ab", "--role", "employee"], "invalid --pin: must contain only the digits 0-9"),
            (["--name", "Bob", "--card", "77", "--pin", "1234", "--role", "boss"], "invalid --role: unknown role \"boss\""),
            (["--name", "Bob", "--card", "0004711", "--pin", "1234", "--role", "employee"], "card 0004711 already belongs to user alice.smith"),
            (["--name", "Bob", "--card", "has space", "--pin", "1234", "--role", "employee"], "invalid --card"),
            (["--name", "Alice Smith", "--card", "78", "--role", "employee"], "user alice.smith already exists"),
            (["--name", "", "--card", "78", "--role", "employee"], "invalid --name: must not be empty"),
        ]
        for (arguments, message) in badInputs {
            let result = try Self.run(["user", "add", "--data", data.path] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
        }
        let missing = try Self.run(["user", "add", "--data", data.path, "--name", "Bob"])
        #expect(missing.status != 0)
        #expect(missing.error.contains("--role"))

        let unknown = try Self.run(["user", "disable", "--data", data.path, "--user", "ghost"])
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("user ghost not found"))
        #expect(try Self.run(["user", "disable", "--data", data.path, "--user", "alice.smith"]).status == 0)
        #expect(try Self.run(["user", "list", "--data", data.path]).output.contains("no "))
        let setPIN = try Self.run(["user", "set-pin", "--data", data.path, "--user", "alice.smith", "--pin", "99"])
        #expect(setPIN.status == 1)
        #expect(setPIN.error.contains("invalid --pin"))
    }

    @Test func deviceTokenEnrolsOnceAndChangesAreAudited() async throws {
        let data = try TemporaryDirectory()
        let created = try Self.run(["device", "token", "--data", data.path, "--name", "Lobby copier", "--expires", "2h"])
        #expect(created.status == 0, "\(created.error)")
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 64 && Hex.decode(token) != nil, "\(created.output)")
        #expect(created.error.contains("valid once"))
        #expect(try Self.run(["device", "token", "--data", data.path, "--name", "x", "--expires", "1y"]).error.contains("invalid --expires"))

        let services = try ServerServices.open(dataDirectory: data.path)
        let request = EnrollmentService.Request(
            token: token, deviceID: "lobby-1", publicKey: Hex.encode(Fixture.deviceKey.publicKey.bytes), model: "sim", firmware: "1.0.0"
        )
        let result = try await services.enrollment.enroll(request, source: "test")
        #expect(result.device.name == "Lobby copier")
        await #expect(throws: AdminError.self) { try await services.enrollment.enroll(request, source: "test") }
        let entries = try await services.store.auditEntries(after: 0, limit: 10)
        #expect(entries.first?.record.action == "enrollment-token.create")
        #expect(entries.first?.record.actor.hasPrefix("cli:") == true)
        try await services.store.close()

        let list = try Self.run(["device", "list", "--data", data.path])
        #expect(list.output.contains("lobby-1"))
        #expect(list.output.contains("Lobby copier"))
    }

    @Test func keysRotateAndListAndAKeyFileOthersCanReadStopsTheServer() throws {
        let data = try TemporaryDirectory()
        let first = try Self.run(["keys", "rotate", "--data", data.path])
        #expect(first.status == 0, "\(first.error)")
        let second = try Self.run(["keys", "rotate", "--data", data.path])
        #expect(second.output.contains("retired, still verifies until"))
        let keys = try KeyDirectory(dataDirectory: data.path).load()
        #expect(keys.keys.count == 2)
        #expect(second.output.contains(keys.current.keyID.description))
        let list = try Self.run(["keys", "list", "--data", data.path])
        #expect(list.output.contains("current"))
        #expect(list.output.contains("retired, still verifies"))

        let file = data.path + "/keys/\(keys.current.keyID).key"
        chmod(file, 0o644)
        let serve = try Self.run(["serve", "--data", data.path, "--port", "0"])
        #expect(serve.status != 0)
        #expect(serve.error.contains("signing keys must not be readable by other users"), "\(serve.error)")
        #expect(serve.error.contains("chmod 600 \(file)"))
    }

    @Test func priceAndQuotaCommands() throws {
        let data = try TemporaryDirectory()
        #expect(try Self.run(["user", "add", "--data", data.path, "--name", "Bo", "--card", "1", "--role", "employee"]).status == 0)
        let price = try Self.run(["price", "set", "--data", data.path, "--paper", "A4", "--colour", "--price", "30"])
        #expect(price.status == 0, "\(price.error)")
        #expect(try Self.run(["price", "list", "--data", data.path]).output.contains("A4     colour  30"))
        #expect(try Self.run(["price", "set", "--data", data.path, "--paper", "A9", "--mono", "--price", "3"]).error.contains("invalid --paper"))
        #expect(try Self.run(["price", "set", "--data", data.path, "--paper", "A4", "--price", "3"]).status != 0)
        #expect(try Self.run(["price", "set", "--data", data.path, "--paper", "A4", "--mono", "--price", "0"]).error.contains("invalid --price"))
        #expect(try Self.run(["quota", "set", "--data", data.path, "--user", "bo", "--limit", "500", "--unit", "pages"]).status == 0)
        #expect(try Self.run(["quota", "set", "--data", data.path, "--user", "bo", "--limit", "500", "--unit", "yen"]).error.contains("invalid --unit"))
        #expect(try Self.run(["quota", "set", "--data", data.path, "--user", "nobody", "--limit", "5", "--unit", "pages"]).error.contains("user nobody not found"))
        let token = try Self.run(["token", "create", "--data", data.path, "--user", "bo"])
        #expect(token.status == 0)
        #expect(token.output.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
        let audit = try Self.run(["audit", "verify", "--data", data.path])
        #expect(audit.status == 0)
        #expect(audit.output.contains("intact: 4 entries"))
    }

    @Test func serveAnswersAndStopsCleanlyOnSIGTERM() throws {
        let data = try TemporaryDirectory()
        let server = try ChildProcess(try BuildProducts.executable("imprimatur-server"), ["serve", "--data", data.path, "--port", "0"])
        let line = try server.readLine(timeout: .seconds(30))
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.split(separator: " ").first ?? "") }, "\(line)")
        #expect(line.contains("listening on http://127.0.0.1:"))

        let health = try HTTPGet.get(port: port, path: "/healthz")
        #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
        #expect(health.contains(#""status":"ok""#))
        let unauthorised = try HTTPGet.get(port: port, path: "/api/v1/users")
        #expect(unauthorised.hasPrefix("HTTP/1.1 401"))

        server.send(SIGTERM)
        let status = try server.waitForExit(timeout: .seconds(20))
        #expect(status == 0, "\(server.standardError)")
        #expect(server.standardError.contains("store closed"))
        // The key and the store are there for the next start.
        // Private to the server's user, whatever umask it was started with.
        let mode = try FileManager.default.attributesOfItem(atPath: data.path + "/server.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try KeyDirectory(dataDirectory: data.path).load().keys.count == 1)
    }
}

/// A minimal HTTP/1.1 GET over a loopback TCP socket.
enum HTTPGet {
    static func get(port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessFailure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProcessFailure(description: "connect: errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
