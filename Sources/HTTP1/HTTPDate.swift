#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// IMF-fixdate for the `Date` field (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Why hand-rolled: `DateFormatter` per response costs microseconds; the value changes once
/// a second, so `HTTPDateCache` formats it once per second per event loop (and refusals use their own).
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
    }
}

/// The current `Date` value as bytes, re-formatted only when the second changes.
/// Not thread-safe by design: each event loop owns one.
final class HTTPDateCache {
    private var second = -1
    private var cached: [UInt8] = []

    var current: [UInt8] {
        let now = Int(time(nil))
        if now != second {
            second = now
            cached = Array(HTTPDate.format(now).utf8)
        }
        return cached
    }
}
