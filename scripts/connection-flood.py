#!/usr/bin/env python3
"""Opens connections that never finish a request against a running imprimatur-server and
reports when the server closed them (issue 21 item 5). Loopback only.

    scripts/connection-flood.py PORT [HTTP_CONNECTIONS] [WEBSOCKETS] [SECONDS]

Half of the HTTP connections send nothing, half send half a request head; the WebSockets are
upgraded on /uplink and never say hello. Prints how many the server closed, and when."""
import resource
import select
import socket
import sys
import time

port = int(sys.argv[1])
http_count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
ws_count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
limit = float(sys.argv[4]) if len(sys.argv) > 4 else 90
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
upgrade = (b"GET /uplink HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
start = time.time()
open_sockets = {}
for index in range(http_count + ws_count):
    connection = socket.create_connection(("127.0.0.1", port))
    kind = "http" if index < http_count else "websocket"
    if kind == "websocket":
        connection.send(upgrade)
    elif index % 2:
        connection.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
    connection.setblocking(False)
    open_sockets[connection.fileno()] = (kind, connection)
print(f"opened {http_count} HTTP connections and {ws_count} WebSockets in {time.time() - start:.1f} s")
closed = {"http": [], "websocket": []}
poller = select.poll()
for descriptor in open_sockets:
    poller.register(descriptor, select.POLLIN | select.POLLHUP)
while open_sockets and time.time() - start < limit:
    for descriptor, _ in poller.poll(500):
        kind, connection = open_sockets[descriptor]
        try:
            data = connection.recv(65536)
        except OSError:
            data = b""
        if not data:
            closed[kind].append(time.time() - start)
            poller.unregister(descriptor)
            del open_sockets[descriptor]
for kind, times in closed.items():
    span = f", first at {min(times):.1f} s, last at {max(times):.1f} s" if times else ""
    print(f"{kind}: {len(times)} closed by the server{span}")
print(f"still open after {time.time() - start:.0f} s: {len(open_sockets)}")
sys.exit(1 if open_sockets else 0)
