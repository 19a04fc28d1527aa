import Protocol
import Testing
@testable import CentralServer

/// Issue 21: a copy job of 3e9 colour pages at the largest allowed price trapped the server in
/// JobPricing (an unchecked multiply), and the agent resent it on every reconnect. The price is
/// checked arithmetic with a bound; such a job is stored (it is in the device's signed chain),
/// recorded with no price (its pages still count), and shown to auditors; the next job is charged as usual.
@Suite("Pricing: jobs beyond the price bound")
struct JobPriceBoundTests {
    static let euro = try! CurrencyCode("EUR")
    static let prices = [
        Price(paperSize: .a4, colour: true, pricePerPage: .max, currency: euro),
        Price(paperSize: .a4, colour: false, pricePerPage: 5, currency: euro),
    ]

    @Test func anOrdinaryJobIsPricedPageByPage() {
        let priced = JobPricing.price(colourPages: 2, monoPages: 10, paperSize: .a4, prices: Self.prices, currency: Self.euro)
        #expect(priced == .init(amount: 2 * Int64(UInt32.max) + 50, currency: Self.euro))
    }

    @Test(arguments: [
        (Int64(3_000_000_000), Int64(0)),          // the product overflows nothing, but is past 2^53
        (Int64(UInt32.max), Int64(UInt32.max)),    // the largest page counts a job record holds
        (Int64.max, Int64(0)),                     // the multiply itself overflows Int64
        (Int64(0), Int64.max),
    ])
    func aJobPricedBeyondTheBoundHasNoPrice(colour: Int64, mono: Int64) {
        #expect(JobPricing.price(colourPages: colour, monoPages: mono, paperSize: .a4, prices: Self.prices, currency: Self.euro) == nil)
    }

    @Test func theBoundItselfIsPriced() {
        let prices = [Price(paperSize: .a4, colour: false, pricePerPage: 1, currency: Self.euro)]
        #expect(JobPricing.price(colourPages: 0, monoPages: JobPricing.maximumAmount, paperSize: .a4, prices: prices, currency: Self.euro)?.amount == JobPricing.maximumAmount)
        #expect(JobPricing.price(colourPages: 0, monoPages: JobPricing.maximumAmount + 1, paperSize: .a4, prices: prices, currency: Self.euro) == nil)
    }

    @Test func aDeviceJobBeyondTheBoundIsStoredUnchargedAndTheNextIsCharged() async throws {
        let setup = try await CopyJobOnceTests.Setup()
        _ = try await setup.server.admin.setPrice(paper: "A4", colour: true, price: Int64(UInt32.max), currency: "EUR", by: TestServer.actor)
        let alice = Fixture.userID("alice")
        func job(_ sequence: UInt32, colour: UInt32, after previous: Event?) throws -> Event {
            let time = Fixture.now.adding(seconds: Int64(sequence))
            let body = EventBody.copyJob(try CopyJobEvent(
                sessionID: 9, copierJobSequence: sequence, userID: alice, grantID: GrantID(high: 0, low: UInt64(sequence)),
                pages: colour, copies: 1, colourPages: colour, monoPages: 0, duplex: false, paperSize: .a4,
                started: time.adding(seconds: -5), ended: time, end: .completed))
            return try previous.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: CopyJobOnceTests.device, sequence: 1, previousHash: .zero, time: time, body: body)
        }
        let huge = try job(1, colour: 3_000_000_000, after: nil)
        try await setup.resend([huge])
        try await setup.resend([huge])  // the agent's resend after a reconnect: acknowledged again, no trap
        try await setup.resend([try job(2, colour: 2, after: huge)])
        let charges = try await setup.server.store.charges(limit: 10)
        #expect(charges.map(\.amount) == [2 * Int64(UInt32.max), 0], "the huge job recorded with no price: \(charges)")
        #expect(try await setup.server.store.eventHead(device: CopyJobOnceTests.device)?.sequence == 2, "both jobs stored")
        let flagged = try await setup.server.store.securityEvents(limit: 10).filter { $0.kind == "copy job beyond price bound" }
        #expect(flagged.count == 1 && flagged[0].detail.contains("3000000000 colour"), "\(flagged)")
    }
}
