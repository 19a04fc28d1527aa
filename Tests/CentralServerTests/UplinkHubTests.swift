import Foundation
import Protocol
import Synchronization
import Testing
@testable import CentralServer

/// Issue 21, item 3: the hub kept one connection per device and the old connection's close
/// removed the new one, so a restarted agent got no pushes (a seal revocation was lost).
@Suite("Uplink hub: one live connection per device")
struct UplinkHubTests {
    final class Sent: Sendable {
        let frames = Mutex<[String: Int]>([:])
        func sender(_ name: String) -> UplinkHub.Send {
            { _ in self.frames.withLock { $0[name, default: 0] += 1 } }
        }
        func count(_ name: String) -> Int { frames.withLock { $0[name] ?? 0 } }
    }

    @Test func theOldConnectionsLateCloseLeavesTheNewOneRegistered() async throws {
        let hub = UplinkHub(metrics: ServerMetrics())
        let device = Fixture.deviceID("copier-1")
        let sent = Sent()
        let old = await hub.register(device, send: sent.sender("old"))
        let new = await hub.register(device, send: sent.sender("new"))  // the agent, restarted
        await hub.unregister(device, connection: old)  // the dead connection noticed late
        #expect(await hub.connectedDevices == [device])
        #expect(await hub.push(.revocationList(try UplinkMessage.RevocationList(token: Self.list())), to: device))
        #expect(sent.count("new") == 1 && sent.count("old") == 0)

        await hub.unregister(device, connection: new)
        #expect(await hub.connectedDevices.isEmpty)
        #expect(!(await hub.push(.revocationList(try UplinkMessage.RevocationList(token: Self.list())), to: device)))
    }

    static func list() -> [UInt8] { [1, 2, 3] }  // the hub pushes bytes; it does not read them
}
