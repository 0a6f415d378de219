import Foundation
import Yams

/// Decodes the config file with Yams, which reads YAML and JSON alike.
enum ConfigFileDecoder {
    static func decode(_ data: Data, path: String) throws -> ServerConfiguration.File {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("config file \(path) is not UTF-8")
        }
        do {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return try YAMLDecoder().decode(ServerConfiguration.File.self, from: "{}")
            }
            try rejectUnknownKeys(in: text, path: path)
            return try YAMLDecoder().decode(ServerConfiguration.File.self, from: text)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as DecodingError {
            throw ConfigurationError("config file \(path): \(describe(error))")
        } catch {
            throw ConfigurationError("config file \(path): \(error)")
        }
    }

    static let topLevelKeys: Set<String> = [
        "host", "port", "grpcPort", "dataDir", "logLevel", "shutdownGrace", "maxConnections", "idleTimeout",
        "requestReadTimeout", "hotRoutes", "checks",
        "registry", "probes", "auth",
    ]
    static let registryKeys: Set<String> = [
        "beatInterval", "beatTimeout", "deleteTimeout", "protectThreshold", "clusterCheckInterval",
        "clusterCheckTimeout", "clusterCheckTimes", "sweepInterval",
    ]
    static let checkKeys: Set<String> = [
        "name", "url", "kind", "interval", "timeout", "initialDelay", "rise", "fall", "warnAfter", "tags", "method",
        "headers", "body", "expectedStatus", "expectedBody", "tlsVerify", "mode",
    ]

    /// A misspelt key would otherwise be ignored silently; refuse it and name it.
    static func rejectUnknownKeys(in text: String, path: String) throws {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw ConfigurationError("config file \(path): the top level must be a mapping of keys to values")
        }
        func check(_ keys: some Sequence<String>, allowed: Set<String>, at section: String) throws {
            let unknown = keys.filter { !allowed.contains($0) }.sorted()
            guard unknown.isEmpty else {
                let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
                throw ConfigurationError(
                    "config file \(path): unknown key\(unknown.count > 1 ? "s" : "") \(list)\(section)")
            }
        }
        try check(root.keys, allowed: topLevelKeys, at: "")
        if let registry = root["registry"] as? [String: Any] {
            try check(registry.keys, allowed: registryKeys, at: " in registry")
        }
        if let auth = root["auth"] as? [String: Any] {
            try check(auth.keys, allowed: AuthSettings.fileKeys, at: " in auth")
        }
        if let probes = root["probes"] as? [String: Any] {
            try check(probes.keys, allowed: ["allow", "deny"], at: " in probes")
        }
        if let checks = root["checks"] as? [[String: Any]] {
            for (index, entry) in checks.enumerated() {
                try check(entry.keys, allowed: checkKeys, at: " in checks[\(index)]")
            }
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing key '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
