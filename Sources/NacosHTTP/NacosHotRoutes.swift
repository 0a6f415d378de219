import Auth
import Hummingbird
import Registry

/// The hottest Nacos routes (client beats, instance lists, health updates) for a fast path that
/// answers on the connection's event loop, without the router, a request context or a task.
///
/// Same parameters, permission checks and bytes as ``NacosRoutes``. Whatever would have to wait
/// (a beat that registers its instance, a persistent instance's health, which is stored first)
/// gets `nil` and is left to the router.
public struct NacosHotRoutes: Sendable {
    /// A matched hot route; `path` names it in metrics, as the router would.
    public struct Route: Sendable {
        enum Kind: Sendable {
            case beat
            case list
            case health
        }

        let kind: Kind
        let version: NacosAPIVersion
        let access: RouteAccess
        public let path: String
    }

    let registry: Registry
    let authority: Authority
    let listCache: ListBodyCache

    /// Longer bodies are left to the router, which refuses them as the slow path does.
    public static let maxBodyBytes = NacosParameters.maxBodyBytes

    private static let routes: [String: (HTTPRequest.Method, Route)] = {
        var table: [String: (HTTPRequest.Method, Route)] = [:]
        for (version, name) in [(NacosAPIVersion.v1, "v1"), (.v2, "v2")] {
            for (method, path, kind) in [
                (HTTPRequest.Method.put, "instance/beat", Route.Kind.beat), (.get, "instance/list", .list),
                (.put, "health", .health), (.put, "health/instance", .health),
            ] {
                let path = "/nacos/\(name)/ns/\(path)"
                table[path] = (
                    method,
                    Route(kind: kind, version: version, access: RouteAccess.of(method: method, path: path), path: path)
                )
            }
        }
        return table
    }()

    /// The route for a request head, or `nil` when it is not a hot one. `path` is the request
    /// target without its query.
    public func match(method: HTTPRequest.Method, path: Substring) -> Route? {
        guard let (routeMethod, route) = Self.routes[String(path)], routeMethod == method else { return nil }
        return route
    }

    /// Whether the request's body holds parameters (and so must be read before answering).
    public func readsBody(_ head: HTTPRequest) -> Bool {
        NacosParameters.takesFormBody(contentType: head.headerFields[.contentType], method: head.method)
    }

    /// The answer, or `nil` when the request must take the router (see the type's comment).
    public func answer(_ route: Route, head: HTTPRequest, query: Substring, body: ByteBuffer?) -> NacosAnswer? {
        let parameters = NacosParameters.parse(query: String(query), formBody: readsBody(head) ? body : nil)
        do {
            try authority.check(head.headerFields, parameters, route.access)
            switch route.kind {
            case .beat:
                let beat = try NacosRoutes.beatRequest(parameters)
                guard let reply = registry.beatIfKnown(service: beat.service, ip: beat.ip, port: beat.port) else {
                    return nil
                }
                return NacosRoutes.beatAnswer(reply)
            case .list:
                return try NacosRoutes.listAnswer(parameters, route.version, registry: registry, cache: listCache)
            case .health:
                let update = try NacosRoutes.healthRequest(parameters)
                let applied = try registry.setEphemeralHealth(
                    service: update.service, ip: update.ip, port: update.port, healthy: update.healthy)
                return applied ? route.version.okAnswer : nil
            }
        } catch {
            return route.version.failureAnswer(NacosError.wrap(error))
        }
    }
}
