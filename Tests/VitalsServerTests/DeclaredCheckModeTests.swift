import HealthProbes
import Registry
import Testing

@testable import HealthChecks
@testable import VitalsServer

@Suite("Declared checks: vitals.check.mode and scheduler metrics")
struct DeclaredCheckModeTests {
    func spec(_ metadata: [String: String]) throws -> ProbeSpec? {
        let all = ["vitals.check.type": "HTTP"].merging(metadata) { $1 }
        return try DeclaredCheck.spec(for: Instance(ip: "127.0.0.1", port: 8080, metadata: all))
    }

    @Test("keepAlive is the default; fresh asks for a new connection per run; anything else is refused")
    func mode() throws {
        #expect(try spec([:])?.freshConnection == false)
        #expect(try spec(["vitals.check.mode": "keepAlive"])?.freshConnection == false)
        #expect(try spec(["vitals.check.mode": "keep-alive"])?.freshConnection == false)
        #expect(try spec(["vitals.check.mode": "fresh"])?.freshConnection == true)
        #expect(throws: RegistryError.self) { try spec(["vitals.check.mode": "pooled"]) }
    }

    @Test("the registry's probe factory passes the mode to the HTTP check")
    func probeFactory() throws {
        let probes = RegistryProbes(prober: HTTPProber(), policy: .default)
        for (text, mode) in [("fresh", HTTPProber.ConnectionMode.fresh), ("keepAlive", .keepAlive)] {
            let spec = try #require(try spec(["vitals.check.mode": text]))
            let check = try #require(probes.makeCheck(name: "c", spec: spec) as? HTTPCheck)
            #expect(check.configuration.mode == mode)
        }
    }

    @Test("scheduler figures in the Prometheus text format")
    func schedulerText() {
        let stats = SchedulerStats(
            runsStarted: 42, runsSkipped: 1, runsInFlight: 3, registeredChecks: 7,
            latenessP50: .milliseconds(2), latenessP99: .milliseconds(15), latenessMax: .seconds(1))
        let text = VitalsMetrics.schedulerText([("registry", stats)])
        #expect(text.contains(#"vitals_scheduler_lateness_seconds{engine="registry",quantile="0.99"} 0.015"#))
        #expect(text.contains(#"vitals_scheduler_runs_started_total{engine="registry"} 42"#))
        #expect(text.contains(#"vitals_scheduler_checks{engine="registry"} 7"#))
        #expect(VitalsMetrics.schedulerText([]).isEmpty)
    }
}
