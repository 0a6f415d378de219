import Auth
import Foundation
import Logging
import SQLiteStore

/// Builds the server's ``Authority``: the user store in the data directory, a kept token secret,
/// and the first admin. Secrets never reach the log; generated ones go to owner-only files.
enum AuthSetup {
    static let secretFile = "auth-token.secret"
    static let initialPasswordFile = "initial-admin-password"

    static func make(_ settings: AuthSettings, dataDirectory: String, logger: Logger) async throws -> Authority {
        guard settings.auth.enabled else { return .disabled }
        let directory = dataDirectory as NSString
        let secret = try settings.tokenSecret ?? keptSecret(at: directory.appendingPathComponent(secretFile))
        let storePath = directory.appendingPathComponent("auth.sqlite")
        let store: SQLiteAuthStore
        do {
            store = try SQLiteAuthStore(path: storePath)
        } catch {
            throw ConfigurationError("cannot open the auth database \(storePath): \(error)")
        }
        // Password hashes are not for other local users to read.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: storePath + suffix) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: storePath + suffix)
        }
        let authority = try Authority(configuration: settings.auth, tokenSecret: secret, store: store)
        let passwordPath = directory.appendingPathComponent(initialPasswordFile)
        let password = settings.adminPassword ?? randomText(bytes: 18)
        if try await authority.load(adminPassword: password) {
            if settings.adminPassword == nil {
                try writeOwnerOnly(Data((password + "\n").utf8), to: passwordPath)
                logger.notice(
                    "auth: created admin user; its generated password is in the data directory",
                    metadata: ["user": "\(settings.auth.adminUsername)", "file": "\(passwordPath)"])
            } else {
                logger.notice("auth: created admin user", metadata: ["user": "\(settings.auth.adminUsername)"])
            }
        }
        logger.notice(
            "auth enabled",
            metadata: ["openReads": "\(settings.auth.openReads)", "tokenTtl": "\(settings.auth.tokenTTLSeconds)s"])
        return authority
    }

    /// A random secret made on first start and kept, so tokens outlive restarts.
    static func keptSecret(at path: String) throws -> Data {
        if let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }),
            let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 32
        {
            return data
        }
        let secret = randomBytes(32)
        try writeOwnerOnly(Data(secret.base64EncodedString().utf8), to: path)
        return secret
    }

    static func randomBytes(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8.random(in: .min ... .max) })
    }

    static func randomText(bytes: Int) -> String {
        randomBytes(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func writeOwnerOnly(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw ConfigurationError("cannot write \(path)") }
    }
}
