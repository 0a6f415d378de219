import Foundation

/// Durations as operators write them: `500ms`, `5s`, `1m`, `2h`, or a bare number of seconds.
public enum DurationText {
    public static func parse(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = trimmed
        var scale = 1.0
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            number = String(trimmed.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let value = Double(number), value >= 0, value.isFinite else {
            throw ConfigurationError("invalid duration '\(text)' (use e.g. 500ms, 5s, 1m)")
        }
        return .nanoseconds(Int64((value * scale * 1e9).rounded()))
    }
}

/// A configuration mistake, reported to the operator before the server starts.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
