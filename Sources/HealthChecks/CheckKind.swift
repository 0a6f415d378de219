/// Which question a check answers, as in AvalancheGo and Kubernetes.
///
/// - `readiness`: has startup finished? Monotonic: once passed, the check stops running.
/// - `health`: is the node operating as expected right now?
/// - `liveness`: is the node broken beyond recovery (restart it)?
public enum CheckKind: String, Sendable, CaseIterable, Hashable, Codable {
    case readiness
    case health
    case liveness
}
