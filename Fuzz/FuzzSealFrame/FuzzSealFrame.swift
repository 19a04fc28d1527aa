import Protocol

/// libFuzzer entry point for the seal's USB frame decoder. Properties checked on every input:
/// no crash or sanitizer report; every frame the decoder accepts re-encodes to bytes that decode
/// to the same frame (canonical encoding); a framing error is final until reset.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSealFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Feed in two pieces to exercise partial frames.
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var decoder = SealFrameDecoder()
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
            var again = SealFrameDecoder()
            again.append(frame.encode())
            guard let copy = try? again.next(), copy == frame, again.bufferedByteCount == 0 else {
                fatalError("seal frame did not survive re-encoding: \(frame)")
            }
        } catch {
            if error.isFraming {
                do {
                    _ = try decoder.next()
                    fatalError("a framing error was not final")
                } catch {}
                break
            }
        }
    }
    return 0
}
