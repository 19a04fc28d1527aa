import Glibc
import Testing
@testable import ModbusIO

/// libmodbus waits with select(2); a descriptor at or above FD_SETSIZE made glibc abort the whole
/// test process ("bit out of range 0 - FD_SETSIZE on fd_set", CI, with every suite running).
@Suite struct SelectableDescriptorTests {
    @Test func aDescriptorAboveSelectsLimitIsMovedBelowItAndStillWorks() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        // The write end at a number select cannot take, as a busy process hands out.
        let high = fcntl(ends[1], F_DUPFD_CLOEXEC, Int32(FD_SETSIZE) + 100)
        close(ends[1])
        #expect(high >= Int32(FD_SETSIZE))
        let low = try SelectableDescriptors.selectable(high, "test")
        defer { close(low) }
        #expect(low < Int32(FD_SETSIZE))
        #expect(fcntl(high, F_GETFD) == -1, "the high number is closed")
        var byte: UInt8 = 7
        #expect(write(low, &byte, 1) == 1)
        var read: UInt8 = 0
        #expect(Glibc.read(ends[0], &read, 1) == 1 && read == 7, "the moved descriptor is the same pipe")
    }

    @Test func aLowDescriptorIsLeftAlone() throws {
        let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(descriptor) }
        #expect(descriptor < Int32(FD_SETSIZE))
        #expect(try SelectableDescriptors.selectable(descriptor, "test") == descriptor)
    }
}
