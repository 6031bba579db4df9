import FuzzSupport
import HTTP1

/// libFuzzer entry point for `HTTPRequestParser` (RFC 9112 framing: the server's first line of
/// defence). Every input is parsed under two limit sets — the production defaults (strict CRLF) and
/// small, lenient limits derived from the input's hash, so the 413/431 edges and the bare-LF
/// paths are reached too — and, under each, three ways: whole, split at one and at two data-derived points,
/// and byte by byte through a data-derived window. All three must give the same events and the same error, and every
/// event must satisfy the invariants in `HTTPInvariants`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let hash = FNV1a.hash(bytes)
    for limits in [HTTPLimits(), HTTPInvariants.smallLimits(hash: hash)] {
        let whole = HTTPInvariants.parse([bytes[...]], limits: limits)
        HTTPInvariants.check(whole, input: bytes, limits: limits)

        let cut = bytes.isEmpty ? 0 : Int(hash % UInt64(bytes.count + 1))
        let split = HTTPInvariants.parse([bytes[..<cut], bytes[cut...]], limits: limits)
        HTTPInvariants.expectSame(whole, split, "split at \(cut)")

        // A second, independent cut makes three pieces (catches state carried across two boundaries).
        let cut2 = bytes.isEmpty ? 0 : cut + Int((hash >> 32) % UInt64(bytes.count - cut + 1))
        let three = HTTPInvariants.parse([bytes[..<cut], bytes[cut..<cut2], bytes[cut2...]], limits: limits)
        HTTPInvariants.expectSame(whole, three, "split at \(cut) and \(cut2)")

        // Byte by byte through a 48-byte window at a data-derived offset (the whole input byte by
        // byte would cost more than everything else together; over many runs every region is hit).
        let from = bytes.isEmpty ? 0 : Int((hash >> 20) % UInt64(bytes.count))
        let to = min(bytes.count, from + 48)
        var pieces = [bytes[..<from]]
        pieces += (from..<to).map { bytes[$0...$0] }
        pieces.append(bytes[to...])
        let single = HTTPInvariants.parse(pieces, limits: limits)
        HTTPInvariants.expectSame(whole, single, "byte by byte from \(from) to \(to)")

        HTTPInvariants.checkRoundTrip(whole, limits: limits)
    }
    return 0
}
