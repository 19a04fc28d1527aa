/// The copier controller's Modbus map: the one place both the device agent and the simulated
/// controller take addresses from. docs/modbus-map.md is the same table for people, and a test
/// parses it to keep the two equal.
public enum CopierModbusMap {
    /// The controller answers to this unit id (slave id) on RTU and TCP alike.
    public static let unitID: UInt8 = 1

    /// Watchdog timeouts the controller accepts in holding 0, in milliseconds.
    public static let watchdogTimeoutRange: ClosedRange<UInt16> = 100...60000
    /// Holding 0 at power-on.
    public static let defaultWatchdogTimeout: UInt16 = 2000

    public enum Coils {
        /// 1 = copier enabled, 0 = locked. 0 at power-on.
        public static let relay = CoilField("relay", address: 0, access: .readWrite)

        public static let all: [CoilField] = [relay]
    }

    public enum Holding {
        /// Milliseconds without a heartbeat after which the controller locks.
        public static let watchdogTimeout = HoldingField("watchdog timeout", address: 0, access: .readWrite)
        /// Any write restarts the watchdog.
        public static let heartbeat = HoldingField("heartbeat", address: 1, access: .readWrite)
        /// Pages the copier may still produce (u32).
        public static let pageBudget = HoldingField("page budget", address: 2, count: 2, access: .readWrite)
        /// Written by the agent at unlock; copied into every job record (u32).
        public static let sessionTag = HoldingField("session tag", address: 4, count: 2, access: .readWrite)

        /// Firmware block transfer (docs/modbus-map.md, "Firmware block transfer"): the image
        /// the next command acts on (u32), its size in bytes (u32), the command, and one chunk.
        public static let firmwareImageID = HoldingField("firmware image id", address: 1000, count: 2, access: .readWrite)
        public static let firmwareImageSize = HoldingField("firmware image size", address: 1002, count: 2, access: .readWrite)
        public static let firmwareCommand = HoldingField("firmware command", address: 1004, access: .readWrite)
        /// Offset (u32), length in bytes (0-240) and 120 data registers, two bytes each, high
        /// byte first: written whole in one FC 0x10 request of 123 registers.
        public static let firmwareChunk = HoldingField("firmware chunk", address: 1005, count: 123, access: .readWrite)

        public static let all: [HoldingField] = [
            watchdogTimeout, heartbeat, pageBudget, sessionTag,
            firmwareImageID, firmwareImageSize, firmwareCommand, firmwareChunk,
        ]
    }

    public enum Input {
        public static let totalPages = InputField("total pages", address: 0, count: 2, access: .readOnly)
        public static let totalColourPages = InputField("total colour pages", address: 2, count: 2, access: .readOnly)
        public static let totalMonoPages = InputField("total mono pages", address: 4, count: 2, access: .readOnly)
        public static let currentJobPages = InputField("current job pages", address: 6, count: 2, access: .readOnly)
        public static let state = InputField("state", address: 8, access: .readOnly)
        public static let faultCode = InputField("fault code", address: 9, access: .readOnly)
        public static let latestJobSequence = InputField("latest job sequence", address: 10, count: 2, access: .readOnly)
        public static let jobRingSize = InputField("job ring size", address: 12, access: .readOnly)
        public static let jobRecordSize = InputField("job record size", address: 13, access: .readOnly)
        public static let jobRingBase = InputField("job ring base", address: 14, access: .readOnly)
        public static let watchdogRemaining = InputField("watchdog remaining", address: 15, access: .readOnly)
        public static let uptime = InputField("uptime", address: 16, count: 2, access: .readOnly)
        public static let bootCount = InputField("boot count", address: 18, count: 2, access: .readOnly)
        public static let firmwareMajor = InputField("firmware major", address: 20, access: .readOnly)
        public static let firmwareMinor = InputField("firmware minor", address: 21, access: .readOnly)
        public static let firmwarePatch = InputField("firmware patch", address: 22, access: .readOnly)
        public static let modelID = InputField("model id", address: 23, access: .readOnly)
        /// Every register from total pages to model id: one read request fetches them all.
        public static let statusBlock = InputField("status block", address: 0, count: 24, access: .readOnly)
        /// The ring of the last finished jobs (`CopierJobRing`).
        public static let jobRing = InputField(
            "job ring",
            address: CopierJobRing.baseAddress,
            count: CopierJobRing.slotCount * UInt16(CopierJobRecord.registerCount),
            access: .readOnly
        )

        /// Firmware transfer status (`FirmwareSlotStatus`), one row each.
        public static let firmwareStatusImageID = InputField("firmware transfer image id", address: 1000, count: 2, access: .readOnly)
        public static let firmwareStatusImageSize = InputField("firmware transfer image size", address: 1002, count: 2, access: .readOnly)
        public static let firmwareBytesReceived = InputField("firmware bytes received", address: 1004, count: 2, access: .readOnly)
        public static let firmwareState = InputField("firmware state", address: 1006, access: .readOnly)
        public static let firmwareResult = InputField("firmware result", address: 1007, access: .readOnly)
        public static let firmwareRunningVersion = InputField("firmware running version", address: 1008, count: 3, access: .readOnly)
        public static let firmwareMinimumVersion = InputField("firmware minimum version", address: 1011, count: 3, access: .readOnly)
        public static let firmwareTrialBootsLeft = InputField("firmware trial boots left", address: 1014, access: .readOnly)
        public static let firmwareTrialSecondsLeft = InputField("firmware trial seconds left", address: 1015, access: .readOnly)
        /// All 16 firmware status registers: one read returns the whole `FirmwareSlotStatus`.
        public static let firmwareStatus = InputField("firmware status", address: 1000, count: 16, access: .readOnly)

        /// Every mapped input item, one per documented row (`statusBlock` and
        /// `firmwareStatus` are conveniences that span rows, so they are not listed).
        public static let all: [InputField] = [
            totalPages, totalColourPages, totalMonoPages, currentJobPages, state, faultCode,
            latestJobSequence, jobRingSize, jobRecordSize, jobRingBase, watchdogRemaining, uptime,
            bootCount, firmwareMajor, firmwareMinor, firmwarePatch, modelID, jobRing,
            firmwareStatusImageID, firmwareStatusImageSize, firmwareBytesReceived, firmwareState, firmwareResult,
            firmwareRunningVersion, firmwareMinimumVersion, firmwareTrialBootsLeft, firmwareTrialSecondsLeft,
        ]
    }

    /// The firmware block-transfer window: holding 1000-1127 and input 1000-1015.
    public static let firmwareHolding: ClosedRange<UInt16> = 1000...1127
    public static let firmwareInput: ClosedRange<UInt16> = 1000...1015
    /// Data bytes one chunk carries at most (120 registers).
    public static let firmwareChunkDataSize = 240

    /// Every mapped item of every table, in document order.
    public static var entries: [ModbusMapEntry] {
        Coils.all.map(\.entry) + Holding.all.map(\.entry) + Input.all.map(\.entry)
    }
}
