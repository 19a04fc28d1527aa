import CModbus
import Foundation
import Glibc

/// A Modbus server (slave) over TCP (many clients, one select loop) or RTU (one serial line),
/// built on libmodbus's modbus_receive / modbus_reply. Every request is parsed and checked here,
/// then handed to `handler`, which decides the answer; requests are handled one at a time, so
/// the handler's state and libmodbus's mapping are never touched concurrently.
public final class ModbusServer: @unchecked Sendable {
    public typealias Handler = @Sendable (ModbusRequest) -> ModbusDecision

    private let endpoint: ModbusEndpoint
    private let unitID: Int32
    private let handler: Handler
    private let stopLock = NSLock()
    private var stopRequested = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// The TCP port actually bound (useful when started on port 0); nil for RTU.
    public private(set) var boundPort: Int?

    public init(endpoint: ModbusEndpoint, unitID: Int32 = 1, handler: @escaping Handler) {
        self.endpoint = endpoint
        self.unitID = unitID
        self.handler = handler
    }

    /// Binds (TCP) or opens (RTU) and starts serving on a thread of its own.
    /// Throws if the port or device cannot be opened.
    public func start() throws(ModbusError) {
        let context = try ModbusContext(endpoint: endpoint)
        try context.check(modbus_set_slave(context.raw, unitID), "set unit id")
        let listener: Int32
        switch endpoint {
        case .tcp:
            listener = modbus_tcp_listen(context.raw, 16)
            try context.check(listener, "listen on \(endpoint)")
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            boundPort = Int(UInt16(bigEndian: address.sin_port))
        case .rtu:
            try context.connect("open \(endpoint)")
            listener = -1
        }
        // The context moves to the serving thread and is used only there from now on.
        let handoff = Handoff(value: context)
        let thread = Thread { [self] in
            serve(context: handoff.value, listener: listener)
            finished.signal()
        }
        thread.name = "modbus-server"
        self.thread = thread
        thread.start()
    }

    /// Stops serving and closes every connection; returns when the serving thread has ended.
    public func stop() {
        stopLock.withLock { stopRequested = true }
        if thread != nil { finished.wait() }
        thread = nil
    }

    private var shouldStop: Bool { stopLock.withLock { stopRequested } }

    private func serve(context: ModbusContext, listener: Int32) {
        let mapping = modbus_mapping_new(0, 0, 0, 0)!
        defer { modbus_mapping_free(mapping) }
        var clients: Set<Int32> = []
        defer {
            for client in clients { Glibc.close(client) }
            if listener >= 0 { Glibc.close(listener) }
            // The context still names the last socket it served; forget it so that freeing the
            // context does not close a descriptor number that may by then belong to someone else.
            if listener >= 0 { _ = modbus_set_socket(context.raw, -1) }
        }
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        let isTCP = listener >= 0
        let serialFD = isTCP ? -1 : modbus_get_socket(context.raw)

        func drop(_ client: Int32) {
            clients.remove(client)
            Glibc.close(client)
            _ = modbus_set_socket(context.raw, -1)
        }

        while !shouldStop {
            var fds: [pollfd] = isTCP ? [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)] : [pollfd(fd: serialFD, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready <= 0 { continue }
            for entry in fds where entry.revents != 0 {
                if isTCP && entry.fd == listener {
                    var socket: Int32 = listener
                    let accepted = (try? SelectableDescriptors.opening { modbus_tcp_accept(context.raw, &socket) }) ?? -1
                    // A connection select cannot wait on is closed (the client sees it dropped).
                    if accepted >= 0, let client = try? SelectableDescriptors.selectable(accepted, "accept on \(endpoint)") {
                        clients.insert(client)
                    }
                    continue
                }
                _ = modbus_set_socket(context.raw, entry.fd)
                let length = modbus_receive(context.raw, &query)
                if length == 0 { continue }  // a request for another unit id
                if length < 0 {
                    if isTCP { drop(entry.fd) } else { _ = modbus_flush(context.raw) }
                    continue
                }
                if !answer(context: context, mapping: mapping, query: query, length: Int(length)) {
                    if isTCP { drop(entry.fd) }
                }
            }
        }
    }

    /// Answers one request; returns false when the connection is to be dropped.
    private func answer(context: ModbusContext, mapping: UnsafeMutablePointer<modbus_mapping_t>, query: [UInt8], length: Int) -> Bool {
        let headerLength = Int(modbus_get_header_length(context.raw))
        // RTU frames end with a 2-byte CRC that libmodbus already checked.
        let pduEnd = isRTU ? length - 2 : length
        guard pduEnd > headerLength else { return true }
        var decision: ModbusDecision
        do {
            let request = try ModbusRequest.parse(pdu: query[headerLength..<pduEnd])
            if case .unsupported = request {
                decision = .exception(1)
            } else {
                decision = handler(request)
            }
        } catch {
            decision = .exception(3)
        }
        while case let .delay(duration, then) = decision {
            Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
            decision = then.decision
        }
        switch decision {
        case .silence:
            return true
        case .drop:
            return false
        case let .exception(code):
            _ = modbus_reply_exception(context.raw, query, UInt32(code))
            return true
        case let .answer(image):
            load(image, into: mapping)
            _ = modbus_reply(context.raw, query, Int32(length), mapping)
            return true
        case .delay:
            return true  // unreachable: delays were unwound above
        }
    }

    private var isRTU: Bool {
        if case .rtu = endpoint { return true }
        return false
    }

    /// Resizes libmodbus's table to the image and copies the values in.
    private func load(_ image: ModbusRegisterImage, into mapping: UnsafeMutablePointer<modbus_mapping_t>) {
        func resize<T>(_ pointer: inout UnsafeMutablePointer<T>?, _ count: inout Int32, _ values: [T]) {
            if Int(count) != values.count {
                free(pointer)
                pointer = values.isEmpty ? nil : UnsafeMutablePointer<T>(OpaquePointer(malloc(values.count * MemoryLayout<T>.stride)))
                count = Int32(values.count)
            }
            for (index, value) in values.enumerated() { pointer![index] = value }
        }
        resize(&mapping.pointee.tab_bits, &mapping.pointee.nb_bits, image.coils.map { $0 ? 1 : 0 })
        resize(&mapping.pointee.tab_input_bits, &mapping.pointee.nb_input_bits, image.discreteInputs.map { $0 ? 1 : 0 })
        resize(&mapping.pointee.tab_registers, &mapping.pointee.nb_registers, image.holdingRegisters)
        resize(&mapping.pointee.tab_input_registers, &mapping.pointee.nb_input_registers, image.inputRegisters)
    }
}

/// Moves a non-Sendable value to exactly one other thread, which becomes its only user.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
}
