import Foundation

/// Every input to an instance's health, kept apart so each can change without erasing the others.
///
/// Healthy = (server check result, or the registered flag while there is none) and not marked
/// down by hand and beats not expired and the declared check (if any) passing.
public struct InstanceHealth: Sendable, Equatable {
    public var registered: Bool
    /// Ephemeral instances: no beat within the timeout.
    public var beatExpired = false
    /// The cluster checker's verdict (persistent instances); `nil` while there is none.
    public var serverCheck: Bool?
    /// The verdict of the check the instance declared in `vitals.check.*` metadata.
    public var declaredCheck: Bool?
    /// Set by `PUT …/health/instance` with `healthy=false`, cleared by `healthy=true`.
    public var manualDown = false

    public init(registered: Bool) {
        self.registered = registered
    }

    public var healthy: Bool {
        (serverCheck ?? registered) && !manualDown && !beatExpired && (declaredCheck ?? true)
    }
}

/// Why an instance's health changed.
public enum HealthCause: Sendable, Equatable, CustomStringConvertible {
    case registered
    case beatReceived
    case beatExpired(after: Duration)
    case checkFailed(check: String, error: String)
    case checkPassed(check: String)
    case manual(healthy: Bool)
    case removed(reason: String)

    public var description: String {
        switch self {
        case .registered: return "registered"
        case .beatReceived: return "beat received"
        case .beatExpired(let after): return "no beat for \(after)"
        case .checkFailed(let check, let error): return "\(check) check failed: \(error)"
        case .checkPassed(let check): return "\(check) check passed"
        case .manual(let healthy): return "set \(healthy ? "healthy" : "unhealthy") by hand"
        case .removed(let reason): return "removed: \(reason)"
        }
    }
}

/// One health change of one instance.
public struct HealthTransition: Sendable {
    public let instance: InstanceKey
    public let from: Bool?
    /// `nil` when the instance was removed.
    public let to: Bool?
    public let cause: HealthCause
    public let at: Date
}

/// The last few transitions of an instance, oldest first.
struct TransitionHistory: Sendable {
    static let capacity = 16
    private(set) var items: [HealthTransition] = []

    mutating func append(_ transition: HealthTransition) {
        if items.count == Self.capacity { items.removeFirst() }
        items.append(transition)
    }
}
