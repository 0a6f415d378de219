import Foundation
import HealthChecks
import Synchronization
import Testing

@Suite("Scheduling", .timeLimit(.minutes(1)))
struct SchedulingTests {
    @Test("first run waits for the initial delay, later runs follow the interval")
    func initialDelayAndInterval() async throws {
        try await withEngine { engine, clock, events in
            let check = ScriptedCheck("db")
            try engine.register(check, options: CheckOptions(interval: .seconds(10), initialDelay: .seconds(5)))
            #expect(engine.result(for: "db")?.status == .notYetRun)
            clock.advance(by: .seconds(4))
            clock.advance(by: .seconds(1))
            #expect(await events.started("db") == .seconds(5))
            _ = await events.completed("db")
            clock.advance(by: .seconds(9))
            clock.advance(by: .seconds(1))
            #expect(await events.started("db") == .seconds(15))
            _ = await events.completed("db")
            #expect(check.runCount == 2)
            #expect(engine.result(for: "db")?.status == .passing)
        }
    }

    @Test("a check that has not run is its own state, unhealthy but not a counted failure")
    func notYetRun() async throws {
        try await withEngine { engine, _, _ in
            try engine.register(ScriptedCheck("later"), options: CheckOptions(initialDelay: .seconds(60)))
            let result = try #require(engine.result(for: "later"))
            #expect(result.status == .notYetRun)
            #expect(result.error == "not yet run")
            #expect(result.contiguousFailures == 0)
            #expect(result.timeOfFirstFailure == nil)
            #expect(result.timestamp == nil)
            #expect(engine.report(kind: .health).healthy == false)
        }
    }

    @Test("initially passing checks report healthy before their first run")
    func initiallyPassing() async throws {
        try await withEngine { engine, _, _ in
            try engine.register(
                ScriptedCheck("warm"), options: CheckOptions(initialDelay: .seconds(60), initiallyPassing: true))
            #expect(engine.result(for: "warm")?.status == .passing)
            #expect(engine.report(kind: .health).healthy)
        }
    }

    @Test("the timeout cancels the run and records a failure with a clear error")
    func timeoutCancels() async throws {
        try await withEngine { engine, clock, events in
            let sawCancellation = Atomic<Bool>(false)
            try engine.register("slow", options: CheckOptions(interval: .seconds(30), timeout: .seconds(2))) {
                do {
                    try await clock.sleep(until: .seconds(1000))
                } catch {
                    sawCancellation.store(true, ordering: .relaxed)
                    throw error
                }
                return nil
            }
            #expect(await events.started("slow") == .zero)
            clock.advance(by: .seconds(2))
            let result = try #require(await events.completed("slow"))
            #expect(result.status == .critical)
            #expect(result.error == "timed out after 2s")
            #expect(result.duration == .seconds(2))
            #expect(result.contiguousFailures == 1)
            // The check is cancelled; wait until it has observed that.
            while !sawCancellation.load(ordering: .relaxed) { await Task.yield() }
        }
    }

    @Test("a hanging check neither stalls others nor overlaps itself; skipped ticks are counted")
    func hangingCheckIsIsolated() async throws {
        try await withEngine { engine, clock, events in
            let gate = Gate()
            let hangingRuns = Atomic<Int>(0)
            let options = CheckOptions(interval: .seconds(10), timeout: .seconds(5))
            try engine.register("hangs", options: options) {
                hangingRuns.add(1, ordering: .relaxed)
                await gate.wait()  // ignores cancellation on purpose
                return nil
            }
            let healthy = ScriptedCheck("healthy")
            try engine.register(healthy, options: options)
            _ = await events.completed("healthy")
            clock.advance(by: .seconds(5))
            let timedOut = try #require(await events.completed("hangs"))
            #expect(timedOut.error == "timed out after 5s")
            clock.advance(by: .seconds(5))
            #expect(await events.started("healthy") == .seconds(10))
            _ = await events.completed("healthy")
            #expect(engine.skippedRuns(for: "hangs") == 1)
            #expect(hangingRuns.load(ordering: .relaxed) == 1)
            gate.open()
            // Wait until the released run is no longer in flight.
            while engine.stats().runsInFlight > 0 { await Task.yield() }
            clock.advance(by: .seconds(10))
            #expect(await events.started("hangs") == .seconds(20))
            #expect(await events.started("healthy", notBefore: .seconds(20)) == .seconds(20))
            _ = await events.completed("healthy")
            #expect(hangingRuns.load(ordering: .relaxed) == 2)
            #expect(healthy.runCount == 3)
        }
    }

