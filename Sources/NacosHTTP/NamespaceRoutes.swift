import Auth
import Foundation
import Hummingbird
import Registry

/// `/nacos/v1/console/namespaces`: list, create, update, delete namespaces.
struct NamespaceRoutes: Sendable {
    let registry: Registry
    let authority: Authority

    struct NamespaceJSON: Encodable, Sendable {
        let namespace: String
        let namespaceShowName: String
        let namespaceDesc: String
        let quota = 200
        let configCount = 0
        let type: Int

        init(_ namespace: Namespace) {
            self.namespace = namespace.id
            namespaceShowName = namespace.name
            namespaceDesc = namespace.description
            type = namespace.id == ServiceKey.defaultNamespace ? 0 : 2
        }
    }

    struct RestResult<T: Encodable & Sendable>: Encodable, Sendable {
        let code: Int
        let message: String?
        let data: T
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        let path: RouterPath = "/nacos/v1/console/namespaces"
        router.get(path) { request, _ -> Response in
            let parameters: NacosParameters
            do {
                parameters = try await NacosParameters.from(request)
                try authority.check(request, parameters, .authenticated)
            } catch {
                return NacosAPIVersion.v1.failure(NacosError.wrap(error))
            }
            if let id = parameters.optional("namespaceId") {
                guard let namespace = registry.namespaces().first(where: { $0.id == id }) else {
                    return NacosResponse.text("namespace \(id) does not exist", status: .notFound)
                }
                return NacosResponse.json(NamespaceJSON(namespace))
            }
            return NacosResponse.json(
                RestResult(code: 200, message: nil, data: registry.namespaces().map(NamespaceJSON.init)))
        }
        router.post(path) { request, _ in
            await answer(request) { p in
                let id = p.optional("customNamespaceId") ?? UUID().uuidString.lowercased()
                try await registry.createNamespace(
                    Namespace(
                        id: id, name: try p.required("namespaceName"), description: p.optional("namespaceDesc") ?? ""))
            }
        }
        router.put(path) { request, _ in
            await answer(request) { p in
                try await registry.updateNamespace(
                    Namespace(
                        id: try p.required("namespace"), name: try p.required("namespaceShowName"),
                        description: p.optional("namespaceDesc") ?? ""))
            }
        }
        router.delete(path) { request, _ in
            await answer(request) { p in try await registry.deleteNamespace(try p.required("namespaceId")) }
        }
    }

    /// Nacos answers these with `true`; Vitals answers refusals with the status and reason instead of `false`.
    private func answer(_ request: Request, _ body: (NacosParameters) async throws -> Void) async -> Response {
        do {
            let parameters = try await NacosParameters.from(request)
            try authority.check(request, parameters, .admin)
            try await body(parameters)
            return NacosResponse.json(true)
        } catch {
            return NacosAPIVersion.v1.failure(NacosError.wrap(error))
        }
    }
}
