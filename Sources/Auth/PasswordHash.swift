import Crypto
import CryptoExtras
import Foundation

/// Salted, slow password hashes (PBKDF2-HMAC-SHA512, 210,000 rounds: OWASP's figure), so a
/// leaked data directory does not reveal passwords.
///
/// Stored as `pbkdf2-sha512$ROUNDS$SALT$HASH` (base64), which lets the round count grow later
/// without invalidating existing hashes.
public struct PasswordHash: Sendable, Equatable, Codable {
    public static let defaultRounds = 210_000
    static let scheme = "pbkdf2-sha512"

    public let encoded: String

    public init(encoded: String) {
        self.encoded = encoded
    }

    /// Hashes `password` with a fresh random salt.
    public static func make(password: String, rounds: Int = defaultRounds) throws -> PasswordHash {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let hash = try derive(password: password, salt: salt, rounds: rounds)
        return PasswordHash(
            encoded: "\(scheme)$\(rounds)$\(salt.base64EncodedString())$\(hash.base64EncodedString())")
    }

    /// Compares in constant time; a malformed stored hash never matches.
    public func verify(_ password: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let rounds = Int(parts[1]), rounds >= 1,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
            let actual = try? Self.derive(password: password, salt: salt, rounds: rounds),
            actual.count == expected.count
        else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(actual, expected) { difference |= a ^ b }
        return difference == 0
    }

    static func derive(password: String, salt: Data, rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8), salt: salt, using: .sha512, outputByteCount: 32,
            unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }
}
