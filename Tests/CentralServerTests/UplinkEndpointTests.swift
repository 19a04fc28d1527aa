import CentralServer
import Protocol
import Testing

@Suite("Uplink endpoint")
struct UplinkEndpointTests {
    /// Each uplink frame is one WebSocket frame; with the WebSocket library's 16 KiB default the
    /// server closed the connection on any event batch of more than about a hundred events.
    @Test func takesWebSocketFramesAsLargeAsTheLargestUplinkFrame() {
        #expect(UplinkEndpoint.webSocketConfiguration.maxFrameSize >= UplinkLimits.defaultMaximumFrameSize)
    }
}
