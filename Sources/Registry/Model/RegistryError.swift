/// Why a registry operation was refused, in terms the adapters map to Nacos's codes.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A malformed or out-of-range parameter (400, v2 code 20002 or a more specific one).
    case invalidParameter(String)
    case invalidWeight(String)
    case invalidMetadata(String)
    case invalidInstance(String)
    case instanceNotFound(String)
    case serviceNotFound(String)
    case serviceAlreadyExists(String)
    case serviceNotEmpty(String)
    /// Ephemeral/persistent mismatch between an instance and its service.
    case conflict(String)
    case namespaceNotFound(String)
    case namespaceAlreadyExists(String)
    /// The store refused the write; nothing was applied.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidParameter(let message), .invalidWeight(let message), .invalidMetadata(let message),
            .invalidInstance(let message), .instanceNotFound(let message), .serviceNotFound(let message),
            .serviceAlreadyExists(let message), .serviceNotEmpty(let message), .conflict(let message),
            .namespaceNotFound(let message), .namespaceAlreadyExists(let message), .storage(let message):
            return message
        }
    }
}
