import Synchronization

/// Fans events out to any number of async-sequence subscribers.
///
/// Each subscriber has its own bounded buffer (newest events kept), so a slow reader
/// loses old events instead of stalling checks or growing memory without bound.
public final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let subscriberCount = Atomic<Int>(0)

    public init() {}

    public var hasSubscribers: Bool { subscriberCount.load(ordering: .relaxed) > 0 }

    public func subscribe(bufferSize: Int) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Event.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        subscriberCount.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            let removed = self.state.withLock { $0.subscribers.removeValue(forKey: id) }
            if removed != nil { self.subscriberCount.subtract(1, ordering: .relaxed) }
        }
        return stream
    }

    public func publish(_ event: Event) {
        guard hasSubscribers else { return }
        let targets = state.withLock { Array($0.subscribers.values) }
        for continuation in targets { continuation.yield(event) }
    }

    public func finishAll() {
        let targets = state.withLock { state -> [AsyncStream<Event>.Continuation] in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        subscriberCount.subtract(targets.count, ordering: .relaxed)
        for continuation in targets { continuation.finish() }
    }
}
