/// The protocol version from the request line (RFC 9112 §2.3). Only 1.0 and 1.1 are served;
/// a higher 1.x minor is treated as 1.1 as RFC 9110 §2.5 asks.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http10 = HTTPVersion(major: 1, minor: 0)
    public static let http11 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}
