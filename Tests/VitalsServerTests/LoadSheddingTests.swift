import Hummingbird
import Testing

@testable import VitalsServer

@Suite("Load shedding near the connection limit")
struct LoadSheddingTests {
    @Test func theHealthAPIIsExempt() {
        let exempt = LoadSheddingMiddleware<BasicRequestContext>.exempt
        for path in [
            "/ext/health", "/ext/health/readiness", "/livez", "/readyz/storage.writable", "/healthz", "/metrics",
        ] {
            #expect(exempt(path[...]), "\(path)")
        }
        for path in ["/nacos/v1/ns/instance", "/ext/healthy", "/vitals/ping", "/"] {
            #expect(!exempt(path[...]), "\(path)")
        }
    }

    @Test func aReserveIsKeptBelowTheLimit() {
        let connections = OpenConnections()
        #expect(
            LoadSheddingMiddleware<BasicRequestContext>(connections: connections, maxConnections: 4096).threshold
                == 3840)
        #expect(
            LoadSheddingMiddleware<BasicRequestContext>(connections: connections, maxConnections: 64).threshold == 56)
        #expect(LoadSheddingMiddleware<BasicRequestContext>(connections: connections, maxConnections: 4).threshold == 1)
        #expect(LoadSheddingMiddleware<BasicRequestContext>(connections: connections, maxConnections: 1).threshold == 1)
    }
}
