import NIOCore
import NIOHTTP1

/// A probe request serialised once, with everything about its target decided up front: the
/// bytes to write, the connection pool, whether the host is an IP literal and the policy's
/// verdict on it.
///
/// A check sends the same request every interval, so none of this needs redoing per check;
/// header validation in particular happens here, once, instead of in NIO's encoder per request.
/// A class: each run of a check refers to it rather than copying its fields.
public final class PreparedHTTPRequest: Sendable {
    let target: ProbeTarget
    let mode: HTTPProber.ConnectionMode
    let verifyTLS: Bool
    /// Whether the caller looks at the body (body matching); if not, fresh connections
    /// are closed as soon as the status is read.
    let readsBody: Bool
    /// Whether the response's headers are collected (checks judge only status and body).
    let readsHeaders: Bool
    let isHead: Bool
    let bytes: ByteBuffer
    let pool: ConnectionPool
    /// The host is an IP literal: connected to without the resolver, judged by the policy already.
    let isLiteral: Bool
    /// Why the request can never be sent (bad header, refused address); thrown by every execution.
    let invalid: ProbeError?

    init(
        target: ProbeTarget, mode: HTTPProber.ConnectionMode, verifyTLS: Bool, readsBody: Bool, readsHeaders: Bool,
        isHead: Bool,
        bytes: ByteBuffer, pool: ConnectionPool, isLiteral: Bool, invalid: ProbeError?
    ) {
        self.target = target
        self.mode = mode
        self.verifyTLS = verifyTLS
        self.readsBody = readsBody
        self.readsHeaders = readsHeaders
        self.isHead = isHead
        self.bytes = bytes
        self.pool = pool
        self.isLiteral = isLiteral
        self.invalid = invalid
    }
}

extension PreparedHTTPRequest {
    /// Serialises `request`; the `Host`, `User-Agent` and `Accept` defaults come first and
    /// a caller's `Host` or `User-Agent` replaces the default.
    static func serialise(
        _ request: HTTPProbeRequest, userAgent: String, keepAlive: Bool
    ) throws(ProbeError) -> ByteBuffer {
        let target = request.target
        let defaultPort = target.scheme == .https ? 443 : 80
        let host =
            target.port == defaultPort
            ? (target.host.contains(":") ? "[\(target.host)]" : target.host) : target.authority
        var fields: [(String, String)] = [("Host", host), ("User-Agent", userAgent), ("Accept", "*/*")]
        for (name, value) in request.headers {
            let lowered = name.lowercased()
            if lowered == "host" || lowered == "user-agent" { fields.removeAll { $0.0.lowercased() == lowered } }
            fields.append((name, value))
        }
        func replaceOrAdd(_ name: String, _ value: String) {
            let lowered = name.lowercased()
            fields.removeAll { $0.0.lowercased() == lowered }
            fields.append((name, value))
        }
        if let body = request.body {
            replaceOrAdd("Content-Length", String(body.count))
        } else if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            replaceOrAdd("Content-Length", "0")
        }
        if !keepAlive { replaceOrAdd("Connection", "close") }

        let method = request.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw .invalidTarget("bad request method '\(method)'")
        }
        let path = target.pathAndQuery
        guard !path.isEmpty, path.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw .invalidTarget("bad request path '\(path)'")
        }
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for (name, value) in fields {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw .invalidTarget("bad header name '\(name)'")
            }
            guard value.utf8.allSatisfy({ $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }) else {
                throw .invalidTarget("bad value for header '\(name)'")
            }
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        // Sized exactly: every check keeps its request for its lifetime.
        var buffer = ByteBufferAllocator().buffer(capacity: text.utf8.count + (request.body?.count ?? 0))
        buffer.writeString(text)
        if let body = request.body { buffer.writeBytes(body) }
        return buffer
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
