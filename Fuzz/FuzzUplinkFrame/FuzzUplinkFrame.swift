import Protocol

/// libFuzzer entry point for the uplink frame decoder. Properties checked on every input:
/// no crash or sanitizer report; every frame accepted re-encodes to bytes that decode to the
/// same frame (canonical encoding); once the decoder fails it stays failed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUplinkFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A small maximum as well as the default, so the size check is exercised on small inputs.
    let maximum = bytes.first.map { $0 & 1 == 0 ? UplinkLimits.defaultMaximumFrameSize : 256 } ?? 256
    var decoder = UplinkFrameDecoder(maximumFrameSize: maximum)
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    decoder.append(bytes[..<split])
    var fedRest = false
    while true {
        do {
            guard let frame = try decoder.next() else {
                if fedRest { break }
                decoder.append(bytes[split...])
                fedRest = true
                continue
            }
            let encoded = frame.encode()
            guard let copy = try? UplinkFrame.decode(encoded, maximumFrameSize: maximum), copy == frame, copy.encode() == encoded else {
                fatalError("uplink frame did not survive re-encoding: \(frame.message.type)")
            }
        } catch {
            guard (try? decoder.next()) == nil, decoder.error != nil else {
                fatalError("the decoder produced a frame after failing with \(error)")
            }
            break
        }
    }
    return 0
}
