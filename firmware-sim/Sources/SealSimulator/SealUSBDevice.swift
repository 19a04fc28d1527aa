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
    /// The ioctl handler, attached once for the device's whole life: unplugging only makes it
    /// answer ENODEV, so clients' open connections to umockdev's ioctl socket stay valid (a
    /// detached handler would leave them writing into a closed socket).
    private let handler: OpaquePointer
    private let stateLock = NSLock()
    private var plugged = true  // under `stateLock`

    private final class CallbackBox {
        let onOut: @Sendable ([UInt8]?) -> Void
        init(_ onOut: @escaping @Sendable ([UInt8]?) -> Void) { self.onOut = onOut }
    }

    public init(description: SealUSBDescription, onOut: @escaping @Sendable ([UInt8]?) -> Void) throws(SealUSBError) {
        guard let testbed = umockdev_testbed_new() else { throw SealUSBError("create the umockdev testbed", "umockdev_testbed_new returned nothing") }
        self.description = description
        let callback = CallbackBox(onOut)
        self.callback = callback
        guard let root = umockdev_testbed_get_root_dir(testbed) else {
            g_object_unref(testbed)
            throw SealUSBError("create the umockdev testbed", "it has no root directory")
        }
        rootDirectory = String(cString: root)
        g_free(root)
        var message: UnsafeMutablePointer<CChar>?
        let attached = seal_usb_device_attach(
            UnsafeMutableRawPointer(testbed), description.deviceNode, SealUSBDescription.outEndpoint, SealUSBDescription.inEndpoint,
            { context, bytes, count in
                guard let context else { return }
                let box = Unmanaged<CallbackBox>.fromOpaque(context).takeUnretainedValue()
                if let bytes { box.onOut(Array(UnsafeBufferPointer(start: bytes, count: count))) } else { box.onOut(nil) }
            },
            Unmanaged.passUnretained(callback).toOpaque(), &message
        )
        guard let attached else {
            let reason = message.map { String(cString: $0) } ?? "unknown reason"
            free(message)
            g_object_unref(testbed)
            throw SealUSBError("attach the ioctl handler to \(description.deviceNode)", reason)
        }
        self.testbed = testbed
        handler = attached
        do {
            try add()
        } catch {
            seal_usb_device_free(attached, UnsafeMutableRawPointer(testbed))
            g_object_unref(testbed)
            throw error
        }
    }

    deinit {
        seal_usb_device_free(handler, UnsafeMutableRawPointer(testbed))
        g_object_unref(testbed)
    }

    public var isPlugged: Bool { stateLock.withLock { plugged } }

    /// Bytes for the bulk IN endpoint (dropped while unplugged).
    public func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { seal_usb_device_send(handler, $0.baseAddress, $0.count) }
    }

    public var counters: seal_usb_counters { seal_usb_device_counters(handler) }

    /// Back on the bus: the device is added again and announced (an "add" uevent).
    public func plug() throws(SealUSBError) {
        guard !isPlugged else { return }
        try add()
        seal_usb_device_set_present(handler, 1)
        stateLock.withLock { plugged = true }
        umockdev_testbed_uevent(testbed, description.sysfsPath, "add")
    }

    /// The cable pulled: every ioctl on open handles fails with ENODEV from now on, a
    /// "remove" uevent goes out, and the device leaves sysfs and /dev.
    public func unplug() {
        guard isPlugged else { return }
        stateLock.withLock { plugged = false }
        seal_usb_device_set_present(handler, 0)
        umockdev_testbed_uevent(testbed, description.sysfsPath, "remove")
        umockdev_testbed_remove_device(testbed, description.sysfsPath)
    }

    private func add() throws(SealUSBError) {
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_add_from_string(testbed, description.umockdevText, &error) != 0 else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown reason"
            g_clear_error(&error)
            throw SealUSBError("add the seal to the umockdev testbed", reason)
        }
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
