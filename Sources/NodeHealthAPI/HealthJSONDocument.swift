import HealthChecks

/// The `application/health+json` rendering (draft-inadarei-api-health-check-06).
struct HealthJSONDocument: Encodable {
    static let mediaType = "application/health+json"

    struct Component: Encodable {
        let componentId: String
        let componentType = "component"
        let status: String
        let time: String
        let output: String?
        let observedValue: EncodableBox?
        let observedUnit: String?
        let tags: [String]?
    }

    let status: String
    let description: String
    let checks: [String: [Component]]

    init(report: HealthReport, description: String) {
        var checks: [String: [Component]] = [:]
        var anyWarning = false
        for entry in report.entries {
            let result = entry.result
            let status: String
            switch result.status {
            case .passing: status = "pass"
            case .warning:
                status = "warn"
                anyWarning = true
            case .critical, .notYetRun: status = "fail"
            }
            let component = Component(
                componentId: entry.key.name,
                status: status,
                time: RFC3339.format(result.timestamp),
                output: result.status == .passing ? nil : result.error,
                observedValue: result.details.map(EncodableBox.init),
                observedUnit: nil,
                tags: entry.tags.isEmpty ? nil : entry.tags.sorted()
            )
            checks[entry.key.name, default: []].append(component)
        }
        self.status = report.healthy ? (anyWarning ? "warn" : "pass") : "fail"
        self.description = description
        self.checks = checks
    }
}
