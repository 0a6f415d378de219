import Foundation
import NacosGRPCWire
import Synchronization

/// The client connections the gRPC port knows, keyed by the transport's remote peer, which the
/// unary calls and the bi-stream of one client share.
final class Connections: Sendable {
    struct Connection: Sendable {
        let id: String
        var registered = false
        var clientVersion = ""
        var outbound: AsyncStream<NacosPayload>.Continuation?
        var lastActive: ContinuousClock.Instant = .now
        var detectionSentAt: ContinuousClock.Instant?
    }

    private let state = Mutex<[String: Connection]>([:])
    /// Connection id → peer, so pushes find their stream without a scan.
    private let peers = Mutex<[String: String]>([:])

    /// The connection id for a peer, made on first sight: `<epochMillis>_<ip>_<port>` as Nacos does.
    func id(for peer: String) -> String {
        state.withLock { connections in
            if let existing = connections[peer] {
                connections[peer]?.lastActive = .now
                return existing.id
            }
            let millis = Int64(Date().timeIntervalSince1970 * 1000)
            let id = "\(millis)_\(Self.address(of: peer))"
            connections[peer] = Connection(id: id)
            peers.withLock { $0[id] = peer }
            return id
        }
    }

    /// `ipv4:127.0.0.1:43686` → `127.0.0.1_43686`.
    static func address(of peer: String) -> String {
        var text = Substring(peer)
        if let colon = text.firstIndex(of: ":"), ["ipv4", "ipv6"].contains(String(text[..<colon])) {
            text = text[text.index(after: colon)...]
        }
        guard let portSeparator = text.lastIndex(of: ":") else { return String(text) }
        let host = text[..<portSeparator].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return "\(host)_\(text[text.index(after: portSeparator)...])"
    }

    func isRegistered(_ peer: String) -> Bool {
        state.withLock { connections in
            connections[peer]?.lastActive = .now
            return connections[peer]?.registered ?? false
        }
    }

    /// `ConnectionSetupRequest` on the bi-stream: the connection may now make requests and receive pushes.
    func register(_ peer: String, clientVersion: String, outbound: AsyncStream<NacosPayload>.Continuation) -> String {
        let id = self.id(for: peer)
        state.withLock { connections in
            connections[peer]?.registered = true
            connections[peer]?.clientVersion = clientVersion
            connections[peer]?.outbound = outbound
        }
        return id
    }

    func touch(_ peer: String) {
        state.withLock { connections in
            connections[peer]?.lastActive = .now
            connections[peer]?.detectionSentAt = nil
        }
    }

    /// Removes a peer's connection; returns its id when it was registered.
    func remove(_ peer: String) -> String? {
        let removed = state.withLock { $0.removeValue(forKey: peer) }
        guard let removed else { return nil }
        removed.outbound?.finish()
        peers.withLock { $0[removed.id] = nil }
        return removed.id
    }

    /// Sends a payload on a connection's bi-stream; false when it has none.
    @discardableResult
    func send(_ payload: NacosPayload, to id: String) -> Bool {
        guard let peer = peers.withLock({ $0[id] }) else { return false }
        let outbound = state.withLock { $0[peer]?.outbound }
        guard let outbound else { return false }
        if case .enqueued = outbound.yield(payload) { return true }
        return false
    }

    /// Connections idle past `idle` get a detection request; those that stayed silent for
    /// `grace` after it are closed (their streams end, which removes their instances).
    func detectIdle(idle: Duration, grace: Duration, request: (String) -> NacosPayload) {
        let now = ContinuousClock.now
        var forgotten: [String] = []
        let actions = state.withLock { connections -> [(AsyncStream<NacosPayload>.Continuation, NacosPayload?)] in
            var actions: [(AsyncStream<NacosPayload>.Continuation, NacosPayload?)] = []
            for (peer, connection) in connections {
                // Peers that only made unary calls and never set up a stream are forgotten when idle.
                if !connection.registered, now - connection.lastActive > idle {
                    connections[peer] = nil
                    forgotten.append(connection.id)
                    continue
                }
                guard connection.registered, let outbound = connection.outbound else { continue }
                if let sent = connection.detectionSentAt {
                    if now - sent > grace { actions.append((outbound, nil)) }
                } else if now - connection.lastActive > idle {
                    connections[peer]?.detectionSentAt = now
                    actions.append((outbound, request(connection.id)))
                }
            }
            return actions
        }
        peers.withLock { peers in
            for id in forgotten { peers[id] = nil }
        }
        for (outbound, payload) in actions {
            if let payload { outbound.yield(payload) } else { outbound.finish() }
        }
    }

    var count: Int { state.withLock { $0.values.filter(\.registered).count } }
}
