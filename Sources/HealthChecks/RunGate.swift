import Synchronization

/// Where a run's two possible endings meet: the check returning, or the loop declaring a timeout.
/// The first ending wins; the run task waits on it without a timer of its own.
final class RunGate: Sendable {
    enum Ending: Sendable {
        case finished(RunOutcome)
        case timedOut
        case cancelled
    }

    private struct State {
        var ending: Ending?
        var waiter: CheckedContinuation<Ending, Never>?
    }

    private let state = Mutex(State())

    func resolve(_ ending: Ending) {
        let waiter = state.withLock { state -> CheckedContinuation<Ending, Never>? in
            guard state.ending == nil else { return nil }
            state.ending = ending
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: ending)
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
