import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs named checks on a schedule and keeps their latest results.
///
/// One engine holds any number of checks (100,000 is a tested size) on a single deadline heap
/// driven by one loop; each run is a child task of ``run()``, so cancelling `run()` stops everything.
/// Conforms to `Service` so a `ServiceGroup` can start and stop it with the rest of a server.
public final class HealthEngine: Service, Sendable {
    /// Engine-wide settings.
    public struct Configuration: Sendable {
        /// Runs allowed in flight at once; due runs wait beyond it, bounding memory under bursts.
        public var maxConcurrentRuns: Int
        /// Whether each check gets its own swift-metrics instruments.
        public var perCheckMetrics: Bool

        /// Deadlines are rounded up to this step so that runs due close together start in one
        /// wake-up of the loop instead of one wake-up each.
        public var timerResolution: Duration

        /// Called synchronously on every status change, before the change is published as an
        /// event: a lossless hook for owners that must never miss a transition (events may be
        /// dropped by a slow subscriber). Must be quick and must not call back into the engine.
        public var statusObserver: (@Sendable (CheckKey, CheckStatus, CheckResult) -> Void)?
        /// Whether status changes are logged (node checks: yes; thousands of registry instances: no).
        public var logsTransitions: Bool

        public init(
            maxConcurrentRuns: Int = 4096, perCheckMetrics: Bool = true, timerResolution: Duration = .milliseconds(1),
            statusObserver: (@Sendable (CheckKey, CheckStatus, CheckResult) -> Void)? = nil,
            logsTransitions: Bool = true
        ) {
            self.maxConcurrentRuns = maxConcurrentRuns
            self.perCheckMetrics = perCheckMetrics
            self.timerResolution = timerResolution
            self.statusObserver = statusObserver
            self.logsTransitions = logsTransitions
        }
    }

    let clock: any EngineClock
    let configuration: Configuration
    let logger: Logger
    let schedule = Mutex(Schedule())
    let wakeup = Wakeup()
    let broadcaster = EventBroadcaster<HealthEvent>()

    public init(
        clock: any EngineClock = SystemClock(),
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "vitals.health")
    ) {
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Registration

    /// Adds a check; its first run comes after `options.initialDelay`.
    ///
    /// Throws for an empty name, a name already used by a check of the same kind,
    /// the reserved tag `all`, or a non-positive interval or timeout.
    public func register(_ check: any Check, kind: CheckKind = .health, options: CheckOptions = CheckOptions()) throws {
        let key = CheckKey(name: check.name, kind: kind)
        try Self.validate(key: key, options: options)
        let now = clock.now
        let metrics = configuration.perCheckMetrics ? CheckMetrics(key: key) : nil
        let initial = CheckResult.initial(passing: options.initiallyPassing)
        let pokeLoop = try schedule.withLock { state -> Bool in
            guard !state.contains(key) else { throw HealthEngineError.duplicateCheck(key) }
            let deadline = now + options.initialDelay
            state.add(key: key, check: check, options: options, metrics: metrics, initial: initial, firstRun: deadline)
            guard state.loopSleeping else { return false }
            if let loopDeadline = state.loopDeadline, loopDeadline <= deadline { return false }
            state.loopDeadline = deadline
            return true
        }
        if pokeLoop { wakeup.poke() }
        metrics?.passing.record(initial.isHealthy ? 1 : 0)
        broadcaster.publish(.registered(key, initial))
    }

    /// Registers a closure as a check.
    public func register(
        _ name: String,
        kind: CheckKind = .health,
        options: CheckOptions = CheckOptions(),
        _ body: @escaping @Sendable () async throws -> CheckDetails?
    ) throws {
        try register(ClosureCheck(name, body), kind: kind, options: options)
    }

    /// Removes a check. A run in progress finishes, but its result is discarded.
    @discardableResult
    public func deregister(_ name: String, kind: CheckKind = .health) -> Bool {
        let key = CheckKey(name: name, kind: kind)
        let removed = schedule.withLock { $0.remove(key) }
        guard let removed else { return false }
        removed.metrics?.destroy()
        broadcaster.publish(.deregistered(key))
        return true
    }

    static func validate(key: CheckKey, options: CheckOptions) throws {
        if key.name.isEmpty { throw HealthEngineError.emptyName }
        try validate(options)
    }

    /// Checks options without registering anything, so callers can report mistakes early.
    public static func validate(_ options: CheckOptions) throws {
        if options.tags.contains(CheckTag.all) { throw HealthEngineError.restrictedTag(CheckTag.all) }
        if options.interval <= .zero { throw HealthEngineError.invalidOption("interval must be greater than 0") }
        if options.timeout <= .zero { throw HealthEngineError.invalidOption("timeout must be greater than 0") }
        if options.initialDelay < .zero { throw HealthEngineError.invalidOption("initial delay must not be negative") }
        let thresholds = options.thresholds
        if thresholds.successesBeforePassing < 1 || thresholds.failuresBeforeCritical < 1 {
            throw HealthEngineError.invalidOption("thresholds must be at least 1")
        }
        if let warn = thresholds.failuresBeforeWarning, warn < 1 || warn > thresholds.failuresBeforeCritical {
            throw HealthEngineError.invalidOption(
                "failures before warning must be between 1 and failures before critical")
        }
    }

    // MARK: Reading results

    /// The latest result of one check.
    public func result(for name: String, kind: CheckKind = .health) -> CheckResult? {
        schedule.withLock { state in
            state.registration(for: CheckKey(name: name, kind: kind))?.result
        }
    }

    /// How many scheduled runs of a check were skipped because the previous run was still going.
    public func skippedRuns(for name: String, kind: CheckKind = .health) -> Int? {
        schedule.withLock { state in
            state.registration(for: CheckKey(name: name, kind: kind))?.skipped
        }
    }

    /// Checks of the given kinds selected by `tags` (see ``TagSelector``).
    public func report(kinds: Set<CheckKind>, tags: [String] = []) -> HealthReport {
        let selector = TagSelector(requested: Set(tags))
        let entries = schedule.withLock { state in
            state.registrations.compactMap { registration -> HealthReport.Entry? in
                guard kinds.contains(registration.key.kind), selector.selects(registration.options.tags) else {
                    return nil
                }
                return HealthReport.Entry(
                    key: registration.key, tags: registration.options.tags, result: registration.result)
            }
        }
        return HealthReport(entries: entries)
    }

    /// Checks of one kind selected by `tags`.
    public func report(kind: CheckKind, tags: [String] = []) -> HealthReport {
        report(kinds: [kind], tags: tags)
    }

    /// A stream of every event from now on. Each subscriber keeps at most `bufferSize` unread events.
    public func events(bufferSize: Int = 1024) -> AsyncStream<HealthEvent> {
        broadcaster.subscribe(bufferSize: bufferSize)
    }

    /// Scheduler counters and start-lateness percentiles over recent runs.
    public func stats() -> SchedulerStats {
        schedule.withLock { state in
            SchedulerStats(
                runsStarted: state.runsStarted,
                runsSkipped: state.runsSkipped,
                runsInFlight: state.inFlight,
                registeredChecks: state.count,
                latenessP50: state.lateness.percentile(0.5),
                latenessP99: state.lateness.percentile(0.99),
                latenessMax: state.lateness.maximum
            )
        }
    }
}
