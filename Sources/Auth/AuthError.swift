/// Why an auth operation was refused; adapters map these to Nacos's 403 and 400 answers.
public enum AuthError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No token, a bad token, an expired one, or wrong credentials.
    case unauthenticated(String)
    /// A valid identity without the permission the request needs.
    case forbidden(String)
    case invalid(String)
    case notFound(String)
    case conflict(String)
    case storage(String)
    /// Too many slow operations (logins) at once; try again shortly.
    case busy(String)

    public var description: String {
        switch self {
        case .unauthenticated(let text), .forbidden(let text), .invalid(let text), .notFound(let text),
            .conflict(let text), .storage(let text), .busy(let text):
            return text
        }
    }
}
