import Foundation
import HealthChecks

/// A dependency check declared by the operator, in the config file or with `--check`.
public struct CheckDeclaration: Sendable, Equatable, Decodable {
    public var name: String
    /// `http://…`, `https://…` or `tcp://host:port`.
    public var url: String
    public var kind: CheckKind?
    public var interval: String?
    public var timeout: String?
    public var initialDelay: String?
    /// Successes in a row to pass again (HAProxy `rise`).
    public var rise: Int?
    /// Failures in a row to turn critical (HAProxy `fall`).
    public var fall: Int?
    /// Failures in a row to turn warning (below `fall`).
    public var warnAfter: Int?
    public var tags: [String]?
    public var method: String?
    public var headers: [String: String]?
    public var body: String?
    /// Codes and ranges, e.g. `200-299,304`.
    public var expectedStatus: String?
    public var expectedBody: String?
    public var tlsVerify: Bool?
    /// `keepAlive` (default) or `fresh`.
    public var mode: String?

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    /// Parses `NAME=URL[;key=value…]`, the `--check` flag's syntax.
    public init(flag: String) throws {
        guard let equals = flag.firstIndex(of: "=") else {
            throw ConfigurationError("--check '\(flag)': expected NAME=URL")
        }
        let name = String(flag[..<equals]).trimmingCharacters(in: .whitespaces)
        var parts = flag[flag.index(after: equals)...].split(separator: ";").map(String.init)
        guard !name.isEmpty, !parts.isEmpty else {
            throw ConfigurationError("--check '\(flag)': expected NAME=URL")
        }
        self.init(name: name, url: parts.removeFirst())
        for part in parts {
            guard let split = part.firstIndex(of: "=") else {
                throw ConfigurationError("--check \(name): option '\(part)' must be key=value")
            }
            try set(String(part[..<split]), String(part[part.index(after: split)...]))
        }
    }

    private mutating func set(_ key: String, _ value: String) throws {
        func int() throws -> Int {
            guard let parsed = Int(value) else { throw ConfigurationError("--check \(name): \(key) must be a number") }
            return parsed
        }
        switch key {
        case "kind":
            guard let parsed = CheckKind(rawValue: value) else {
                throw ConfigurationError("--check \(name): kind must be readiness, health or liveness")
            }
            kind = parsed
        case "interval": interval = value
        case "timeout": timeout = value
        case "initialDelay", "initial-delay": initialDelay = value
        case "rise": rise = try int()
        case "fall": fall = try int()
        case "warnAfter", "warn-after": warnAfter = try int()
        case "tags": tags = value.split(separator: ",").map(String.init)
        case "method": method = value
        case "header":
            guard let colon = value.firstIndex(of: ":") else {
                throw ConfigurationError("--check \(name): header must be Name:Value")
            }
            headers = (headers ?? [:]).merging(
                [String(value[..<colon]): String(value[value.index(after: colon)...])], uniquingKeysWith: { $1 })
        case "body": body = value
        case "expectedStatus", "expected-status": expectedStatus = value
        case "expectedBody", "expected-body": expectedBody = value
        case "tlsVerify", "tls-verify": tlsVerify = !["false", "no", "off", "0"].contains(value.lowercased())
        case "mode": mode = value
        default:
            throw ConfigurationError("--check \(name): unknown option '\(key)'")
        }
    }
}

extension CheckDeclaration {
    /// `${NAME}` in the URL, headers and body come from the environment (tokens for probed endpoints).
    func expandingEnvironment(_ environment: [String: String]) throws -> CheckDeclaration {
        var copy = self
        copy.url = try EnvironmentText.expand(url, environment)
        copy.headers = try headers?.mapValues { try EnvironmentText.expand($0, environment) }
        copy.body = try body.map { try EnvironmentText.expand($0, environment) }
        return copy
    }
}
