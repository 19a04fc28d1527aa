import Foundation
import TestSupport

/// Opens many WebSocket connections to the uplink that upgrade and then say nothing, in a child
/// process of their own: their descriptors must stay out of the test process, where libraries
/// that use select() (libmodbus, beside FirmwareRolloutSystemTests) abort the process once a
/// descriptor passes 1023 (FD_SETSIZE). It never answers the server's close frame, as an
/// attacker would not. One JSON line when all are open, one when the server has closed them all
/// (or `limit` seconds passed).
struct UplinkFloodClient {
    let process: ChildProcess

    init(port: Int, connections: Int, limit: Int, directory: String) throws {
        let script = directory + "/uplink-flood.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        process = try ChildProcess("/usr/bin/python3", [script, String(port), String(connections), String(limit)])
    }

    /// The next JSON line (blocking: call it on a thread of its own).
    func nextLine(timeout: Duration) throws -> String {
        try process.readLine(timeout: timeout)
    }

    /// A line as JSON.
    func parse(_ line: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ProcessFailure(description: "flood client: \(line) \(process.standardError)")
        }
        return object
    }

    static let script = #"""
    import collections, json, resource, select, socket, sys, time

    port, count, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(hard, wanted), hard))
    upgrade = (b"GET /uplink HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")

    def frames(data):
        """(opcode, payload) of each whole WebSocket frame after the HTTP answer."""
        head = data.find(b"\r\n\r\n")
        found, at = [], head + 4
        if head < 0:
            return found
        while at + 2 <= len(data):
            opcode, length, start = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
            if length == 126:
                length, start = int.from_bytes(data[start:start + 2], "big"), start + 2
            elif length == 127:
                length, start = int.from_bytes(data[start:start + 8], "big"), start + 8
            if start + length > len(data):
                break
            found.append((opcode, data[start:start + length]))
            at = start + length
        return found

    started = time.monotonic()
    connections = {}
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(upgrade)
        connection.setblocking(False)
        connections[connection.fileno()] = {"socket": connection, "sent": time.monotonic(), "data": b""}
    print(json.dumps({"opened": len(connections), "seconds": round(time.monotonic() - started, 2)}), flush=True)

    poller = select.poll()
    for descriptor in connections:
        poller.register(descriptor, select.POLLIN)
    still_open = set(connections)
    while still_open and time.monotonic() - started < limit:
        for descriptor, _ in poller.poll(200):
            connection = connections[descriptor]
            try:
                data = connection["socket"].recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            now = time.monotonic() - connection["sent"]
            if data:
                connection["data"] += data
                if "close_frame" not in connection and any(op == 8 for op, _ in frames(connection["data"])):
                    connection["close_frame"] = now
                continue
            connection["closed"] = now
            poller.unregister(descriptor)
            still_open.discard(descriptor)
            connection["socket"].close()

    closes, error_frames, upgraded = collections.Counter(), 0, 0
    for connection in connections.values():
        upgraded += connection["data"].startswith(b"HTTP/1.1 101")
        found = frames(connection["data"])
        close = next((payload for op, payload in found if op == 8), None)
        closes["none" if close is None else f"{int.from_bytes(close[:2], 'big')} {close[2:].decode('utf-8', 'replace')}"] += 1
        error_frames += any(op == 2 and payload[:2] == b"IM" and payload[3] == 0x7F for op, payload in found)

    def span(key):
        times = [connection[key] for connection in connections.values() if key in connection]
        return [round(min(times), 2), round(max(times), 2), len(times)] if times else [None, None, 0]

    print(json.dumps({"upgraded": upgraded, "still_open": len(still_open), "closes": closes, "error_frames": error_frames,
                      "close_frame_after": span("close_frame"), "closed_after": span("closed")}), flush=True)
    """#
}
