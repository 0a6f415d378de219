import Foundation
import HealthChecks
import Synchronization
import Testing

/// A callback check whose runs the test completes by hand, recording cancellations. Like a real
/// run (a probe exchange), each run holds its own completion.
final class HandCompletedCheck: CallbackCheck, Sendable {
    private final class Run: RunCancellation {
        let cancelled = Atomic<Bool>(false)
        let completion: @Sendable (Result<CheckDetails?, any Error>) -> Void

        init(completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void) {
            self.completion = completion
        }

        func cancel() { cancelled.store(true, ordering: .relaxed) }
    }

    let name: String
    private let pending = Mutex<[Run]>([])
    private let started = Atomic<Int>(0)

    init(_ name: String) {
        self.name = name
    }

    var runsStarted: Int { started.load(ordering: .relaxed) }
    var runsPending: Int { pending.withLock { $0.count } }
    /// The newest pending run, to watch its lifetime.
    var newestRun: AnyObject? { pending.withLock { $0.last } }
    var lastRunCancelled: Bool { pending.withLock { $0.last?.cancelled.load(ordering: .relaxed) ?? false } }

    func start(_ completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void) -> (any RunCancellation)? {
        started.add(1, ordering: .relaxed)
        let run = Run(completion: completion)
        pending.withLock { $0.append(run) }
        return run
    }

    /// Completes the oldest pending run.
    func complete(_ result: Result<CheckDetails?, any Error>) {
        let next = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        next?.completion(result)
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

    @Test("a finished run is released: the gate does not keep its cancellation (the run holds the gate)")
    func finishedRunsAreReleased() async throws {
        try await withEngine { engine, _, events in
            let check = HandCompletedCheck("released")
            try engine.register(check, options: CheckOptions(interval: .seconds(10), timeout: .seconds(5)))
            _ = await events.started("released")
            while check.runsPending == 0 { await Task.yield() }
            weak let run = check.newestRun
            check.complete(.success(nil))
            _ = await events.completed("released")
            while engine.stats().runsInFlight > 0 { await Task.yield() }
            #expect(run == nil)
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
