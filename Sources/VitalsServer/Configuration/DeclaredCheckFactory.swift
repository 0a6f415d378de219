import HealthChecks
import HealthProbes
import NIOHTTP1

/// Turns operator declarations into engine checks with their options.
struct DeclaredCheckFactory {
    typealias Made = (check: any Check, kind: CheckKind, options: CheckOptions)

    let prober: HTTPProber
    let policy: ProbePolicy

    /// Probe deadline margin: the engine's backstop timeout fires a little after the probe's own,
    /// so the result carries the probe's more precise error.
    static let backstopMargin: Duration = .milliseconds(250)

    func make(_ declaration: CheckDeclaration) throws -> Made {
        let context = "check '\(declaration.name)'"
        let (timeout, options) = try options(for: declaration, context: context)
        let kind = declaration.kind ?? .health
        if declaration.url.lowercased().hasPrefix("dns://") {
            let host = declaration.url.dropFirst("dns://".count).split(separator: "/").first.map(String.init) ?? ""
            guard !host.isEmpty else { throw ConfigurationError("\(context): dns:// needs a host name") }
            return (DNSCheck(name: declaration.name, host: host), kind, options)
        }
        let target: ProbeTarget
        do {
            target = try ProbeTarget(parsing: declaration.url)
        } catch {
            throw ConfigurationError("\(context): \(error)")
        }
        switch target.scheme {
        case .tcp:
            return (TCPCheck(name: declaration.name, target: target, timeout: timeout, policy: policy), kind, options)
        case .grpc:
            // grpc://host:port/service — the path names the health service ("" when absent).
            let service = String(target.pathAndQuery.dropFirst())
            return (
                GRPCHealthCheck(
                    name: declaration.name, target: target, service: service, timeout: timeout, policy: policy),
                kind,
                options
            )
        case .http, .https:
            let configuration = try httpConfiguration(declaration, target: target, timeout: timeout, context: context)
            return (HTTPCheck(name: declaration.name, configuration: configuration, prober: prober), kind, options)
        }
    }

    private func options(for declaration: CheckDeclaration, context: String) throws -> (Duration, CheckOptions) {
        let timeout = try declaration.timeout.map(DurationText.parse) ?? .seconds(5)
        guard timeout > .zero else { throw ConfigurationError("\(context): timeout must be positive") }
        let options = CheckOptions(
            interval: try declaration.interval.map(DurationText.parse) ?? .seconds(10),
            initialDelay: try declaration.initialDelay.map(DurationText.parse) ?? .zero,
            timeout: timeout + Self.backstopMargin,
            tags: Set(declaration.tags ?? []),
            thresholds: Thresholds(
                successesBeforePassing: declaration.rise ?? 1,
                failuresBeforeCritical: declaration.fall ?? 1,
                failuresBeforeWarning: declaration.warnAfter
            )
        )
        do {
            try HealthEngine.validate(options)
        } catch {
            throw ConfigurationError("\(context): \(error)")
        }
        return (timeout, options)
    }

    private func httpConfiguration(
        _ declaration: CheckDeclaration, target: ProbeTarget, timeout: Duration, context: String
    ) throws -> HTTPCheck.Configuration {
        let mode: HTTPProber.ConnectionMode
        switch declaration.mode ?? "keepAlive" {
        case "keepAlive", "keep-alive": mode = .keepAlive
        case "fresh": mode = .fresh
        default: throw ConfigurationError("\(context): mode must be keepAlive or fresh")
        }
        let expected: StatusExpectation
        do {
            expected = try declaration.expectedStatus.map(StatusExpectation.init(parsing:)) ?? .successOrRedirect
        } catch {
            throw ConfigurationError("\(context): \(error)")
        }
        return HTTPCheck.Configuration(
            url: target,
            method: HTTPMethod(rawValue: (declaration.method ?? "GET").uppercased()),
            headers: (declaration.headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            body: declaration.body.map { Array($0.utf8) },
            expectedStatus: expected,
            expectedBody: declaration.expectedBody,
            timeout: timeout,
            mode: mode,
            verifyTLS: declaration.tlsVerify ?? true
        )
    }
}
