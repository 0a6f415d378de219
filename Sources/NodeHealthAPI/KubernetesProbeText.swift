import HealthChecks

/// The plain-text `/livez` and `/readyz` bodies of the Kubernetes API server.
///
/// Success is `ok` (or the check list with `?verbose`); failure always lists every check.
/// Reasons are withheld, as Kubernetes does on these public endpoints; the JSON routes show them.
struct KubernetesProbeText {
    let endpoint: String
    let report: HealthReport
    let excluded: Set<String>
    let verbose: Bool

    var healthy: Bool {
        report.entries.allSatisfy { excluded.contains($0.key.name) || $0.result.isHealthy }
    }

    var body: String {
        let healthy = self.healthy
        guard verbose || !healthy else { return "ok" }
        var lines: [String] = []
        var seen = Set<String>()
        for entry in report.entries where seen.insert(entry.key.name).inserted {
            let name = entry.key.name
            if excluded.contains(name) {
                lines.append("[+]\(name) excluded: ok")
            } else if entry.result.isHealthy {
                lines.append("[+]\(name) ok")
            } else {
                lines.append("[-]\(name) failed: reason withheld")
            }
        }
        let unknown = excluded.subtracting(seen).sorted()
        if !unknown.isEmpty {
            let quoted = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            lines.append("warn: some health checks cannot be excluded: no matches for \(quoted)")
        }
        lines.append(healthy ? "\(endpoint) check passed" : "\(endpoint) check failed")
        return lines.joined(separator: "\n") + "\n"
    }
}
