import HealthChecks
import Hummingbird
import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics, bootstrapped once.
enum VitalsMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Serves the registry in the Prometheus text format at `/metrics`, followed by the scheduler
    /// figures of each named engine (read when scraped).
    static func register<Context: RequestContext>(
        on router: Router<Context>, schedulers: [(name: String, stats: @Sendable () -> SchedulerStats)] = []
    ) {
        let registry = self.registry
        router.get("/metrics") { _, _ in
            var bytes = registry.emitToBuffer()
            bytes.append(contentsOf: schedulerText(schedulers.map { ($0.name, $0.stats()) }).utf8)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// Scheduler counters and start-lateness quantiles (over the most recent runs) as Prometheus text.
    static func schedulerText(_ engines: [(name: String, stats: SchedulerStats)]) -> String {
        guard !engines.isEmpty else { return "" }
        func seconds(_ duration: Duration) -> String {
            let (whole, attoseconds) = duration.components
            return String(Double(whole) + Double(attoseconds) / 1e18)
        }
        var text = "# TYPE vitals_scheduler_lateness_seconds summary\n"
        let quantiles: [(String, (SchedulerStats) -> Duration)] = [
            ("0.5", { $0.latenessP50 }), ("0.99", { $0.latenessP99 }), ("1", { $0.latenessMax }),
        ]
        for (name, stats) in engines {
            for (quantile, value) in quantiles {
                text += "vitals_scheduler_lateness_seconds{engine=\"\(name)\",quantile=\"\(quantile)\"} "
                text += "\(seconds(value(stats)))\n"
            }
        }
        let counters: [(String, String, (SchedulerStats) -> Int)] = [
            ("vitals_scheduler_runs_started_total", "counter", { $0.runsStarted }),
            ("vitals_scheduler_runs_skipped_total", "counter", { $0.runsSkipped }),
            ("vitals_scheduler_runs_in_flight", "gauge", { $0.runsInFlight }),
            ("vitals_scheduler_checks", "gauge", { $0.registeredChecks }),
        ]
        for (metric, type, value) in counters {
            text += "# TYPE \(metric) \(type)\n"
            for (name, stats) in engines { text += "\(metric){engine=\"\(name)\"} \(value(stats))\n" }
        }
        return text
    }
}
