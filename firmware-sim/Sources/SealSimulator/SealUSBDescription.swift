/// How the simulated seal appears in sysfs and /dev (docs/seal-simulator.md): one high-speed
/// device, vendor-specific class, one configuration with one interface and two bulk endpoints
/// (OUT 0x01, IN 0x81, 512-byte packets). libusb reads everything it enumerates from these
/// attributes; nothing is answered over control transfers.
public struct SealUSBDescription: Hashable, Sendable {
    public static let defaultVendorID: UInt16 = 0xCAFE
    public static let defaultProductID: UInt16 = 0x4010
    public static let outEndpoint: UInt8 = 0x01
    public static let inEndpoint: UInt8 = 0x81

    public let vendorID: UInt16
    public let productID: UInt16
    public let busNumber: Int
    public let deviceNumber: Int

    public init(vendorID: UInt16 = defaultVendorID, productID: UInt16 = defaultProductID, busNumber: Int = 1, deviceNumber: Int = 2) {
        self.vendorID = vendorID
        self.productID = productID
        self.busNumber = busNumber
        self.deviceNumber = deviceNumber
    }

    /// The device's sysfs path, as umockdev's uevent and remove take it.
    public var sysfsPath: String { "/sys/devices/pci0000:00/0000:00:14.0/usb\(busNumber)/\(busNumber)-1" }

    public var deviceNode: String { "/dev/bus/usb/\(threeDigits(busNumber))/\(threeDigits(deviceNumber))" }

    /// The description for `umockdev_testbed_add_from_string`.
    public var umockdevText: String {
        """
        P: \(sysfsPath.dropFirst("/sys".count))
        N: bus/usb/\(threeDigits(busNumber))/\(threeDigits(deviceNumber))
        E: DEVNAME=\(deviceNode)
        E: DEVTYPE=usb_device
        E: SUBSYSTEM=usb
        E: DRIVER=usb
        E: BUSNUM=\(threeDigits(busNumber))
        E: DEVNUM=\(threeDigits(deviceNumber))
        E: ID_VENDOR_ID=\(hex4(vendorID))
        E: ID_MODEL_ID=\(hex4(productID))
        A: busnum=\(busNumber)\\n
        A: devnum=\(deviceNumber)\\n
        A: idVendor=\(hex4(vendorID))\\n
        A: idProduct=\(hex4(productID))\\n
        A: bConfigurationValue=1\\n
        A: bNumInterfaces= 1\\n
        A: speed=480\\n
        H: descriptors=\(descriptorsHex)

        """
    }

    /// Device descriptor (18 bytes) then the configuration descriptor with its interface and
    /// endpoints (9 + 9 + 7 + 7 bytes), little-endian as on the wire.
    public var descriptors: [UInt8] {
        let device: [UInt8] = [
            18, 0x01, 0x00, 0x02,          // bLength, DEVICE, bcdUSB 2.00
            0x00, 0x00, 0x00, 64,          // class/subclass/protocol per interface, EP0 64 bytes
            UInt8(vendorID & 0xFF), UInt8(vendorID >> 8), UInt8(productID & 0xFF), UInt8(productID >> 8),
            0x00, 0x01,                    // bcdDevice 1.00
            0, 0, 0,                       // no string descriptors
            1,                             // one configuration
        ]
        let configuration: [UInt8] = [
            9, 0x02, 32, 0,                // CONFIGURATION, wTotalLength 32
            1, 1, 0, 0x80, 50,             // 1 interface, value 1, bus-powered, 100 mA
            9, 0x04, 0, 0, 2, 0xFF, 0x00, 0x00, 0,   // INTERFACE 0, 2 endpoints, vendor-specific
            7, 0x05, Self.outEndpoint, 0x02, 0x00, 0x02, 0,  // bulk OUT, 512 bytes
            7, 0x05, Self.inEndpoint, 0x02, 0x00, 0x02, 0,   // bulk IN, 512 bytes
        ]
        return device + configuration
    }

    private var descriptorsHex: String { descriptors.map { hex2($0) }.joined() }
}

private func threeDigits(_ value: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, 3 - text.count)) + text
}

private func hex2(_ value: UInt8) -> String {
    let text = String(value, radix: 16)
    return text.count == 1 ? "0" + text : text
}

private func hex4(_ value: UInt16) -> String { hex2(UInt8(value >> 8)) + hex2(UInt8(value & 0xFF)) }
