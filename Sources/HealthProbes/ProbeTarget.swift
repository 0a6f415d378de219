import Foundation

/// A parsed `http://`, `https://` or `tcp://` address a probe is pointed at.
public struct ProbeTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http, https, tcp, grpc
    }

    public let scheme: Scheme
    public let host: String
    public let port: Int
    /// Path and query for HTTP targets, `/` when empty.
    public let pathAndQuery: String

    public init(scheme: Scheme, host: String, port: Int, pathAndQuery: String = "/") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathAndQuery = pathAndQuery
    }

    /// Parses a URL; throws ``ProbeError/invalidTarget(_:)`` with the reason.
    public init(parsing text: String) throws {
        guard let components = URLComponents(string: text), let rawScheme = components.scheme?.lowercased() else {
            throw ProbeError.invalidTarget("'\(text)' is not a URL")
        }
        guard let scheme = Scheme(rawValue: rawScheme) else {
            throw ProbeError.invalidTarget("unsupported scheme '\(rawScheme)' (use http, https, tcp or grpc)")
        }
        guard var host = components.host, !host.isEmpty else {
            throw ProbeError.invalidTarget("'\(text)' has no host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let defaultPort: Int? =
            switch scheme {
            case .http: 80
            case .https: 443
            case .tcp, .grpc: nil
            }
        guard let port = components.port ?? defaultPort else {
            throw ProbeError.invalidTarget("'\(text)' needs a port")
        }
        guard (1...65535).contains(port) else {
            throw ProbeError.invalidTarget("port \(port) is out of range")
        }
        var path = components.percentEncodedPath
        if path.isEmpty { path = "/" }
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.init(scheme: scheme, host: host, port: port, pathAndQuery: path)
    }

    /// `host:port`, bracketing IPv6 literals.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String {
        scheme == .tcp ? "tcp://\(authority)" : "\(scheme.rawValue)://\(authority)\(pathAndQuery)"
    }
}
