import Foundation
import Protocol
import Testing
@testable import DeviceAgent

/// The local API on a box that drives a seal (and no copier), and on one that drives no seal:
/// each request for a part the box lacks, or missing what a seal tap needs, is refused saying so.
@Suite struct LocalAPISealTests {
    static func answer(_ line: String, seal: SealAgent?) async -> LocalAPI.Response {
        await LocalAPI.answer(line: line, agent: nil, seal: seal)
    }

    static func sealAgent(_ fixture: StoreFixture) throws -> SealAgent {
        let store = try fixture.open()
        return SealAgent(settings: .init(deviceID: StoreFixture.deviceID, sealID: try ResourceID("seal-1"), location: try SealLocation(placeName: "HQ")),
                         store: store, camera: SimulatedCamera(deviceName: "test"), clock: AgentClock())
    }

    @Test func a_box_without_a_seal_refuses_a_seal_tap() async {
        let response = await Self.answer(#"{"op":"tap","card":"0042","seal":true,"application":"sa-1"}"#, seal: nil)
        #expect(response == .failure("this box drives no seal (no [seal] section in its configuration)"))
    }

    @Test func a_seal_tap_needs_a_good_application_id_and_a_copier_tap_names_none() async throws {
        let fixture = try StoreFixture()
        let seal = try Self.sealAgent(fixture)
        #expect(await Self.answer(#"{"op":"tap","card":"0042","seal":true}"#, seal: seal)
            == .failure(#"a tap at the seal needs the application id ("application")"#))
        let bad = await Self.answer(#"{"op":"tap","card":"0042","seal":true,"application":"sa 1"}"#, seal: seal)
        #expect(bad.ok == false && bad.error?.hasPrefix("application: ") == true, "\(bad)")
        #expect(await Self.answer(#"{"op":"tap","card":"0042","application":"sa-1"}"#, seal: seal)
            == .failure(#"an application id is for a tap at the seal (add "seal": true)"#))
        #expect(await Self.answer(#"{"op":"tap","card":"0042"}"#, seal: seal)
            == .failure(#"this box drives no copier; a tap at the seal needs "seal": true and the application id"#))
    }

    @Test func with_the_seal_unplugged_a_tap_leaves_it_locked_and_status_says_gone() async throws {
        let fixture = try StoreFixture()
        let seal = try Self.sealAgent(fixture)
        let tap = await Self.answer(#"{"op":"tap","card":"0042","pin":"1234","seal":true,"application":"sa-1"}"#, seal: seal)
        #expect(tap.ok && tap.unlocked == false && tap.message == "The seal is not connected.", "\(tap)")
        let status = await Self.answer(#"{"op":"status"}"#, seal: seal)
        #expect(status.status == nil)
        let sealStatus = try #require(status.seal)
        #expect(!sealStatus.connected && sealStatus.phase == "locked" && sealStatus.seal == "seal-1" && sealStatus.usesLeft == nil)
    }
}
