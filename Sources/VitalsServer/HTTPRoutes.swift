import Auth
import HealthChecks
import Hummingbird
import NacosHTTP
import NodeHealthAPI
import Registry

extension VitalsServer {
    /// Every HTTP route the server serves, with the request middlewares. `openapi.yaml` describes
    /// exactly these routes (a test compares the two).
    static func makeRouter(
        engine: HealthEngine, registry: Registry, authority: Authority = .disabled, heartbeat: RequestHeartbeat,
        loadShedding: LoadSheddingMiddleware<BasicRequestContext>? = nil, nacos: NacosRoutes? = nil
    )
        -> Router<BasicRequestContext>
    {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HeartbeatMiddleware(heartbeat: heartbeat))
        router.add(middleware: MetricsMiddleware())
        if let loadShedding { router.add(middleware: loadShedding) }
        NodeHealthRoutes(engine: engine).register(on: router)
        (nacos ?? NacosRoutes(registry: registry, authority: authority)).register(on: router)
        VitalsMetrics.register(
            on: router, schedulers: [("node", engine.stats), ("registry", registry.checkSchedulerStats)])
        router.get("/") { _, _ in ["name": "vitals", "version": Self.version] }
        // The trivial route: what the HTTP stack costs with no work behind it (benchmark reference).
        router.get("/vitals/ping") { _, _ in "pong" }
        return router
    }
}
