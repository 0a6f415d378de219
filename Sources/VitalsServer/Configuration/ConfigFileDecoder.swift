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
            return try YAMLDecoder().decode(ServerConfiguration.File.self, from: text)
        } catch let error as DecodingError {
            throw ConfigurationError("config file \(path): \(describe(error))")
        } catch {
            throw ConfigurationError("config file \(path): \(error)")
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
