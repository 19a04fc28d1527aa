import Foundation
import HummingbirdTesting
import Hummingbird
import Testing
@testable import CentralServer

/// Helpers for in-process HTTP tests.
extension TestServer {
    /// Runs `test` against this server's router, in process (no sockets).
    func http<Value: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await ServerRunner.application(services, host: "127.0.0.1", port: 0).test(.router, test)
    }
}

extension TestClientProtocol {
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, bytes: [UInt8]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
}
