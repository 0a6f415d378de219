/// One check to add with ``HealthEngine/register(contentsOf:)``.
public struct CheckRegistration: Sendable {
    public var check: any Check
    public var kind: CheckKind
    public var options: CheckOptions

    public init(_ check: any Check, kind: CheckKind = .health, options: CheckOptions = CheckOptions()) {
        self.check = check
        self.kind = kind
        self.options = options
    }
}

extension HealthEngine {
    /// Adds many checks in one pass, as ``register(_:kind:options:)`` would one by one: each
    /// first runs after its own `options.initialDelay`.
    ///
    /// One lock round for the lot, and the run heap is rebuilt once (O(n)) instead of one
    /// O(log n) insertion per check: a registry restart registers 100,000 probes at once.
    /// Checks that ``register(_:kind:options:)`` would refuse (a bad option, a duplicate name,
    /// also within `registrations`) are skipped and returned with the error.
    @discardableResult
    public func register(contentsOf registrations: [CheckRegistration]) -> [(CheckKey, any Error)] {
        var refused: [(CheckKey, any Error)] = []
        var accepted: [(key: CheckKey, registration: CheckRegistration, metrics: CheckMetrics?, initial: CheckResult)] =
            []
        accepted.reserveCapacity(registrations.count)
        for registration in registrations {
            let key = CheckKey(name: registration.check.name, kind: registration.kind)
            do {
                try Self.validate(key: key, options: registration.options)
            } catch {
                refused.append((key, error))
                continue
            }
            let initial = CheckResult.initial(passing: registration.options.initiallyPassing)
            accepted.append((key, registration, configuration.perCheckMetrics ? CheckMetrics(key: key) : nil, initial))
        }
        let now = clock.now
        let (placed, pokeLoop) = schedule.withLock { state -> ([Bool], Bool) in
            var placed: [Bool] = []
            var deadlines: [Deadline] = []
            placed.reserveCapacity(accepted.count)
            deadlines.reserveCapacity(accepted.count)
            for item in accepted {
                guard !state.contains(item.key) else {
                    placed.append(false)
                    continue
                }
                let handle = state.place(
                    key: item.key, check: item.registration.check, options: item.registration.options,
                    metrics: item.metrics, initial: item.initial)
                deadlines.append(Deadline(at: now + item.registration.options.initialDelay, handle: handle, serial: 0))
                placed.append(true)
            }
            state.runs.insert(contentsOf: deadlines)
            guard state.loopSleeping, let earliest = deadlines.min()?.at else { return (placed, false) }
            if let loopDeadline = state.loopDeadline, loopDeadline <= earliest { return (placed, false) }
            state.loopDeadline = earliest
            return (placed, true)
        }
        if pokeLoop { wakeup.poke() }
        for (item, wasPlaced) in zip(accepted, placed) {
            guard wasPlaced else {
                refused.append((item.key, HealthEngineError.duplicateCheck(item.key)))
                continue
            }
            item.metrics?.passing.record(item.initial.isHealthy ? 1 : 0)
            broadcaster.publish(.registered(item.key, item.initial))
        }
        return refused
    }
}
