/// Reserved tags with AvalancheGo's meaning.
public enum CheckTag {
    /// Every check implicitly carries it; asking for it selects everything. Cannot be set by hand.
    public static let all = "all"
    /// Checks with this tag belong to the whole application and are part of every tagged report.
    public static let application = "application"
}

/// A consistent snapshot of the checks selected by a query.
public struct HealthReport: Sendable {
    public struct Entry: Sendable {
        public let key: CheckKey
        public let tags: Set<String>
        public let result: CheckResult
    }

    /// Selected checks, sorted by kind then name, for stable output.
    public let entries: [Entry]

    /// True when every selected check is passing or warning (true for an empty selection).
    public var healthy: Bool { entries.allSatisfy { $0.result.isHealthy } }

    public init(entries: [Entry]) {
        self.entries = entries.sorted {
            ($0.key.kind.sortOrder, $0.key.name) < ($1.key.kind.sortOrder, $1.key.name)
        }
    }

    /// Results keyed by name, for single-kind reports (the AvalancheGo shape).
    public var resultsByName: [String: CheckResult] {
        Dictionary(entries.map { ($0.key.name, $0.result) }, uniquingKeysWith: { first, _ in first })
    }
}

extension CheckKind {
    var sortOrder: Int {
        switch self {
        case .readiness: return 0
        case .health: return 1
        case .liveness: return 2
        }
    }
}

/// Tag selection: no tags (or `all`) selects every check; otherwise the union of checks
/// carrying any requested tag, plus every `application` check.
struct TagSelector {
    let requested: Set<String>

    func selects(_ tags: Set<String>) -> Bool {
        if requested.isEmpty || requested.contains(CheckTag.all) { return true }
        if tags.contains(CheckTag.application) { return true }
        return !tags.isDisjoint(with: requested)
    }
}
