import Glibc

/// libmodbus waits with select(2), and an fd_set holds only descriptors below FD_SETSIZE (1024):
/// glibc aborts the whole process ("bit out of range 0 - FD_SETSIZE on fd_set") when libmodbus
/// hands it a higher one. A process with many descriptors open (the test process running every
/// suite at once: servers, pipes, SQLite pools) gets such numbers for new sockets, because a new
/// descriptor takes the lowest free number. So a few low numbers are held in reserve (on
/// /dev/null): before libmodbus opens a socket one is freed for it to take, and a socket that
/// still came out high is moved onto a reserved number; only with the reserve spent is the
/// socket refused, with an error that says why, instead of the abort.
enum SelectableDescriptors {
    static let reserveSize = 16
    private static let state = ReserveState()

    /// Runs `open` (a libmodbus call that makes a descriptor: connect, accept) with one reserved
    /// number freed for it, then refills the reserve.
    static func opening<T>(_ open: () throws(ModbusError) -> T) throws(ModbusError) -> T {
        state.lock()
        defer { state.unlock() }
        state.fill()
        if let freed = state.slots.popLast() { close(freed) }
        defer { state.fill() }
        return try open()
    }

    /// `descriptor` itself when select can wait on it; otherwise the same socket moved onto a
    /// reserved number (the high number is closed).
    static func selectable(_ descriptor: Int32, _ operation: String) throws(ModbusError) -> Int32 {
        guard descriptor >= Int32(FD_SETSIZE) else { return descriptor }
        state.lock()
        defer { state.unlock() }
        state.fill()
        guard let slot = state.slots.popLast() else {
            close(descriptor)
            throw ModbusError(operation: "\(operation): descriptor \(descriptor) is beyond select's limit of \(FD_SETSIZE) and no lower one is free", errno: EMFILE)
        }
        guard dup2(descriptor, slot) == slot else {
            let error = ModbusError.last("\(operation): move descriptor \(descriptor) below \(FD_SETSIZE)")
            state.slots.append(slot)
            close(descriptor)
            throw error
        }
        close(descriptor)
        return slot
    }
}

/// The reserved numbers and their lock (a pthread mutex: ModbusIO stays free of Foundation).
private final class ReserveState: @unchecked Sendable {
    var slots: [Int32] = []
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }

    /// Opens /dev/null until the reserve is full, keeping only numbers select can take.
    func fill() {
        while slots.count < SelectableDescriptors.reserveSize {
            let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            guard descriptor < Int32(FD_SETSIZE) else { close(descriptor); return }
            slots.append(descriptor)
        }
    }
}
