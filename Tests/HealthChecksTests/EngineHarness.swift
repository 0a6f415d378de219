import Foundation
import HealthChecks
import Synchronization
import Testing

/// Runs an engine on a manual clock for the duration of `body`.
func withEngine(
    configuration: HealthEngine.Configuration = .init(perCheckMetrics: false),
    _ body: (HealthEngine, ManualClock, EventReader) async throws -> Void
) async throws {
    let clock = ManualClock()
    let engine = HealthEngine(clock: clock, configuration: configuration)
    let reader = EventReader(engine.events(bufferSize: 10_000))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await engine.run() }
        try await body(engine, clock, reader)
        group.cancelAll()
    }
}

/// Reads engine events in order, waiting for the ones a test cares about.
final class EventReader: @unchecked Sendable {
    // Only used from the test's own task.
    private var iterator: AsyncStream<HealthEvent>.AsyncIterator

    init(_ stream: AsyncStream<HealthEvent>) {
        iterator = stream.makeAsyncIterator()
    }

    func next(where predicate: (HealthEvent) -> Bool) async -> HealthEvent? {
        while let event = await iterator.next() {
            if predicate(event) { return event }
        }
        return nil
    }

    /// Waits for the next run of `name` starting no earlier than `notBefore` and returns its start time.
    func started(_ name: String, notBefore: Duration = .zero) async -> Duration? {
        let event = await next {
            if case .started(let key, let at) = $0 { return key.name == name && at >= notBefore }
            return false
        }
        if case .started(_, let at)? = event { return at }
        return nil
    }

    /// Waits until each of `names` has completed a run, in any order.
    func completedAll(_ names: Set<String>) async {
        var remaining = names
        while !remaining.isEmpty {
            guard
                let event = await next(where: {
                    if case .completed(let key, _) = $0 { return remaining.contains(key.name) }
                    return false
                })
            else { return }
            remaining.remove(event.key.name)
        }
    }

    /// Waits for the next completed run of `name`.
    func completed(_ name: String) async -> CheckResult? {
        let event = await next {
            if case .completed(let key, _) = $0 { return key.name == name }
            return false
        }
        if case .completed(_, let result)? = event { return result }
        return nil
    }
}

/// A check whose outcomes are scripted and whose runs are counted.
final class ScriptedCheck: Check, Sendable {
    let name: String
    private let script: Mutex<[Bool]>
    private let runs = Atomic<Int>(0)

    init(_ name: String, outcomes: [Bool] = []) {
        self.name = name
        self.script = Mutex(outcomes)
    }

    var runCount: Int { runs.load(ordering: .relaxed) }

    func run() async throws -> CheckDetails? {
        let count = runs.add(1, ordering: .relaxed).newValue
        let pass = script.withLock { $0.isEmpty ? true : $0.removeFirst() }
        if !pass { throw CheckFailure("scripted failure \(count)") }
        return ["run": count]
    }
}

/// A one-shot gate a check can wait on while ignoring cancellation (a misbehaving check).
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
