import Foundation

/// The latest outcome of one check, with the counters reports need.
public struct CheckResult: Sendable {
    public var status: CheckStatus
    /// Details returned by the last successful run (the `message` field).
    public var details: CheckDetails?
    /// Why the last run failed; `nil` after a success.
    public var error: String?
    /// When the last run completed; `nil` until a run completes.
    public var timestamp: Date?
    /// How long the last run took.
    public var duration: Duration
    /// Failed runs in a row, reset by a success.
    public var contiguousFailures: Int
    /// Successful runs in a row, reset by a failure.
    public var contiguousSuccesses: Int
    /// Completion time of the first failure of the current failing streak.
    public var timeOfFirstFailure: Date?

    public init(
        status: CheckStatus, details: CheckDetails? = nil, error: String? = nil, timestamp: Date? = nil,
        duration: Duration = .zero, contiguousFailures: Int = 0, contiguousSuccesses: Int = 0,
        timeOfFirstFailure: Date? = nil
    ) {
        self.status = status
        self.details = details
        self.error = error
        self.timestamp = timestamp
        self.duration = duration
        self.contiguousFailures = contiguousFailures
        self.contiguousSuccesses = contiguousSuccesses
        self.timeOfFirstFailure = timeOfFirstFailure
    }

    public var isHealthy: Bool { status.isHealthy }

    /// Duration in whole nanoseconds, the unit AvalancheGo and go-sundheit report.
    public var durationNanoseconds: Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func initial(passing: Bool) -> CheckResult {
        CheckResult(
            status: passing ? .passing : .notYetRun,
            details: nil,
            error: passing ? nil : "not yet run",
            timestamp: nil,
            duration: .zero,
            contiguousFailures: 0,
            contiguousSuccesses: 0,
            timeOfFirstFailure: nil
        )
    }
}
