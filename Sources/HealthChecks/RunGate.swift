import Synchronization

/// Where a run's possible endings meet: the check returning, the loop declaring a timeout, or
/// the engine stopping. The first ending wins; a task run waits on it without a timer of its own,
/// a callback run has it delivered to its observer.
final class RunGate: Sendable {
    enum Ending: Sendable {
        case finished(RunOutcome)
        case timedOut
        case cancelled
    }

    private struct State {
        var ending: Ending?
        var waiter: CheckedContinuation<Ending, Never>?
        var observer: (@Sendable (Ending) -> Void)?
        /// Stops a callback run early.
        var cancellation: (any RunCancellation)?
    }

    private let state = Mutex(State())

    /// Returns whether `ending` was the first.
    @discardableResult
    func resolve(_ ending: Ending) -> Bool {
        let (won, waiter, observer) = state.withLock {
            state -> (Bool, CheckedContinuation<Ending, Never>?, (@Sendable (Ending) -> Void)?) in
            guard state.ending == nil else { return (false, nil, nil) }
            state.ending = ending
            defer {
                state.waiter = nil
                state.observer = nil
                // A finished run needs no stopping; the run holds this gate through its
                // completion, so keeping its cancellation would be a retain cycle.
                if case .finished = ending { state.cancellation = nil }
            }
            return (true, state.waiter, state.observer)
        }
        waiter?.resume(returning: ending)
        observer?(ending)
        return won
    }

    /// Calls `observer` with the first ending, now if it has already come.
    func observe(_ observer: @escaping @Sendable (Ending) -> Void) {
        let ending = state.withLock { state -> Ending? in
            if let ending = state.ending { return ending }
            state.observer = observer
            return nil
        }
        if let ending { observer(ending) }
    }

    /// Remembers how to stop the run; cancels at once if the run has already timed out or been cancelled.
    func setCancellation(_ cancellation: (any RunCancellation)?) {
        guard let cancellation else { return }
        let cancelNow = state.withLock { state -> Bool in
            switch state.ending {
            case .timedOut?, .cancelled?: return true
            case .finished?: return false
            case nil:
                state.cancellation = cancellation
                return false
            }
        }
        if cancelNow { cancellation.cancel() }
    }

    /// Stops a callback run (after its timeout or at engine stop).
    func cancelRun() {
        let cancellation = state.withLock { state -> (any RunCancellation)? in
            defer { state.cancellation = nil }
            return state.cancellation
        }
        cancellation?.cancel()
    }

    func wait() async -> Ending {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
                let ending = state.withLock { state -> Ending? in
                    if let ending = state.ending { return ending }
                    state.waiter = continuation
                    return nil
                }
                if let ending { continuation.resume(returning: ending) }
            }
        } onCancel: {
            resolve(.cancelled)
        }
    }
}
