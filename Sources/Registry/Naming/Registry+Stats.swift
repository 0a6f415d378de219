import HealthChecks

extension Registry {
    /// Counters and start lateness of the engine that runs instance checks (for `/metrics`).
    public func checkSchedulerStats() -> SchedulerStats {
        checks.stats()
    }
}
