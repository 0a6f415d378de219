import Foundation

/// What one run of a check produced, before thresholds are applied.
public enum RunOutcome: Sendable {
    case success(CheckDetails?)
    /// A failed run; `immediate` failures skip the critical threshold.
    case failure(String, immediate: Bool = false)

    var succeeded: Bool {
        if case .success = self { return true }
        return false
    }
}

extension CheckResult {
    /// Applies one run's outcome, following the threshold rules of ``Thresholds``.
    ///
    /// Pure so that the state machine can be tested without a scheduler.
    public func applying(_ outcome: RunOutcome, completedAt: Date, duration: Duration, thresholds: Thresholds)
        -> CheckResult
    {
        var next = self
        next.timestamp = completedAt
        next.duration = duration
        switch outcome {
        case .success(let details):
            next.details = details
            next.error = nil
            next.contiguousFailures = 0
            next.timeOfFirstFailure = nil
            next.contiguousSuccesses += 1
            switch status {
            case .notYetRun, .passing, .warning:
                // Still up (warning is damped failure): one success is enough.
                next.status = .passing
            case .critical:
                let needed = max(1, thresholds.successesBeforePassing)
                if next.contiguousSuccesses >= needed {
                    next.status = .passing
                } else {
                    // Still critical: say why, so the report never shows a failing check without an error.
                    next.error = "recovering: \(next.contiguousSuccesses) of \(needed) successes before passing"
                }
            }
        case .failure(let message, let immediate):
            next.details = nil
            next.error = message
            next.contiguousSuccesses = 0
            if contiguousFailures == 0 {
                next.timeOfFirstFailure = completedAt
            }
            next.contiguousFailures += 1
            switch status {
            case .notYetRun, .critical:
                next.status = .critical
            case .passing, .warning:
                if immediate || next.contiguousFailures >= max(1, thresholds.failuresBeforeCritical) {
                    next.status = .critical
                } else if let warnAfter = thresholds.failuresBeforeWarning,
                    next.contiguousFailures >= max(1, warnAfter)
                {
                    next.status = .warning
                }
            }
        }
        return next
    }
}
