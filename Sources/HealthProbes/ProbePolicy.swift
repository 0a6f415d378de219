import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which addresses probes may reach, so that registering an instance (or declaring a check)
/// cannot turn the server into a proxy towards cloud-metadata or link-local services.
///
/// By default link-local and cloud-metadata addresses are refused: 169.254.0.0/16, fe80::/10
/// and fd00:ec2::254. An allow-list, when set, limits probes to its ranges.
public struct ProbePolicy: Sendable {
    public var denied: [AddressRange]
    /// `nil`: any address not denied.
    public var allowed: [AddressRange]?

    public static let `default` = ProbePolicy(
        denied: ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"].compactMap { try? AddressRange(parsing: $0) },
        allowed: nil)

    public init(denied: [AddressRange], allowed: [AddressRange]?) {
        self.denied = denied
        self.allowed = allowed
    }

    /// `nil` when the address may be probed, else why not.
    public func refusal(for ipAddress: String) -> String? {
        guard let bytes = AddressRange.bytes(of: ipAddress) else { return nil }
        let candidates = [bytes] + (AddressRange.unmappedIPv4(bytes).map { [$0] } ?? [])
        if let range = denied.first(where: { range in candidates.contains { range.contains($0) } }) {
            return "\(ipAddress) is in \(range), which probes may not reach (link-local or cloud metadata)"
        }
        if let allowed, !allowed.contains(where: { range in candidates.contains { range.contains($0) } }) {
            return "\(ipAddress) is outside the probe allow-list"
        }
        return nil
    }

    /// Refuses before any packet is sent when the host is an address literal.
    func check(host: String, target: String) throws {
        if let reason = refusal(for: host) { throw ProbeError.refusedTarget(target: target, reason: reason) }
    }

    /// Refuses a connected channel whose peer (after name resolution) is not allowed.
    func check(connected channel: any Channel, target: String) throws {
        guard let peer = channel.remoteAddress?.ipAddress, let reason = refusal(for: peer) else { return }
        channel.close(promise: nil)
        throw ProbeError.refusedTarget(target: target, reason: reason)
    }
}

/// An IPv4 or IPv6 CIDR range.
public struct AddressRange: Sendable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let address = parts.first, let bytes = Self.bytes(of: address) else {
            throw ProbeError.invalidTarget("'\(text)' is not an address range")
        }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...(bytes.count * 8)).contains(length) else {
            throw ProbeError.invalidTarget("'\(text)' has a bad prefix length")
        }
        network = bytes
        prefixLength = length
        description = text
    }

    func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    static func unmappedIPv4(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return nil
        }
        return Array(bytes[12..<16])
    }
}
