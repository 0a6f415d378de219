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

    /// Serves the registry in the Prometheus text format at `/metrics`.
    static func register<Context: RequestContext>(on router: Router<Context>) {
        let registry = self.registry
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
