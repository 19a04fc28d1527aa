import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Protocol
import Testing
@testable import CentralServer

/// The webhook outbox against a real HTTP receiver on loopback: signed posts, retries with
/// backoff after a failure, nothing lost.
@Suite("Webhook delivery")
struct WebhookDeliveryTests {
    actor Received {
        var bodies: [(body: [UInt8], signature: String, delivery: String)] = []
        var failuresLeft: Int
        init(failures: Int) { failuresLeft = failures }
        func take(_ body: [UInt8], _ signature: String, _ delivery: String) -> Bool {
            if failuresLeft > 0 { failuresLeft -= 1; return false }
            bodies.append((body, signature, delivery))
            return true
        }
    }

    @Test func noticesArePostedSignedAndRetriedAfterAFailure() async throws {
        let received = Received(failures: 1)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
            let ok = await received.take(body, request.headers[values: HTTPField.Name(WebhookPayload.signatureHeader)!].first ?? "",
                                         request.headers[values: HTTPField.Name(WebhookPayload.deliveryHeader)!].first ?? "")
            return Response(status: ok ? .ok : .serviceUnavailable)
        }
        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ports.continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = try #require(await iterator.next())

            let server = try TestServer()
            let secret = "s3cret-for-the-test-0123456789"
            try await server.store.setWebhook(WebhookTarget(url: "http://127.0.0.1:\(port)/hook", secret: secret), audit: TestServer.actor.record("webhook.set", target: "webhook", at: server.clock.now()))
            try await server.addUser("alice")
            let notice = Notice(kind: "seal.approved", subject: "seal-application:sa-1", recipients: [Fixture.userID("alice")], text: "approved", details: ["application": "sa-1"], at: server.clock.now())
            try await server.store.notify([notice])

            let delivery = WebhookDelivery(store: server.store, clock: server.clock, logger: logger)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            #expect(await delivery.deliverDue(client: client) == 0, "the receiver refuses the first attempt")
            let failed = try await server.store.webhookOutbox(limit: 10)
            #expect(failed.map(\.attempts) == [1])
            #expect(failed[0].lastError == "HTTP 503")
            #expect(failed[0].nextAttempt == server.clock.now().adding(milliseconds: 5_000))
            #expect(await delivery.deliverDue(client: client) == 0, "not due before the backoff")
            server.clock.advance(milliseconds: 5_000)
            #expect(await delivery.deliverDue(client: client) == 1)
            try await client.shutdown()

            let bodies = await received.bodies
            #expect(bodies.count == 1)
            #expect(bodies[0].body == WebhookPayload.encode(notice))
            #expect(WebhookPayload.verify(body: bodies[0].body, secret: secret, header: bodies[0].signature))
            #expect(!WebhookPayload.verify(body: bodies[0].body, secret: "another secret", header: bodies[0].signature))
            #expect(bodies[0].delivery == "\(failed[0].id)")
            let json = try JSONSerialization.jsonObject(with: Data(bodies[0].body)) as? [String: Any]
            #expect(json?["kind"] as? String == "seal.approved")
            #expect(try await server.store.webhookOutbox(limit: 10).first?.delivered != nil)
            group.cancelAll()
        }
    }

    @Test func theSignatureIsHMACSHA256OfTheBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        #expect(WebhookPayload.signature(body: Array("what do ya want for nothing?".utf8), secret: "Jefe")
            == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(WebhookPayload.backoff(afterFailures: 1) == 5_000)
        #expect(WebhookPayload.backoff(afterFailures: 3) == 20_000)
        #expect(WebhookPayload.backoff(afterFailures: 40) == 3_600_000)
    }
}
