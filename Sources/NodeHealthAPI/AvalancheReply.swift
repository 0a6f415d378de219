import Foundation
import HealthChecks

/// How a check result is written in JSON.
public enum ResultStyle: Sendable {
    /// AvalancheGo ≥ 1.7.4: `error` is a string; `message`, `error`, `contiguousFailures`
    /// and `timeOfFirstFailure` are omitted when empty.
    case current
    /// The go-sundheit era of `health.getLiveness` (the seed documents): `contiguousFailures`
    /// always present, `timeOfFirstFailure` explicit `null`, `error` an object `{"message": …}`.
    case legacy
}

/// `{"checks": {name: result}, "healthy": bool}`, AvalancheGo's `APIReply`.
public struct AvalancheReply: Encodable, Sendable {
    let checks: [String: ResultJSON]
    let healthy: Bool

    public init(report: HealthReport, style: ResultStyle) {
        var checks: [String: ResultJSON] = [:]
        for entry in report.entries where checks[entry.key.name] == nil {
            checks[entry.key.name] = ResultJSON(result: entry.result, style: style)
        }
        self.checks = checks
        self.healthy = report.healthy
    }
}

/// One check result with the omit rules of a ``ResultStyle``.
struct ResultJSON: Encodable, Sendable {
    let result: CheckResult
    let style: ResultStyle

    private enum Keys: String, CodingKey {
        case message, error, timestamp, duration, contiguousFailures, timeOfFirstFailure
    }

    private struct LegacyError: Encodable {
        let message: String
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        if let details = result.details {
            try container.encode(EncodableBox(details), forKey: .message)
        }
        switch style {
        case .current:
            try container.encodeIfPresent(result.error, forKey: .error)
        case .legacy:
            try container.encodeIfPresent(result.error.map(LegacyError.init), forKey: .error)
        }
        try container.encode(RFC3339.format(result.timestamp), forKey: .timestamp)
        try container.encode(result.durationNanoseconds, forKey: .duration)
        switch style {
        case .current:
            if result.contiguousFailures > 0 {
                try container.encode(result.contiguousFailures, forKey: .contiguousFailures)
            }
            if let first = result.timeOfFirstFailure {
                try container.encode(RFC3339.format(first), forKey: .timeOfFirstFailure)
            }
        case .legacy:
            try container.encode(result.contiguousFailures, forKey: .contiguousFailures)
            if let first = result.timeOfFirstFailure {
                try container.encode(RFC3339.format(first), forKey: .timeOfFirstFailure)
            } else {
                try container.encodeNil(forKey: .timeOfFirstFailure)
            }
        }
    }
}

/// Lets an existential `Encodable` be encoded inside a container.
struct EncodableBox: Encodable {
    let value: any Encodable

    init(_ value: any Encodable) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