    @Test("readiness checks stop running after their first pass and keep that result")
    func readinessIsMonotonic() async throws {
        try await withEngine { engine, clock, events in
            let ready = ScriptedCheck("bootstrapped", outcomes: [false, true, false, false])
            let sentinel = ScriptedCheck("sentinel")
            let options = CheckOptions(interval: .seconds(1))
            try engine.register(ready, kind: .readiness, options: options)
            try engine.register(sentinel, kind: .health, options: options)
            await events.completedAll(["bootstrapped", "sentinel"])
            #expect(engine.result(for: "bootstrapped", kind: .readiness)?.status == .critical)
            clock.advance(by: .seconds(1))
            await events.completedAll(["bootstrapped", "sentinel"])
            #expect(engine.result(for: "bootstrapped", kind: .readiness)?.status == .passing)
            for tick in 2...4 {
                clock.advance(by: .seconds(1))
                #expect(await events.started("sentinel", notBefore: .seconds(Int64(tick))) == .seconds(Int64(tick)))
            }
            // Runs are started synchronously with the sentinel's, so the count is final here.
            #expect(engine.stats().runsStarted == 2 + 5)
            #expect(ready.runCount == 2)
            #expect(engine.result(for: "bootstrapped", kind: .readiness)?.status == .passing)
        }
    }

    @Test("deregistering stops the check and drops its result")
    func deregistration() async throws {
        try await withEngine { engine, clock, events in
            let check = ScriptedCheck("gone")
            let sentinel = ScriptedCheck("sentinel")
            try engine.register(check, options: CheckOptions(interval: .seconds(1)))
            try engine.register(sentinel, options: CheckOptions(interval: .seconds(1)))
            // Both first runs must be over, or the sentinel's next tick would be skipped.
            await events.completedAll(["gone", "sentinel"])
            #expect(engine.deregister("gone"))
            #expect(engine.result(for: "gone") == nil)
            #expect(!engine.deregister("gone"))
            for tick in 1...3 {
                clock.advance(by: .seconds(1))
                #expect(await events.started("sentinel", notBefore: .seconds(Int64(tick))) == .seconds(Int64(tick)))
            }
            #expect(check.runCount == 1)
            #expect(engine.report(kind: .health).entries.map(\.key.name) == ["sentinel"])
            // The name is free again.
            try engine.register(ScriptedCheck("gone"))
        }
    }

    @Test("runs beyond the concurrency cap wait instead of piling up")
    func concurrencyCap() async throws {
        try await withEngine(configuration: .init(maxConcurrentRuns: 2, perCheckMetrics: false)) { engine, _, events in
            let gate = Gate()
            for index in 0..<5 {
                try engine.register("c\(index)", options: CheckOptions(timeout: .seconds(60))) {
                    await gate.wait()
                    return nil
                }
            }
            // The two runs start concurrently, in either order.
            for _ in 0..<2 {
                _ = await events.next {
                    if case .started = $0 { return true }
                    return false
                }
            }
            #expect(engine.stats().runsInFlight == 2)
            #expect(engine.stats().runsStarted == 2)
            gate.open()
            for _ in 0..<5 {
                _ = await events.next {
                    if case .completed = $0 { return true }
                    return false
                }
            }
            #expect(engine.stats().runsStarted == 5)
        }
    }

    @Test("the status observer sees every transition, with CheckFailure's immediate flag honoured")
    func statusObserver() async throws {
        let seen = Mutex<[(String, CheckStatus, CheckStatus)]>([])
        let configuration = HealthEngine.Configuration(
            perCheckMetrics: false,
            statusObserver: { key, old, new in seen.withLock { $0.append((key.name, old, new.status)) } })
        try await withEngine(configuration: configuration) { engine, clock, events in
            let outcomes = Mutex([true, false])
            try engine.register(
                "db", options: CheckOptions(interval: .seconds(1), thresholds: Thresholds(failuresBeforeCritical: 5))
            ) {
                let pass = outcomes.withLock { $0.isEmpty ? true : $0.removeFirst() }
                if !pass { throw CheckFailure("connection refused", immediate: true) }
                return nil
            }
            _ = await events.completed("db")
            clock.advance(by: .seconds(1))
            #expect(await events.completed("db")?.status == .critical)
            let transitions = seen.withLock { $0 }
            #expect(transitions.map(\.0) == ["db", "db"])
            #expect(transitions.map(\.2) == [.passing, .critical])
        }
    }

    @Test("every subscriber sees every event")
    func manyListeners() async throws {
        try await withEngine { engine, _, first in
            let second = EventReader(engine.events())
            try engine.register(ScriptedCheck("shared"))
            #expect(await first.completed("shared")?.status == .passing)
            #expect(await second.completed("shared")?.status == .passing)
            let changed = await second.next {
                if case .statusChanged = $0 { return true }
                return false
            }
            if case .statusChanged(let key, let from, let to)? = changed {
                #expect(key.name == "shared")
                #expect(from == .notYetRun)
                #expect(to.status == .passing)
            } else {
                Issue.record("no statusChanged event")
            }
        }
    }
}
