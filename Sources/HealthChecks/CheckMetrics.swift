import Metrics

/// swift-metrics instruments for one check: status gauge, run timer, run/failure/skip counters.
struct CheckMetrics: Sendable {
    let passing: Gauge
    let duration: Timer
    let runs: Counter
    let failures: Counter
    let skipped: Counter

    init(key: CheckKey) {
        let dimensions = [("check", key.name), ("kind", key.kind.rawValue)]
        passing = Gauge(label: "vitals_check_passing", dimensions: dimensions)
        duration = Timer(label: "vitals_check_duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
        runs = Counter(label: "vitals_check_runs_total", dimensions: dimensions)
        failures = Counter(label: "vitals_check_failures_total", dimensions: dimensions)
        skipped = Counter(label: "vitals_check_skipped_total", dimensions: dimensions)
    }

    func record(_ result: CheckResult, failed: Bool) {
        runs.increment()
        if failed { failures.increment() }
        duration.recordNanoseconds(result.durationNanoseconds)
        passing.record(result.isHealthy ? 1 : 0)
    }

    func destroy() {
        passing.destroy()
        duration.destroy()
        runs.destroy()
        failures.destroy()
        skipped.destroy()
    }
}
