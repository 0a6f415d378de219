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
        let resume: @Sendable (Result<Lease, any Error>) -> Void
    }

    private struct State {
        var idle: [any Channel] = []
        var open = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    var openConnections: Int { state.withLock { $0.open } }
    var idleConnections: Int { state.withLock { $0.idle.count } }

    /// A lease available at once, without suspending: the common case, which then costs no
    /// callback. `nil`: wait with ``acquire(reuse:id:_:)``.
    func tryAcquire(reuse: Bool) -> Lease? {
        let (lease, stale) = state.withLock { state in Self.immediateLease(&state, reuse: reuse, max: maxConnections) }
        stale?.close(promise: nil)
        return lease
    }

    /// A lease now if one is free, else `resume` is called with one later (or with
    /// `CancellationError` after ``cancelWaiter(_:)``). `id` names the wait for cancelling it.
    func acquire(reuse: Bool, id: Int, _ resume: @escaping @Sendable (Result<Lease, any Error>) -> Void) {
        let (lease, stale) = state.withLock { state -> (Lease?, (any Channel)?) in
            let (lease, stale) = Self.immediateLease(&state, reuse: reuse, max: maxConnections)
            if lease == nil { state.waiters.append(Waiter(id: id, resume: resume)) }
            return (lease, stale)
        }
        stale?.close(promise: nil)
        if let lease { resume(.success(lease)) }
    }

    /// Gives up a wait begun by ``acquire(reuse:id:_:)``.
    func cancelWaiter(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.resume(.failure(CancellationError()))
    }

    /// An idle channel to reuse, or room to connect; plus an idle channel to close
    /// (fresh-connection mode makes room by closing one).
    private static func immediateLease(_ state: inout State, reuse: Bool, max: Int) -> (Lease?, (any Channel)?) {
        var stale: (any Channel)?
        if reuse {
            while let channel = state.idle.popLast() {
                if channel.isActive { return (.reuse(channel), nil) }
            }
        } else {
            stale = state.idle.popLast()
        }
        if state.open < max {
            state.open += 1
            return (.connect, stale)
        }
        return (nil, stale)
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
        waiter?.resume(.success(.reuse(channel)))
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
        waiter?.resume(.success(.connect))
    }
}
