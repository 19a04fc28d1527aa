import CLibUSB

/// The seal on USB through libusb: found by vendor and product id, interface 0 claimed, bulk
/// OUT 0x01 and bulk IN 0x81 with timeouts (docs/seal-usb.md "Transport"). Blocking; one
/// thread at a time (the `SealChannel` owns it on its own queue).
public final class SealUSBLink {
    public static let outEndpoint: UInt8 = 0x01
    public static let inEndpoint: UInt8 = 0x81
    /// The IN endpoint is read with a buffer of one whole frame.
    public static let readBufferSize = 4096

    public let vendorID: UInt16
    public let productID: UInt16
    private var context: OpaquePointer?
    private var handle: OpaquePointer?

    /// Opens the first device with `vendorID:productID` and claims interface 0.
    public init(vendorID: UInt16, productID: UInt16) throws(SealUSBError) {
        self.vendorID = vendorID
        self.productID = productID
        var context: OpaquePointer?
        let status = libusb_init(&context)
        guard status == 0, let context else { throw SealUSBError("init", code: status) }
        self.context = context
        do {
            handle = try Self.open(context: context, vendorID: vendorID, productID: productID)
        } catch {
            libusb_exit(context)
            self.context = nil
            throw error
        }
    }

    deinit { close() }

    private static func open(context: OpaquePointer, vendorID: UInt16, productID: UInt16) throws(SealUSBError) -> OpaquePointer {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw SealUSBError("list devices", code: Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        let name = "\(hex4(vendorID)):\(hex4(productID))"
        for index in 0..<Int(count) {
            guard let device = list[index] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0,
                  descriptor.idVendor == vendorID, descriptor.idProduct == productID else { continue }
            var handle: OpaquePointer?
            let opened = libusb_open(device, &handle)
            guard opened == 0, let handle else { throw SealUSBError("open \(name)", code: opened) }
            let claimed = libusb_claim_interface(handle, 0)
            guard claimed == 0 else {
                libusb_close(handle)
                throw SealUSBError("claim interface 0 of \(name)", code: claimed)
            }
            return handle
        }
        throw SealUSBError("find the seal", code: LIBUSB_ERROR_NO_DEVICE.rawValue)
    }

    /// Writes one frame's bytes to bulk OUT.
    public func write(_ bytes: [UInt8], timeoutMilliseconds: UInt32) throws(SealUSBError) {
        guard let handle else { throw SealUSBError("bulk OUT", detail: "the link is closed") }
        var data = bytes
        var transferred: Int32 = 0
        let status = data.withUnsafeMutableBufferPointer {
            libusb_bulk_transfer(handle, Self.outEndpoint, $0.baseAddress, Int32($0.count), &transferred, timeoutMilliseconds)
        }
        guard status == 0 else { throw SealUSBError("bulk OUT", code: status) }
        guard Int(transferred) == bytes.count else {
            throw SealUSBError("bulk OUT", detail: "wrote \(transferred) of \(bytes.count) bytes")
        }
    }

    /// Reads one transfer from bulk IN; empty when nothing came within the timeout.
    public func read(timeoutMilliseconds: UInt32) throws(SealUSBError) -> [UInt8] {
        guard let handle else { throw SealUSBError("bulk IN", detail: "the link is closed") }
        var buffer = [UInt8](repeating: 0, count: Self.readBufferSize)
        var transferred: Int32 = 0
        let status = buffer.withUnsafeMutableBufferPointer {
            libusb_bulk_transfer(handle, Self.inEndpoint, $0.baseAddress, Int32($0.count), &transferred, timeoutMilliseconds)
        }
        if status == LIBUSB_ERROR_TIMEOUT.rawValue { return Array(buffer.prefix(Int(transferred))) }
        guard status == 0 else { throw SealUSBError("bulk IN", code: status) }
        return Array(buffer.prefix(Int(transferred)))
    }

    /// USB reset: after a framing error (docs/seal-usb.md); the seal locks.
    public func reset() throws(SealUSBError) {
        guard let handle else { throw SealUSBError("reset", detail: "the link is closed") }
        let status = libusb_reset_device(handle)
        guard status == 0 else { throw SealUSBError("reset", code: status) }
    }

    public func close() {
        if let handle {
            libusb_release_interface(handle, 0)
            libusb_close(handle)
            self.handle = nil
        }
        if let context {
            libusb_exit(context)
            self.context = nil
        }
    }
}

private func hex4(_ value: UInt16) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 4 - text.count) + text
}
