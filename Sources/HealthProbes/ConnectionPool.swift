import NIOCore
import Synchronization

/// Connections to one target: idle kept-alive channels plus a cap on how many may be open.
///
/// A probe either reuses an idle channel, is allowed to open a new one, or waits for one
/// to come free. Closed channels leave the pool through their close future, so the count stays true.
final class ConnectionPool: Sendable {
    enum Lease: Sendable {
        case reuse(any Channel)
        case connect
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Lease, any Error>
    }

    private struct State {
        var idle: [any Channel] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
    }

    private let state = Mutex(State())
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    var openConnections: Int { state.withLock { $0.open } }
    var idleConnections: Int { state.withLock { $0.idle.count } }

    func acquire(reuse: Bool) async throws -> Lease {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let lease = state.withLock { state -> Lease? in
                    if reuse {
                        while let channel = state.idle.popLast() {
                            if channel.isActive { return .reuse(channel) }
                        }
                    } else if let channel = state.idle.popLast() {
                        // Fresh-connection mode: make room by closing an idle channel.
                        channel.close(promise: nil)
                    }
                    if state.open < maxConnections {
                        state.open += 1
                        return .connect
                    }
                    if Task.isCancelled { return nil }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let lease {
                    continuation.resume(returning: lease)
                } else if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Tracks a newly connected channel so its closing frees a slot.
    func adopt(_ channel: any Channel) {
        channel.closeFuture.whenComplete { _ in self.closed(channel) }
    }

    /// A `.connect` lease whose connect failed.
    func connectFailed() {
        slotFreed()
    }

    /// Returns a channel after a call; reusable ones go to a waiter or the idle list.
    func release(_ channel: any Channel, reusable: Bool) {
        guard reusable, channel.isActive else {
            channel.close(promise: nil)
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.idle.append(channel)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .reuse(channel))
    }

    /// Closes every idle channel.
    func closeIdle() {
        let idle = state.withLock { state -> [any Channel] in
            defer { state.idle.removeAll() }
            return state.idle
        }
        for channel in idle { channel.close(promise: nil) }
    }

    private func closed(_ channel: any Channel) {
        state.withLock { state in
            state.idle.removeAll { $0 === channel }
        }
        slotFreed()
    }

    private func slotFreed() {
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            guard !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .connect)
    }
}
