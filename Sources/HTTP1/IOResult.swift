/// Result of one non-blocking transport operation, shared by plain TCP and TLS.
enum IOResult {
    case bytes(Int)
    /// Retry when the socket is readable (`wantWrite == false`) or writable (`wantWrite == true`).
    case wouldBlock(wantWrite: Bool)
    case eof
    case failed
}
