import Crypto
import Foundation

/// Signed access tokens in the shape Nacos issues (a JWT with HS256), so a token is checked
/// without a lookup and survives restarts when the secret is kept.
public struct TokenSigner: Sendable {
    /// What a valid token says.
    public struct Claims: Sendable, Equatable {
        public let username: String
        /// Milliseconds, so a password change ends tokens issued earlier in the same second.
        public let issuedAtMilliseconds: Int
        public let expiresAt: Int
    }

    private let key: SymmetricKey
    static let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// `secret` must hold at least 32 bytes (Nacos refuses shorter token secrets too).
    public init(secret: Data) throws {
        guard secret.count >= 32 else {
            throw AuthError.invalid("the token secret must be at least 32 bytes, got \(secret.count)")
        }
        key = SymmetricKey(data: secret)
    }

    public func issue(username: String, issuedAtMilliseconds: Int, ttlSeconds: Int) -> String {
        let now = issuedAtMilliseconds / 1000
        let payload: [String: Any] = [
            "sub": username, "iat": now, "iat_ms": issuedAtMilliseconds, "exp": now + ttlSeconds,
        ]
        let json = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
        let unsigned = Self.header + "." + Self.base64URL(json)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(unsigned.utf8), using: key)
        return unsigned + "." + Self.base64URL(Data(signature))
    }

    /// The claims of a well-signed, unexpired token.
    public func verify(_ token: String, now: Int) throws -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 4096, parts.count == 3, parts[0] == Self.header[...],
            let signature = Self.decodeBase64URL(parts[2]),
            HMAC<SHA256>.isValidAuthenticationCode(
                signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: key),
            let payloadData = Self.decodeBase64URL(parts[1]),
            let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
            let username = payload["sub"] as? String,
            let expiresAt = (payload["exp"] as? NSNumber)?.intValue
        else { throw AuthError.unauthenticated("token invalid!") }
        guard expiresAt > now else { throw AuthError.unauthenticated("token expired!") }
        let issuedAt =
            (payload["iat_ms"] as? NSNumber)?.intValue ?? ((payload["iat"] as? NSNumber)?.intValue ?? 0) * 1000
        return Claims(username: username, issuedAtMilliseconds: issuedAt, expiresAt: expiresAt)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
