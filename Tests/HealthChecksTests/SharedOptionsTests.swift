import Testing

@testable import HealthChecks

@Suite("Scheduled options are shared")
struct SharedOptionsTests {
    @Test("checks with equal options share one record whatever their initial delay and state")
    func shared() throws {
        let engine = HealthEngine(clock: ManualClock(), configuration: .init(perCheckMetrics: false))
        try engine.register(ScriptedCheck("a"), options: CheckOptions(interval: .seconds(2), initialDelay: .seconds(1)))
        try engine.register(
            ScriptedCheck("b"),
            options: CheckOptions(interval: .seconds(2), initialDelay: .zero, initiallyPassing: true))
        engine.register(contentsOf: [
            CheckRegistration(
                ScriptedCheck("c"), options: CheckOptions(interval: .seconds(2), initialDelay: .seconds(3)))
        ])
        try engine.register(ScriptedCheck("d"), options: CheckOptions(interval: .seconds(3)))
        let records = engine.schedule.withLock { state in
            Dictionary(uniqueKeysWithValues: state.registrations.map { ($0.key.name, ObjectIdentifier($0.options)) })
        }
        #expect(records["a"] == records["b"])
        #expect(records["a"] == records["c"])
        #expect(records["a"] != records["d"])
        let interval = engine.schedule.withLock {
            $0.registration(for: CheckKey(name: "d", kind: .health))?.options.interval
        }
        #expect(interval == .seconds(3))
    }
}
