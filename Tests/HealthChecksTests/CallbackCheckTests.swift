import Foundation
import HealthChecks
import Synchronization
import Testing

/// A callback check whose runs the test completes by hand, recording cancellations.
final class HandCompletedCheck: CallbackCheck, Sendable {
    private final class Run: RunCancellation {
        let cancelled = Atomic<Bool>(false)
        func cancel() { cancelled.store(true, ordering: .relaxed) }
    }

    let name: String
    private let pending = Mutex<[(Run, @Sendable (Result<CheckDetails?, any Error>) -> Void)]>([])
    private let started = Atomic<Int>(0)

    init(_ name: String) {
        self.name = name
    }

    var runsStarted: Int { started.load(ordering: .relaxed) }
    var runsPending: Int { pending.withLock { $0.count } }
    var lastRunCancelled: Bool { pending.withLock { $0.last?.0.cancelled.load(ordering: .relaxed) ?? false } }

    func start(_ completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void) -> (any RunCancellation)? {
        started.add(1, ordering: .relaxed)
        let run = Run()
        pending.withLock { $0.append((run, completion)) }
        return run
    }

    /// Completes the oldest pending run.
    func complete(_ result: Result<CheckDetails?, any Error>) {
        let next = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        next?.1(result)
    }
}

@Suite("Callback checks", .timeLimit(.minutes(1)))
struct CallbackCheckTests {
    @Test("a callback check's result is recorded when its completion comes, with failures mapped as for async checks")
    func completes() async throws {
        try await withEngine { engine, clock, events in
            let check = HandCompletedCheck("cb")
            try engine.register(check, options: CheckOptions(interval: .seconds(10), timeout: .seconds(5)))
            #expect(await events.started("cb") == .zero)
            #expect(engine.stats().runsInFlight == 1)
            check.complete(.success(["ok": 1]))
            let passed = try #require(await events.completed("cb"))
            #expect(passed.status == .passing)
            #expect(engine.stats().runsInFlight == 0)
            clock.advance(by: .seconds(10))
            _ = await events.started("cb", notBefore: .seconds(10))
            while check.runsPending == 0 { await Task.yield() }
            check.complete(.failure(CheckFailure("refused", immediate: true)))
            let failed = try #require(await events.completed("cb"))
            #expect(failed.status == .critical)
            #expect(failed.error == "refused")
        }
    }

    @Test("at the timeout a callback run is failed and cancelled, and stays in flight until it completes")
    func timesOut() async throws {
        try await withEngine { engine, clock, events in
            let check = HandCompletedCheck("slow")
            try engine.register(check, options: CheckOptions(interval: .seconds(10), timeout: .seconds(2)))
            _ = await events.started("slow")
            clock.advance(by: .seconds(2))
            let result = try #require(await events.completed("slow"))
            #expect(result.error == "timed out after 2s")
            #expect(check.lastRunCancelled)
            #expect(engine.stats().runsInFlight == 1)
            clock.advance(by: .seconds(8))
            while engine.stats().runsSkipped == 0 { await Task.yield() }
            #expect(check.runsStarted == 1)
            check.complete(.failure(CancellationError()))
            while engine.stats().runsInFlight > 0 { await Task.yield() }
            // The late completion does not overwrite the timeout's result.
            #expect(engine.result(for: "slow")?.error == "timed out after 2s")
        }
    }

    @Test("stopping the engine cancels callback runs in flight")
    func engineStopCancels() async throws {
        let check = HandCompletedCheck("pending")
        try await withEngine { engine, _, events in
            try engine.register(check, options: CheckOptions(interval: .seconds(10), timeout: .seconds(5)))
            _ = await events.started("pending")
            while check.runsPending == 0 { await Task.yield() }
        }
        #expect(check.lastRunCancelled)
    }

    @Test("outside the engine, run() waits for the completion and task cancellation cancels the run")
    func asyncForm() async throws {
        let check = HandCompletedCheck("direct")
        let task = Task { try await check.run() }
        while check.runsPending == 0 { await Task.yield() }
        task.cancel()
        while !check.lastRunCancelled { await Task.yield() }
        check.complete(.failure(CancellationError()))
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
