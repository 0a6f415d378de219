/// How often and how strictly a check runs.
public struct CheckOptions: Sendable {
    /// Time between the starts of two runs.
    public var interval: Duration
    /// Time between registration and the first run.
    public var initialDelay: Duration
    /// A run still going after this long is cancelled and counts as a failure.
    public var timeout: Duration
    /// Start in the passing state instead of `notYetRun`.
    public var initiallyPassing: Bool
    /// Free-form labels used to select checks in reports. `all` is reserved;
    /// `application` makes the check part of every tagged report.
    public var tags: Set<String>
    /// Flap damping between states.
    public var thresholds: Thresholds

    public init(
        interval: Duration = .seconds(10),
        initialDelay: Duration = .zero,
        timeout: Duration = .seconds(5),
        initiallyPassing: Bool = false,
        tags: Set<String> = [],
        thresholds: Thresholds = Thresholds()
    ) {
        self.interval = interval
        self.initialDelay = initialDelay
        self.timeout = timeout
        self.initiallyPassing = initiallyPassing
        self.tags = tags
        self.thresholds = thresholds
    }
}

/// Consecutive results needed to change state, like Consul's `success_before_passing` /
/// `failures_before_warning` / `failures_before_critical` and HAProxy's `rise` / `fall`.
///
/// The first completed run establishes the state directly; thresholds damp later changes.
public struct Thresholds: Sendable, Hashable {
    /// Successes in a row that turn a failing check passing again (HAProxy `rise`).
    public var successesBeforePassing: Int
    /// Failures in a row that turn a passing check critical (HAProxy `fall`).
    public var failuresBeforeCritical: Int
    /// Failures in a row that turn a passing check to `warning`; must be below
    /// `failuresBeforeCritical` to have an effect. `nil` means no warning state.
    public var failuresBeforeWarning: Int?

    public init(successesBeforePassing: Int = 1, failuresBeforeCritical: Int = 1, failuresBeforeWarning: Int? = nil) {
        self.successesBeforePassing = successesBeforePassing
        self.failuresBeforeCritical = failuresBeforeCritical
        self.failuresBeforeWarning = failuresBeforeWarning
    }
}
