import Foundation
import Logging
import ServiceLifecycle

extension HealthEngine {
    /// Runs the schedule until the task is cancelled or graceful shutdown is signalled.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.drive()
        }
    }

    private func drive() async {
        let resolution = configuration.timerResolution
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = clock.now
                let due = schedule.withLock { state in
                    let due = state.popDue(now: now, maxInFlight: configuration.maxConcurrentRuns)
                    state.loopDeadline = due.nextDeadline
                    state.loopSleeping = true
                    return due
                }
                for gate in due.timedOut {
                    gate.resolve(.timedOut)
                }
                for (key, total, metrics) in due.skipped {
                    metrics?.skipped.increment()
                    broadcaster.publish(.skipped(key, totalSkipped: total))
                }
                for ticket in due.tickets {
                    // A cast per run rather than a field per registration: memory per check matters more.
                    if let check = ticket.check as? any CallbackCheck {
                        start(ticket, check)
                    } else {
                        group.addTask { await self.execute(ticket) }
                    }
                }
                await wakeup.wait(until: due.nextDeadline.map { Self.roundUp($0, to: resolution) }, clock: clock)
                schedule.withLock { $0.loopSleeping = false }
            }
            group.cancelAll()
            // Callback runs have no task to cancel: stop them through their gates.
            for gate in schedule.withLock({ $0.runningGates() }) {
                gate.resolve(.cancelled)
            }
        }
    }

    /// Rounds a deadline up to the timer resolution, batching nearby deadlines into one wake-up.
    static func roundUp(_ deadline: Duration, to resolution: Duration) -> Duration {
        guard resolution > .zero else { return deadline }
        let steps = (deadline / resolution).rounded(.up)
        return resolution * steps
    }

    /// One run: the check runs in a child task while this task waits for the first ending,
    /// the check's own or the timeout the loop declares. The check stays marked in flight until
    /// it has really returned, so it never overlaps itself.
    private func execute(_ ticket: RunTicket) async {
        broadcaster.publish(.started(ticket.key, at: ticket.startedAt))
        if await runUntilFirstEnding(ticket) {
            let pokeLoop = schedule.withLock { $0.leaveFlight(ticket.handle) }
            if pokeLoop { wakeup.poke() }
        }
    }

    /// One run of a callback check: no task; the first ending (the check's completion, the
    /// timeout the loop declares, the engine stopping) is delivered to the gate's observer.
    /// The check stays in flight until its completion comes, so it never overlaps itself.
    private func start(_ ticket: RunTicket, _ check: any CallbackCheck) {
        broadcaster.publish(.started(ticket.key, at: ticket.startedAt))
        let gate = ticket.gate
        gate.observe { ending in
            switch ending {
            case .finished(let outcome):
                self.record(ticket, outcome: outcome, duration: self.clock.now - ticket.startedAt, finished: true)
            case .timedOut:
                // Stopped first, so the run's work ends as soon as possible (and before observers hear of it).
                gate.cancelRun()
                self.record(
                    ticket, outcome: .failure("timed out after \(DurationFormat.short(ticket.timeout))"),
                    duration: self.clock.now - ticket.startedAt, finished: false)
            case .cancelled:
                gate.cancelRun()
            }
        }
        let cancellation = check.start { result in
            guard !gate.resolve(.finished(Self.outcome(result))) else { return }
            // The run ended earlier (timeout, engine stop): only now has the check returned.
            let pokeLoop = self.schedule.withLock { $0.leaveFlight(ticket.handle) }
            if pokeLoop { self.wakeup.poke() }
        }
        gate.setCancellation(cancellation)
    }

    /// Returns whether the run still has to leave flight (it timed out or was cancelled).
    private func runUntilFirstEnding(_ ticket: RunTicket) async -> Bool {
        async let checkReturned = ticket.gate.resolve(.finished(Self.perform(ticket.check)))
        switch await ticket.gate.wait() {
        case .finished(let outcome):
            // The check has returned: it leaves flight in the same step that records its result,
            // so observers of the result never see it still running.
            record(ticket, outcome: outcome, duration: clock.now - ticket.startedAt, finished: true)
            _ = await checkReturned
            return false
        case .timedOut:
            record(
                ticket, outcome: .failure("timed out after \(DurationFormat.short(ticket.timeout))"),
                duration: clock.now - ticket.startedAt, finished: false)
            // Leaving this scope cancels the check and waits for it to return.
            return true
        case .cancelled:
            return true
        }
    }

    private static func perform(_ check: any Check) async -> RunOutcome {
        do {
            return .success(try await check.run())
        } catch {
            return outcome(.failure(error))
        }
    }

    private static func outcome(_ result: Result<CheckDetails?, any Error>) -> RunOutcome {
        switch result {
        case .success(let details): return .success(details)
        case .failure(let failure as CheckFailure): return .failure(failure.description, immediate: failure.immediate)
        case .failure(let error): return .failure(String(describing: error))
        }
    }

    private func record(_ ticket: RunTicket, outcome: RunOutcome, duration: Duration, finished: Bool) {
        let completedAt = clock.wallNow
        let (update, pokeLoop) = schedule.withLock { state -> ((CheckResult, CheckResult, CheckMetrics?)?, Bool) in
            let pokeLoop = finished ? state.leaveFlight(ticket.handle) : false
            let update = state.update(ticket.handle) { registration -> (CheckResult, CheckResult, CheckMetrics?) in
                let old = registration.result
                let new = old.applying(
                    outcome, completedAt: completedAt, duration: duration, thresholds: registration.options.thresholds)
                registration.result = new
                if ticket.key.kind == .readiness, new.status == .passing {
                    registration.settled = true
                }
                return (old, new, registration.metrics)
            }
            return (update, pokeLoop)
        }
        if pokeLoop { wakeup.poke() }
        guard let (old, new, metrics) = update else { return }
        metrics?.record(new, failed: !outcome.succeeded)
        broadcaster.publish(.completed(ticket.key, new))
        if old.status != new.status {
            configuration.statusObserver?(ticket.key, old.status, new)
            if configuration.logsTransitions { logTransition(ticket.key, from: old.status, to: new) }
            broadcaster.publish(.statusChanged(ticket.key, from: old.status, to: new))
        }
    }

    private func logTransition(_ key: CheckKey, from old: CheckStatus, to new: CheckResult) {
        var metadata: Logger.Metadata = [
            "check": "\(key.name)", "kind": "\(key.kind.rawValue)", "from": "\(old.rawValue)",
            "to": "\(new.status.rawValue)",
        ]
        if let error = new.error { metadata["error"] = "\(error)" }
        if new.isHealthy {
            logger.info("check started passing", metadata: metadata)
        } else if key.kind == .readiness, old == .notYetRun {
            // Readiness checks are expected to fail until startup completes.
            logger.debug("check not ready yet", metadata: metadata)
        } else {
            logger.warning("check started failing", metadata: metadata)
        }
    }
}

/// Compact durations for messages: `5s`, `1.5s`, `250ms`.
public enum DurationFormat {
    public static func short(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds >= 1000 {
            return "\(Double(milliseconds) / 1000)s"
        }
        return "\(milliseconds)ms"
    }
}
