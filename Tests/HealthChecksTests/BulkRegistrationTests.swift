import HealthChecks
import Testing

@Suite("Bulk registration")
struct BulkRegistrationTests {
    /// Delays in seconds, deliberately out of order.
    static let delays: [Int64] = [5, 1, 4, 2, 6]

    /// Registers `delays` plus one check added alone first, then steps the clock one second at a
    /// time and returns the checks in the order they started, with their start times.
    private func startOrder(bulk: Bool) async throws -> [(String, Duration)] {
        var order: [(String, Duration)] = []
        try await withEngine { engine, clock, events in
            try engine.register(
                ScriptedCheck("alone"), options: CheckOptions(interval: .seconds(60), initialDelay: .seconds(3)))
            let checks = Self.delays.map { delay in
                CheckRegistration(
                    ScriptedCheck("after-\(delay)"),
                    options: CheckOptions(interval: .seconds(60), initialDelay: .seconds(delay)))
            }
            if bulk {
                #expect(engine.register(contentsOf: checks).isEmpty)
            } else {
                for check in checks { try engine.register(check.check, options: check.options) }
            }
            for second in 1...6 {
                clock.advance(by: .seconds(1))
                let name = second == 3 ? "alone" : "after-\(second)"
                if let at = await events.started(name) { order.append((name, at)) }
            }
        }
        return order
    }

    @Test("checks added in bulk run at their own delays, in deadline order, as one by one")
    func sameOrderAsOneByOne() async throws {
        let bulk = try await startOrder(bulk: true)
        let single = try await startOrder(bulk: false)
        let expected: [(String, Duration)] = [
            ("after-1", .seconds(1)), ("after-2", .seconds(2)), ("alone", .seconds(3)), ("after-4", .seconds(4)),
            ("after-5", .seconds(5)), ("after-6", .seconds(6)),
        ]
        #expect(bulk.map(\.0) == expected.map(\.0))
        #expect(bulk.map(\.1) == expected.map(\.1))
        #expect(single.map(\.0) == bulk.map(\.0))
        #expect(single.map(\.1) == bulk.map(\.1))
    }

    @Test("checks added in bulk complete runs and keep their results and initial states")
    func checksRun() async throws {
        try await withEngine { engine, clock, events in
            let passing = ScriptedCheck("passing")
            let failing = ScriptedCheck("failing", outcomes: [false])
            let refused = engine.register(contentsOf: [
                CheckRegistration(passing, options: CheckOptions(interval: .seconds(10), initiallyPassing: true)),
                CheckRegistration(failing, options: CheckOptions(interval: .seconds(10), initialDelay: .seconds(1))),
            ])
            #expect(refused.isEmpty)
            #expect(engine.result(for: "passing")?.status == .passing)
            #expect(engine.result(for: "failing")?.status == .notYetRun)
            #expect(await events.completed("passing")?.status == .passing)
            clock.advance(by: .seconds(1))
            #expect(await events.completed("failing")?.status == .critical)
            clock.advance(by: .seconds(10))
            _ = await events.completed("passing")
            #expect(passing.runCount == 2)
            #expect(engine.stats().registeredChecks == 2)
        }
    }

    @Test("refused checks are returned; duplicates within the batch and with existing checks too")
    func refusals() throws {
        let engine = HealthEngine(clock: ManualClock(), configuration: .init(perCheckMetrics: false))
        try engine.register(ScriptedCheck("existing"))
        let refused = engine.register(contentsOf: [
            CheckRegistration(ScriptedCheck("existing")),
            CheckRegistration(ScriptedCheck("new")),
            CheckRegistration(ScriptedCheck("new")),
            CheckRegistration(ScriptedCheck("bad"), options: CheckOptions(interval: .zero)),
            CheckRegistration(ScriptedCheck("")),
            CheckRegistration(ScriptedCheck("new"), kind: .readiness),
        ])
        #expect(refused.map(\.0.name) == ["bad", "", "existing", "new"])
        #expect(refused.filter { $0.1 as? HealthEngineError == .duplicateCheck($0.0) }.count == 2)
        #expect(engine.stats().registeredChecks == 3)
        #expect(engine.result(for: "new", kind: .readiness) != nil)
    }
}
