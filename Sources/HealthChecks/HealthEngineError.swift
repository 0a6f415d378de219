/// Why a registration was refused.
public enum HealthEngineError: Error, Equatable, CustomStringConvertible, Sendable {
    case emptyName
    case duplicateCheck(CheckKey)
    case restrictedTag(String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .emptyName: return "check name must not be empty"
        case .duplicateCheck(let key): return "duplicate check: \"\(key.name)\" (\(key.kind.rawValue))"
        case .restrictedTag(let tag): return "restricted tag: \"\(tag)\""
        case .invalidOption(let reason): return reason
        }
    }
}
