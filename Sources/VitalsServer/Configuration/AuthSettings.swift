import Auth
import Foundation

/// The `auth:` section and its environment overrides, before the server turns it into an ``Authority``.
public struct AuthSettings: Sendable {
    public var auth = AuthConfiguration()
    /// Base64 of at least 32 bytes (as Nacos's `token.secret.key`); `nil` means generate one and keep it
    /// in the data directory.
    public var tokenSecret: Data?
    /// Used once, to create the admin user when no user exists; `nil` means generate one and write it
    /// to `initial-admin-password` in the data directory.
    public var adminPassword: String?

    public init() {}

    /// The config file's `auth:` section. `tokenSecret` and `adminPassword` may be `${ENV_NAME}`.
    public struct File: Decodable, Sendable {
        public var enabled: Bool?
        public var tokenSecret: String?
        public var tokenTtl: String?
        public var openReads: Bool?
        public var adminUser: String?
        public var adminPassword: String?
    }

    static let fileKeys: Set<String> = [
        "enabled", "tokenSecret", "tokenTtl", "openReads", "adminUser", "adminPassword",
    ]

    mutating func apply(_ file: File, environment: [String: String]) throws {
        if let enabled = file.enabled { auth.enabled = enabled }
        if let text = file.tokenSecret { try setTokenSecret(try EnvironmentText.expand(text, environment)) }
        if let text = file.tokenTtl {
            let ttl = try DurationText.parse(text)
            guard ttl >= .seconds(60) else { throw ConfigurationError("auth.tokenTtl must be at least 60s") }
            auth.tokenTTLSeconds = Int(ttl.components.seconds)
        }
        if let open = file.openReads { auth.openReads = open }
        if let user = file.adminUser {
            guard !user.isEmpty, user.count <= 64 else {
                throw ConfigurationError("auth.adminUser must be 1-64 characters")
            }
            auth.adminUsername = user
        }
        if let password = file.adminPassword { adminPassword = try EnvironmentText.expand(password, environment) }
    }

    /// `VITALS_AUTH_ENABLED`, `VITALS_AUTH_TOKEN_SECRET`, `VITALS_AUTH_ADMIN_PASSWORD`.
    mutating func applyEnvironment(_ environment: [String: String]) throws {
        if let text = environment["VITALS_AUTH_ENABLED"] {
            switch text.lowercased() {
            case "1", "true", "yes", "on": auth.enabled = true
            case "0", "false", "no", "off": auth.enabled = false
            default: throw ConfigurationError("VITALS_AUTH_ENABLED must be true or false, got '\(text)'")
            }
        }
        if let secret = environment["VITALS_AUTH_TOKEN_SECRET"] { try setTokenSecret(secret) }
        if let password = environment["VITALS_AUTH_ADMIN_PASSWORD"] { adminPassword = password }
    }

    private mutating func setTokenSecret(_ text: String) throws {
        guard let data = Data(base64Encoded: text), data.count >= 32 else {
            throw ConfigurationError(
                "auth.tokenSecret must be base64 of at least 32 bytes (e.g. `openssl rand -base64 32`)")
        }
        tokenSecret = data
    }
}

/// `${NAME}` in a config value is replaced by that environment variable, so secrets stay out of the file.
enum EnvironmentText {
    static func expand(_ text: String, _ environment: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigurationError("unterminated ${ in a config value")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = environment[name] else {
                throw ConfigurationError("the config refers to environment variable \(name), which is not set")
            }
            output += value
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }
}
