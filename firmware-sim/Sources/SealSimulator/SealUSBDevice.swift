import CSealUSB
import CUMockdev
import Foundation

/// The seal on a umockdev testbed: its sysfs entry and /dev node, with the ioctl handler
/// (CSealUSB) attached to the node before the device is added. Bulk OUT bytes go to `onOut`
/// (nil for a USB reset), on umockdev's worker thread.
///
/// Processes see the device when they run with umockdev's preload library and this
/// testbed's `rootDirectory` as UMOCKDEV_DIR (docs/seal-simulator.md).
public final class SealUSBDevice: @unchecked Sendable {
    public let description: SealUSBDescription
    public let rootDirectory: String
    private let testbed: UnsafeMutablePointer<UMockdevTestbed>
    private let callback: CallbackBox
    /// Guards `handler`: plug and unplug change it while other threads send.
    private let handlerLock = NSLock()
    private var handler: OpaquePointer?
    /// Handlers of earlier plugs, detached but kept until the testbed goes: umockdev's worker
    /// thread may still be inside one when the cable is pulled.
    private var retired: [OpaquePointer] = []

    private final class CallbackBox {
        let onOut: @Sendable ([UInt8]?) -> Void
        init(_ onOut: @escaping @Sendable ([UInt8]?) -> Void) { self.onOut = onOut }
    }

    public init(description: SealUSBDescription, onOut: @escaping @Sendable ([UInt8]?) -> Void) throws(SealUSBError) {
        guard let testbed = umockdev_testbed_new() else { throw SealUSBError("create the umockdev testbed", "umockdev_testbed_new returned nothing") }
        self.testbed = testbed
        self.description = description
        callback = CallbackBox(onOut)
        guard let root = umockdev_testbed_get_root_dir(testbed) else {
            g_object_unref(testbed)
            throw SealUSBError("create the umockdev testbed", "it has no root directory")
        }
        rootDirectory = String(cString: root)
        g_free(root)
        do {
            try plug(announce: false)
        } catch {
            g_object_unref(testbed)
            throw error
        }
    }

    deinit {
        if let handler { seal_usb_device_free(handler, UnsafeMutableRawPointer(testbed)) }
        g_object_unref(testbed)
        for old in retired { seal_usb_device_free(old, nil) }
    }

    public var isPlugged: Bool { handlerLock.withLock { handler != nil } }

    /// Bytes for the bulk IN endpoint (dropped while unplugged).
    public func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        handlerLock.withLock {
            guard let handler else { return }
            bytes.withUnsafeBufferPointer { seal_usb_device_send(handler, $0.baseAddress, $0.count) }
        }
    }

    public var counters: seal_usb_counters {
        handlerLock.withLock {
            guard let handler else { return seal_usb_counters() }
            return seal_usb_device_counters(handler)
        }
    }

    /// Attaches the ioctl handler, then adds the device and, when plugged in again, announces
    /// it (an "add" uevent; at start-up nobody listens yet).
    public func plug(announce: Bool = true) throws(SealUSBError) {
        guard !isPlugged else { return }
        let context = Unmanaged.passUnretained(callback).toOpaque()
        var message: UnsafeMutablePointer<CChar>?
        let attached = seal_usb_device_attach(
            UnsafeMutableRawPointer(testbed), description.deviceNode, SealUSBDescription.outEndpoint, SealUSBDescription.inEndpoint,
            { context, bytes, count in
                guard let context else { return }
                let box = Unmanaged<CallbackBox>.fromOpaque(context).takeUnretainedValue()
                if let bytes { box.onOut(Array(UnsafeBufferPointer(start: bytes, count: count))) } else { box.onOut(nil) }
            },
            context, &message
        )
        guard let attached else {
            let reason = message.map { String(cString: $0) } ?? "unknown reason"
            free(message)
            throw SealUSBError("attach the ioctl handler to \(description.deviceNode)", reason)
        }
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_add_from_string(testbed, description.umockdevText, &error) != 0 else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown reason"
            g_clear_error(&error)
            seal_usb_device_free(attached, UnsafeMutableRawPointer(testbed))
            throw SealUSBError("add the seal to the umockdev testbed", reason)
        }
        handlerLock.withLock { handler = attached }
        if announce { umockdev_testbed_uevent(testbed, description.sysfsPath, "add") }
    }

    /// The cable pulled: every ioctl on open handles fails with ENODEV from now on, a
    /// "remove" uevent goes out, and the device leaves sysfs and /dev.
    public func unplug() {
        let taken: OpaquePointer? = handlerLock.withLock {
            defer { handler = nil }
            return handler
        }
        guard let current = taken else { return }
        seal_usb_device_set_present(current, 0)
        umockdev_testbed_uevent(testbed, description.sysfsPath, "remove")
        umockdev_testbed_remove_device(testbed, description.sysfsPath)
        umockdev_testbed_detach_ioctl(testbed, description.deviceNode, nil)
        retired.append(current)
    }
}

public struct SealUSBError: Error, Hashable, Sendable, CustomStringConvertible {
    public let operation: String
    public let reason: String
    init(_ operation: String, _ reason: String) {
        self.operation = operation
        self.reason = reason
    }
    public var description: String { "cannot \(operation): \(reason)" }
}
