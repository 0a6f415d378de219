import Foundation
import Logging
import NacosGRPCWire
import NacosWire
import Registry
import ServiceLifecycle
import Synchronization

/// Pushes `NotifySubscriberRequest` to every subscriber of a service as soon as it changes.
///
/// Changes that arrive while a round of pushes is going are merged into the next round, so a
/// burst of registrations costs one push per subscriber, not one per change. Acks are matched by
/// request id; unacknowledged pushes are sent again (at most `maxAttempts` times).
final class PushService: Sendable {
    struct Subscription: Sendable {
        let clusters: [String]
    }

    private struct Pending: Sendable {
        let connection: String
        let payload: NacosPayload
        var attempts: Int
        var sentAt: ContinuousClock.Instant
    }

    static let ackTimeout: Duration = .seconds(5)
    static let maxAttempts = 3

    private let registry: Registry
    private let connections: Connections
    private let logger: Logger
    private let subscriptions = Mutex<[ServiceKey: [String: Subscription]]>([:])
    private let pending = Mutex<[String: Pending]>([:])
    private let nextRequestID = Atomic<Int>(0)

    init(registry: Registry, connections: Connections, logger: Logger) {
        self.registry = registry
        self.connections = connections
        self.logger = logger
    }

    func subscribe(_ connection: String, to service: ServiceKey, clusters: [String]) {
        subscriptions.withLock { $0[service, default: [:]][connection] = Subscription(clusters: clusters) }
    }

    func unsubscribe(_ connection: String, from service: ServiceKey) {
        subscriptions.withLock { all in
            all[service]?[connection] = nil
            if all[service]?.isEmpty == true { all[service] = nil }
        }
    }

    func removeConnection(_ connection: String) {
        subscriptions.withLock { all in
            for service in Array(all.keys) {
                all[service]?[connection] = nil
                if all[service]?.isEmpty == true { all[service] = nil }
            }
        }
        pending.withLock { $0 = $0.filter { $0.value.connection != connection } }
    }

    var subscriberCount: Int { subscriptions.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Matches a client's `NotifySubscriberResponse`.
    func acknowledge(_ requestID: String) {
        _ = pending.withLock { $0.removeValue(forKey: requestID) }
    }

    /// Runs until cancelled: pushes on every change, and retries unacknowledged pushes.
    func run() async {
        let changes = registry.serviceChangeStream()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pushChanges(changes) }
            group.addTask { await self.retryLoop() }
        }
    }

    private func pushChanges(_ changes: AsyncStream<ServiceKey>) async {
        // Consume changes into a set; a separate step drains it, so bursts coalesce.
        let queue = ChangeQueue()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await service in changes { queue.add(service) }
                queue.finish()
            }
            group.addTask {
                while let batch = await queue.next() {
                    for service in batch { self.push(service) }
                }
            }
        }
    }

    func push(_ service: ServiceKey) {
        guard let subscribers = subscriptions.withLock({ $0[service] }) else { return }
        for (connection, subscription) in subscribers {
            sendNotification(service: service, clusters: subscription.clusters, to: connection)
        }
    }

    /// Sends the current service info to one subscriber (also used right after subscribing).
    func sendNotification(service: ServiceKey, clusters: [String], to connection: String) {
        let list = registry.list(service: service, clusters: clusters)
        let requestID = String(nextRequestID.add(1, ordering: .relaxed).newValue)
        let payload = PayloadCodec.encode(type: "NotifySubscriberRequest") { w in
            w.key("headers")
            w.object { _ in }
            w.key("requestId")
            w.value(requestID)
            w.key("module")
            w.value("naming")
            w.key("serviceInfo")
            ServiceInfoWriter.write(list, groupedName: false, into: &w)
        }
        pending.withLock {
            $0[requestID] = Pending(connection: connection, payload: payload, attempts: 1, sentAt: .now)
        }
        if !connections.send(payload, to: connection) {
            _ = pending.withLock { $0.removeValue(forKey: requestID) }
        }
    }

    private func retryLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                return
            }
            let now = ContinuousClock.now
            let due = pending.withLock { all -> [(String, Pending)] in
                var due: [(String, Pending)] = []
                for (id, entry) in all where now - entry.sentAt > Self.ackTimeout {
                    if entry.attempts >= Self.maxAttempts {
                        all[id] = nil
                    } else {
                        all[id]?.attempts += 1
                        all[id]?.sentAt = now
                        due.append((id, entry))
                    }
                }
                return due
            }
            for (id, entry) in due {
                logger.debug("push not acknowledged, sending again", metadata: ["requestId": "\(id)"])
                connections.send(entry.payload, to: entry.connection)
            }
        }
    }
}

/// A set of changed services and a waiter: adding wakes the consumer, which takes the whole set.
private final class ChangeQueue: Sendable {
    private struct State {
        var pending: Set<ServiceKey> = []
        var waiter: CheckedContinuation<Set<ServiceKey>?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func add(_ service: ServiceKey) {
        let resume = state.withLock { state -> (CheckedContinuation<Set<ServiceKey>?, Never>, Set<ServiceKey>)? in
            state.pending.insert(service)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.pending.removeAll() }
            return (waiter, state.pending)
        }
        if let (waiter, batch) = resume { waiter.resume(returning: batch) }
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Set<ServiceKey>?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> Set<ServiceKey>? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Set<ServiceKey>?? in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll() }
                    return .some(state.pending)
                }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
