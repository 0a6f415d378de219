/// Identifies a check: names are unique per kind.
public struct CheckKey: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let kind: CheckKind

    public init(name: String, kind: CheckKind) {
        self.name = name
        self.kind = kind
    }

    public var description: String { "\(kind.rawValue)/\(name)" }
}

/// Something that happened to a check, delivered to every ``HealthEngine/events(bufferSize:)`` subscriber.
public enum HealthEvent: Sendable {
    /// A check was registered; carries its initial result.
    case registered(CheckKey, CheckResult)
    /// A check was removed and will not run again.
    case deregistered(CheckKey)
    /// A run started, at the engine clock's monotonic time `at`.
    case started(CheckKey, at: Duration)
    /// A run completed (or timed out) and its result was recorded.
    case completed(CheckKey, CheckResult)
    /// A scheduled run was skipped because the previous one was still going.
    case skipped(CheckKey, totalSkipped: Int)
    /// The check's status changed.
    case statusChanged(CheckKey, from: CheckStatus, to: CheckResult)

    public var key: CheckKey {
        switch self {
        case .registered(let key, _), .deregistered(let key), .started(let key, _), .completed(let key, _),
            .skipped(let key, _), .statusChanged(let key, _, _):
            return key
        }
    }
}
