import HealthChecks
import HealthProbes
import Synchronization

/// A registry TCP probe (Nacos's default cluster checker, one per persistent instance): only its
/// name and address per instance, the rest shared.
///
/// A `TCPCheck` per instance (event loop group, policy, target and timeout) boxed inside a
/// `NacosRulesCheck` box was ~220 B of each persistent instance's memory; this is one 64 B box.
/// The `TCPCheck` is made per run instead, on the stack.
struct RegistryTCPProbe: Check {
    let name: String
    let host: String
    let port: Int
    let settings: TCPProbeSettings

    func run() async throws -> CheckDetails? {
        let check = TCPCheck(
            name: name, target: ProbeTarget(scheme: .tcp, host: host, port: port), timeout: settings.timeout,
            policy: settings.policy)
        guard settings.nacosFailureRules else { return try await check.run() }
        do {
            return try await check.run()
        } catch {
            throw NacosRulesCheck<TCPCheck>.verdict(error)
        }
    }
}

/// What registry TCP probes of equal settings share.
final class TCPProbeSettings: Sendable {
    let timeout: Duration
    let policy: ProbePolicy
    let nacosFailureRules: Bool

    init(timeout: Duration, policy: ProbePolicy, nacosFailureRules: Bool) {
        self.timeout = timeout
        self.policy = policy
        self.nacosFailureRules = nacosFailureRules
    }

    /// One record per distinct timeout and rule set (a handful: one per cluster setting).
    /// Bounded: past `capacity` records it starts over, which only loses sharing.
    final class Pool: Sendable {
        static let capacity = 256
        private struct Key: Hashable {
            let timeout: Duration
            let nacosFailureRules: Bool
        }
        private let records = Mutex<[Key: TCPProbeSettings]>([:])

        func settings(timeout: Duration, nacosFailureRules: Bool, policy: ProbePolicy) -> TCPProbeSettings {
            let key = Key(timeout: timeout, nacosFailureRules: nacosFailureRules)
            return records.withLock { records in
                if let record = records[key] { return record }
                if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
                let record = TCPProbeSettings(timeout: timeout, policy: policy, nacosFailureRules: nacosFailureRules)
                records[key] = record
                return record
            }
        }
    }
}
