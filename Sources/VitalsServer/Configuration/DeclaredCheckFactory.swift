import HealthChecks
import HealthProbes
import NIOHTTP1

/// Turns operator declarations into engine checks with their options.
struct DeclaredCheckFactory {
    let prober: HTTPProber

    /// Probe deadline margin: the engine's backstop timeout fires a little after the probe's own,
    /// so the result carries the probe's more precise error.
    static let backstopMargin: Duration = .milliseconds(250)

    func make(_ declaration: CheckDeclaration) throws -> (check: any Check, kind: CheckKind, options: CheckOptions) {
        let context = "check '\(declaration.name)'"
        let target: ProbeTarget
        do {
            target = try ProbeTarget(parsing: declaration.url)
        } catch {
            throw ConfigurationError("\(context): \(error)")
        }
        let timeout = try declaration.timeout.map(DurationText.parse) ?? .seconds(5)
        guard timeout > .zero else { throw ConfigurationError("\(context): timeout must be positive") }
        var options = CheckOptions(
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
        options.initiallyPassing = false
        do {
            try HealthEngine.validate(options)
        } catch {
            throw ConfigurationError("\(context): \(error)")
        }
        let kind = declaration.kind ?? .health
        switch target.scheme {
        case .tcp:
            return (TCPCheck(name: declaration.name, target: target, timeout: timeout), kind, options)
        case .http, .https:
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
            let configuration = HTTPCheck.Configuration(
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
            return (HTTPCheck(name: declaration.name, configuration: configuration, prober: prober), kind, options)
        }
    }
}
