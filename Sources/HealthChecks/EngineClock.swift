import Foundation
import Synchronization

/// The engine's notion of time: a monotonic reading for scheduling and a wall reading for timestamps.
///
/// Abstracted so that tests drive schedules, timeouts and thresholds with ``ManualClock``
/// instead of waiting on real time.
public protocol EngineClock: Sendable {
    /// Monotonic time since an arbitrary origin fixed for the clock's lifetime.
    var now: Duration { get }
    /// Wall-clock time, used for result timestamps.
    var wallNow: Date { get }
    /// Suspends until `now >= deadline`; throws `CancellationError` if the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

/// Real time: `ContinuousClock` for scheduling, `Date()` for timestamps.
public struct SystemClock: EngineClock {
    private let origin: ContinuousClock.Instant
    /// Timer coalescing allowed on each sleep.
    private let tolerance: Duration

    public init(tolerance: Duration = .milliseconds(1)) {
        self.origin = .now
        self.tolerance = tolerance
    }

    public var now: Duration { origin.duration(to: .now) }
    public var wallNow: Date { Date() }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin.advanced(by: deadline), tolerance: tolerance, clock: .continuous)
    }
}

/// A clock that moves only when told to, for deterministic tests of timing behaviour.
public final class ManualClock: EngineClock {
    private struct Sleeper {
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
    }

    private let state = Mutex(State())
    private let wallOrigin: Date

    public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_600_000_000)) {
        self.wallOrigin = wallOrigin
    }

    public var now: Duration { state.withLock { $0.now } }
    public var wallNow: Date { wallOrigin.addingTimeInterval(Self.seconds(now)) }

    /// Number of tasks currently suspended in ``sleep(until:)``.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves time forward and wakes every sleeper whose deadline has passed.
    public func advance(by amount: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now += amount
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for key in due.keys { state.sleepers[key] = nil }
            return Array(due.values)
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }
}
