/// The state of one check after its thresholds have been applied.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The check has not completed a run yet. Counts as unhealthy, but is not a failure.
    case notYetRun
    /// The check passes.
    case passing
    /// Failing, but fewer times in a row than the critical threshold: healthy with concerns.
    case warning
    /// The check fails.
    case critical

    /// Whether a report containing this check can still be healthy.
    public var isHealthy: Bool {
        self == .passing || self == .warning
    }
}
