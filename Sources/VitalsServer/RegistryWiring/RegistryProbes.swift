import HealthChecks
import HealthProbes
import NIOHTTP1
import Registry

/// Makes the registry's instance probes from HealthProbes' network checks.
struct RegistryProbes: ProbeFactory {
    let prober: HTTPProber
    let policy: ProbePolicy
    private let tcpSettings = TCPProbeSettings.Pool()

    func makeCheck(name: String, spec: ProbeSpec) -> any Check {
        switch spec.kind {
        case .tcp:
            return RegistryTCPProbe(
                name: name, host: spec.host, port: spec.port,
                settings: tcpSettings.settings(
                    timeout: spec.timeout, nacosFailureRules: spec.nacosFailureRules, policy: policy))
        case .http(let scheme, let path, let headers, let expectedStatus):
            let expectation = (try? StatusExpectation(parsing: expectedStatus)) ?? .successOrRedirect
            let configuration = HTTPCheck.Configuration(
                url: ProbeTarget(
                    scheme: scheme == "https" ? .https : .http, host: spec.host, port: spec.port, pathAndQuery: path),
                headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                expectedStatus: expectation,
                timeout: spec.timeout,
                mode: spec.freshConnection ? .fresh : .keepAlive,
                verifyTLS: false)
            let http = HTTPCheck(name: name, configuration: configuration, prober: prober)
            return spec.nacosFailureRules ? NacosRulesCheck(inner: http) as any Check : http
        case .grpc(let service):
            return GRPCHealthCheck(
                name: name, target: ProbeTarget(scheme: .grpc, host: spec.host, port: spec.port), service: service,
                timeout: spec.timeout, policy: policy)
        }
    }
}

/// Nacos's cluster-checker verdicts: a refused connection or an unexpected status fails at once;
/// timeouts, 503 and 302 are soft failures that count towards the threshold.
struct NacosRulesCheck<Inner: Check>: Check {
    let inner: Inner

    var name: String { inner.name }

    func run() async throws -> CheckDetails? {
        do {
            return try await inner.run()
        } catch {
            throw Self.verdict(error)
        }
    }

    static func verdict(_ error: any Error) -> any Error {
        guard let error = error as? ProbeError else { return error }
        switch error {
        case .timedOut, .unexpectedStatus(503, _), .unexpectedStatus(302, _), .connectionClosed:
            return CheckFailure(error.description)
        default:
            return CheckFailure(error.description, immediate: true)
        }
    }
}

/// HTTP checks keep running without a task of their own under the Nacos rules.
extension NacosRulesCheck: CallbackCheck where Inner: CallbackCheck {
    func start(_ completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void) -> (any RunCancellation)? {
        inner.start { result in completion(result.mapError { Self.verdict($0) }) }
    }
}
