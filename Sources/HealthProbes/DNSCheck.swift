import Foundation
import HealthChecks
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A health check that passes when a host name resolves to at least `minimumAddresses` addresses.
public struct DNSCheck: Check {
    public let name: String
    public let host: String
    public let minimumAddresses: Int
    private let pool: NIOThreadPool

    public init(name: String, host: String, minimumAddresses: Int = 1, pool: NIOThreadPool = .singleton) {
        self.name = name
        self.host = host
        self.minimumAddresses = minimumAddresses
        self.pool = pool
    }

    public func run() async throws -> CheckDetails? {
        let host = self.host
        let addresses = try await pool.runIfActive { try Self.resolve(host) }
        guard addresses.count >= minimumAddresses else {
            throw ProbeError.tooFewAddresses(host: host, found: addresses.count, required: minimumAddresses)
        }
        return DNSCheckDetails(host: host, addresses: addresses)
    }

    /// Blocking getaddrinfo, run on the thread pool; returns distinct numeric addresses.
    static func resolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw ProbeError.resolveFailed(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor = list
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
                == 0
            {
                let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

/// The `message` of a passing DNS check.
public struct DNSCheckDetails: Encodable, Sendable {
    public let host: String
    public let addresses: [String]
}

/// Blocking name resolution on NIO's thread pool, shared by checks that need addresses first.
enum NIOThreadPoolResolver {
    static func resolve(_ host: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive { try DNSCheck.resolve(host) }
    }
}
