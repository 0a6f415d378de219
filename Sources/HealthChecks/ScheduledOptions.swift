/// The options a registration keeps once it is scheduled, as one record shared by every
/// registration with equal values.
///
/// A registry loads 100,000 instance probes with a handful of distinct settings (one per
/// cluster); an inline `CheckOptions` per registration was ~100 B each. The initial delay and
/// starting state are used only when the check is added, so they are not kept.
final class ScheduledOptions: Sendable {
    let interval: Duration
    let timeout: Duration
    let tags: Set<String>
    let thresholds: Thresholds

    init(_ options: CheckOptions) {
        interval = options.interval
        timeout = options.timeout
        tags = options.tags
        thresholds = options.thresholds
    }

    private struct Values: Hashable {
        let interval: Duration
        let timeout: Duration
        let tags: Set<String>
        let thresholds: Thresholds
    }

    /// Hands out one record per distinct set of values. Bounded: when it holds `capacity`
    /// records it starts over (existing registrations keep theirs; only sharing is lost).
    struct Pool {
        static let capacity = 1024
        private var records: [Values: ScheduledOptions] = [:]

        mutating func record(for options: CheckOptions) -> ScheduledOptions {
            let values = Values(
                interval: options.interval, timeout: options.timeout, tags: options.tags,
                thresholds: options.thresholds)
            if let record = records[values] { return record }
            if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
            let record = ScheduledOptions(options)
            records[values] = record
            return record
        }
    }
}
