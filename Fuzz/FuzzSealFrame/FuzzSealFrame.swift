import Protocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = Array(UnsafeBufferPointer(start: data, count: size))
    return 0
}
