import Testing
@testable import CentralServer

@Suite("Server info")
struct ServerInfoTests {
    @Test func speaksTheCurrentProtocolVersion() {
        #expect(ServerInfo.protocolVersion == 1)
        #expect(ServerInfo.name == "imprimatur-server")
    }
}
