/// How late runs start relative to their scheduled time, kept in a fixed-size ring buffer.
public struct SchedulerStats: Sendable {
    public var runsStarted: Int
    public var runsSkipped: Int
    public var runsInFlight: Int
    public var registeredChecks: Int
    public var latenessP50: Duration
    public var latenessP99: Duration
    public var latenessMax: Duration
}

struct LatenessRecorder {
    private var samples: [Duration] = []
    private var cursor = 0
    private let capacity: Int
    private(set) var maximum: Duration = .zero

    init(capacity: Int = 8192) {
        self.capacity = capacity
        samples.reserveCapacity(capacity)
    }

    mutating func record(_ lateness: Duration) {
        if samples.count < capacity {
            samples.append(lateness)
        } else {
            samples[cursor] = lateness
            cursor = (cursor + 1) % capacity
        }
        if lateness > maximum { maximum = lateness }
    }

    func percentile(_ p: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
        return sorted[index]
    }
}
