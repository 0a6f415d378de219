import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// RFC 3339 timestamps the way Go's `time.RFC3339Nano` prints them: local offset,
/// fractional seconds without trailing zeros, `Z` for UTC.
public enum RFC3339 {
    /// Go's zero time, printed for checks that have not run.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    public static func format(_ date: Date?) -> String {
        guard let date else { return zeroTime }
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var parts = tm()
        localtime_r(&seconds, &parts)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if micros > 0 {
            var fraction = String(format: "%06d", micros)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        let offset = Int(parts.tm_gmtoff)
        if offset == 0 {
            text += "Z"
        } else {
            let sign = offset < 0 ? "-" : "+"
            let minutes = abs(offset) / 60
            text += String(format: "%@%02d:%02d", sign, minutes / 60, minutes % 60)
        }
        return text
    }
}
