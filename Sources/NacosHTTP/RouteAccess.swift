import Auth
import Hummingbird
import Registry

/// What each Nacos route needs from the caller's token, and where the token is found.
enum RouteAccess: Sendable {
    case open
    case authenticated
    case read
    case write
    case admin

    /// Reads are GETs; server switches are admin; the server's own health is open, as in Nacos.
    static func of(method: HTTPRequest.Method, path: String) -> RouteAccess {
        if path.hasSuffix("/health/server") { return .open }
        if path.hasSuffix("/operator/switches") && method != .get { return .admin }
        if path.contains("/instance/statuses") { return .read }
        return method == .get ? .read : .write
    }

    func requirement(_ p: NacosParameters) -> AccessRequirement {
        switch self {
        case .open: return .open
        case .authenticated: return .authenticated
        case .admin: return .admin
        case .read: return .read(Self.resource(p))
        case .write: return .write(Self.resource(p))
        }
    }

    /// The service a request is about, or its whole namespace (`*`) when it names no service.
    static func resource(_ p: NacosParameters) -> AccessResource {
        if let key = try? p.service() {
            return AccessResource(namespace: key.namespace, group: key.group, service: key.name)
        }
        if let key = p.optional("key"), let range = key.range(of: "##") {
            return AccessResource(namespace: String(key[..<range.lowerBound]))
        }
        return AccessResource(
            namespace: p.optional("namespaceId", "tenant") ?? ServiceKey.defaultNamespace,
            group: p.optional("groupName") ?? "*")
    }

    /// Nacos SDKs send `accessToken` as a parameter; the header and `Authorization: Bearer` work too.
    static func token(_ headers: HTTPFields, _ p: NacosParameters) -> String? {
        if let token = p.optional("accessToken") { return token }
        if let field = headers.first(where: { $0.name.canonicalName == "accesstoken" }), !field.value.isEmpty {
            return field.value
        }
        if let value = headers[.authorization], value.lowercased().hasPrefix("bearer ") {
            return String(value.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

extension Authority {
    /// Checks a Nacos HTTP request; throws an ``AuthError`` (answered 403 by ``NacosError/wrap(_:)``)
    /// when it may not proceed. With auth off it returns at once: no token lookup, no resource parsing.
    func check(_ request: Request, _ p: NacosParameters, _ access: RouteAccess) throws {
        try check(request.headers, p, access)
    }

    func check(_ headers: HTTPFields, _ p: NacosParameters, _ access: RouteAccess) throws {
        guard isEnabled else { return }
        try authorize(token: RouteAccess.token(headers, p), access.requirement(p))
    }
}
