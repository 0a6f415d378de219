/// Checks that instances declare in their own metadata, so that any client, including an
/// unmodified Nacos SDK, can ask the server to check it:
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `vitals.check.type` | `HTTP`, `HTTPS`, `TCP`, `GRPC` or `NONE` | — (no check) |
/// | `vitals.check.path` | HTTP path | `/` |
/// | `vitals.check.port` | port to probe | the instance port |
/// | `vitals.check.interval` | milliseconds between runs | 5000 |
/// | `vitals.check.timeout` | milliseconds per run | 2000 |
/// | `vitals.check.expected-status` | codes and ranges, e.g. `200-299,304` | `200-399` |
/// | `vitals.check.headers` | `Name:value` pairs separated by `|` | none |
/// | `vitals.check.rise` / `vitals.check.fall` | successes / failures in a row to change state | 1 / 1 |
/// | `vitals.check.service` | gRPC health service name | `""` (the whole server) |
/// | `vitals.check.mode` | HTTP(S) connections: `keepAlive` (reuse) or `fresh` (one per run) | `keepAlive` |
public enum DeclaredCheck {
    public static let prefix = "vitals.check."
    /// Looked up for every instance a registry loads: made once, not per lookup.
    static let typeKey = prefix + "type"

    /// The probe an instance declared, `nil` when it declared none; throws on malformed values.
    public static func spec(for instance: Instance) throws -> ProbeSpec? {
        let metadata = instance.metadata
        guard !metadata.isEmpty, let type = metadata[typeKey]?.uppercased(), type != "NONE" else { return nil }
        func int(_ key: String, _ fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = metadata[prefix + key] else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw RegistryError.invalidMetadata(
                    "metadata \(prefix)\(key) must be a number in \(range), got '\(text)'")
            }
            return value
        }
        let kind: ProbeSpec.Kind
        let fresh: Bool
        switch metadata[prefix + "mode"]?.lowercased() {
        case nil, "keepalive", "keep-alive": fresh = false
        case "fresh": fresh = true
        case let other?:
            throw RegistryError.invalidMetadata("metadata \(prefix)mode must be keepAlive or fresh, got '\(other)'")
        }
        switch type {
        case "TCP": kind = .tcp
        case "HTTP", "HTTPS":
            var path = metadata[prefix + "path"] ?? "/"
            if !path.hasPrefix("/") { path = "/" + path }
            kind = .http(
                scheme: type.lowercased(), path: path, headers: try headers(metadata[prefix + "headers"]),
                expectedStatus: metadata[prefix + "expected-status"] ?? "200-399")
        case "GRPC": kind = .grpc(service: metadata[prefix + "service"] ?? "")
        default:
            throw RegistryError.invalidMetadata("metadata \(prefix)type must be HTTP, HTTPS, TCP, GRPC or NONE")
        }
        return ProbeSpec(
            kind: kind,
            host: instance.ip,
            port: try int("port", instance.port, range: 1...65535),
            interval: .milliseconds(try int("interval", 5000, range: 100...3_600_000)),
            timeout: .milliseconds(try int("timeout", 2000, range: 10...600_000)),
            rise: try int("rise", 1, range: 1...100),
            fall: try int("fall", 1, range: 1...100),
            nacosFailureRules: false,
            freshConnection: fresh
        )
    }

    /// Parses Nacos's `Name:value|Name2:value2` header text.
    public static func headers(_ text: String?) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        var headers: [String: String] = [:]
        for pair in text.split(separator: "|") {
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                throw RegistryError.invalidMetadata("header '\(pair)' must be Name:value")
            }
            headers[String(pair[..<colon])] = String(pair[pair.index(after: colon)...])
        }
        return headers
    }
}
