import Synchronization

/// A check that runs without a task of its own: it starts its work and reports the result
/// through a callback, typically from the event loop its I/O ran on.
///
/// The engine runs other checks in a child task each, plus a task racing the check against its
/// timeout; at tens of thousands of network checks a second those tasks, their cancellation
/// records and their removal from the engine's task group were about a third of a check's CPU.
/// A callback check costs the engine a gate and a closure per run instead.
public protocol CallbackCheck: Check {
    /// Starts one run. `completion` must be called exactly once, from any thread, possibly
    /// before `start` returns. The returned cancellation (`nil`: none) is used at the run's
    /// timeout or when the engine stops; `completion` must still follow it, soon.
    func start(_ completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void) -> (any RunCancellation)?
}

/// How the engine stops a callback check's run early (an object the run already has, so
/// handing it out costs no allocation).
public protocol RunCancellation: Sendable {
    func cancel()
}

extension CallbackCheck {
    /// The async form, for callers outside the engine: task cancellation cancels the run.
    public func run() async throws -> CheckDetails? {
        let handle = LateCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                handle.set(start { continuation.resume(with: $0) })
            }
        } onCancel: {
            handle.cancel()
        }
    }
}

/// A cancellation that may be requested before the run has handed out its own.
private final class LateCancellation: Sendable {
    private let state = Mutex<(cancelled: Bool, cancellation: (any RunCancellation)?)>((false, nil))

    func set(_ cancellation: (any RunCancellation)?) {
        let cancelNow = state.withLock { state -> Bool in
            state.cancellation = cancellation
            return state.cancelled
        }
        if cancelNow { cancellation?.cancel() }
    }

    func cancel() {
        let cancellation = state.withLock { state -> (any RunCancellation)? in
            state.cancelled = true
            return state.cancellation
        }
        cancellation?.cancel()
    }
}
