import Auth
import Foundation
import Hummingbird
import NacosWire

/// Nacos's auth API: login (both paths SDKs use) and the admin's users, roles and permissions.
struct AuthRoutes: Sendable {
    let authority: Authority

    func register<Context: RequestContext>(on router: Router<Context>) {
        for path in ["/nacos/v1/auth/login", "/nacos/v1/auth/users/login"] {
            router.post(RouterPath(path)) { request, _ in await login(request) }
        }
        let users: RouterPath = "/nacos/v1/auth/users"
        router.get(users) { request, _ in
            await answer(request, .admin) { p in
                let names = authority.users()
                return try page(p, names) { ["username": $0] }
            }
        }
        router.post(users) { request, _ in
            await answer(request, .admin) { p in
                try await authority.createUser(try p.required("username"), password: try p.required("password"))
                return result("create user ok!")
            }
        }
        router.put(users) { request, _ in
            await answer(request, .authenticated) { p in
                let username = try p.required("username")
                try requireAdminOrSelf(request, p, username)
                try await authority.changePassword(username, to: try p.required("newPassword"))
                return result("update user ok!")
            }
        }
        router.delete(users) { request, _ in
            await answer(request, .admin) { p in
                try await authority.deleteUser(try p.required("username"))
                return result("delete user ok!")
            }
        }
        registerRoles(on: router)
        registerPermissions(on: router)
    }

    private func registerRoles<Context: RequestContext>(on router: Router<Context>) {
        let roles: RouterPath = "/nacos/v1/auth/roles"
        router.get(roles) { request, _ in
            await answer(request, .admin) { p in
                let bindings = authority.roleBindings(username: p.optional("username"), role: p.optional("role"))
                return try page(p, bindings) { ["role": $0.role, "username": $0.username] }
            }
        }
        router.post(roles) { request, _ in
            await answer(request, .admin) { p in
                try await authority.bindRole(try p.required("role"), to: try p.required("username"))
                return result("add role ok!")
            }
        }
        router.delete(roles) { request, _ in
            await answer(request, .admin) { p in
                let username = try p.required("username")
                try await authority.unbindRole(try p.required("role"), from: username)
                return result("delete role of user \(username) ok!")
            }
        }
    }

    private func registerPermissions<Context: RequestContext>(on router: Router<Context>) {
        let permissions: RouterPath = "/nacos/v1/auth/permissions"
        router.get(permissions) { request, _ in
            await answer(request, .admin) { p in
                try page(p, authority.permissions(role: p.optional("role"))) {
                    ["role": $0.role, "resource": $0.resource, "action": $0.action.rawValue]
                }
            }
        }
        router.post(permissions) { request, _ in
            await answer(request, .admin) { p in
                try await authority.addPermission(try permission(p))
                return result("add permission ok!")
            }
        }
        router.delete(permissions) { request, _ in
            await answer(request, .admin) { p in
                try await authority.removePermission(try permission(p))
                return result("delete permission ok!")
            }
        }
    }

    /// Nacos's login answer. With auth off, any login succeeds with an empty token, so SDKs
    /// configured with credentials keep working against a local server.
    private func login(_ request: Request) async -> Response {
        do {
            let p = try await NacosParameters.from(request)
            let username = try p.required("username")
            let password = try p.required("password")
            guard authority.isEnabled else {
                return loginJSON(token: "", ttl: authority.configuration.tokenTTLSeconds, admin: true, username)
            }
            let issued = try authority.login(username: username, password: password)
            return loginJSON(
                token: issued.accessToken, ttl: issued.tokenTTLSeconds, admin: issued.globalAdmin, issued.username)
        } catch {
            return NacosAPIVersion.v1.failure(NacosError.wrap(error))
        }
    }

    private func loginJSON(token: String, ttl: Int, admin: Bool, _ username: String) -> Response {
        var writer = JSONWriter(capacity: 320)
        writer.object { w in
            w.key("accessToken")
            w.value(token)
            w.key("tokenTtl")
            w.value(ttl)
            w.key("globalAdmin")
            w.value(admin)
            w.key("username")
            w.value(username)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    private func requireAdminOrSelf(_ request: Request, _ p: NacosParameters, _ username: String) throws {
        guard authority.isEnabled else { return }
        let identity = try authority.authenticate(RouteAccess.token(request.headers, p))
        guard identity.isAdmin || identity.username == username else {
            throw AuthError.forbidden("authorization failed! only an admin may change another user's password")
        }
    }

    private func permission(_ p: NacosParameters) throws -> Permission {
        let text = try p.required("action")
        guard let action = AccessAction(rawValue: text) else {
            throw NacosError.invalid("Param 'action' must be r, w or rw, got '\(text)'")
        }
        return Permission(role: try p.required("role"), resource: try p.required("resource"), action: action)
    }

    /// Management calls need auth on: with it off there are no users to manage.
    private func answer(
        _ request: Request, _ access: RouteAccess, _ body: (NacosParameters) async throws -> Response
    ) async -> Response {
        do {
            let p = try await NacosParameters.from(request)
            guard authority.isEnabled else {
                throw NacosError.invalid("auth is disabled; enable it (auth.enabled) to manage users")
            }
            try authority.check(request, p, access)
            return try await body(p)
        } catch {
            return NacosAPIVersion.v1.failure(NacosError.wrap(error))
        }
    }

    /// Nacos's `RestResult` for management writes: `{"code":200,"message":null,"data":"…"}`.
    private func result(_ text: String) -> Response {
        NacosResponse.json(RestResultJSON(code: 200, message: nil, data: text))
    }

    /// Nacos's `Page`: `pageNo` from 1, `pageSize` up to 500.
    private func page<T>(_ p: NacosParameters, _ items: [T], _ row: (T) -> [String: String]) throws -> Response {
        let number = try p.int("pageNo", default: 1)
        let size = try p.int("pageSize", default: 100)
        guard number >= 1, (1...500).contains(size) else {
            throw NacosError.invalid("pageNo must be at least 1 and pageSize 1-500")
        }
        let start = min((number - 1) * size, items.count)
        let slice = items[start..<min(start + size, items.count)].map(row)
        return NacosResponse.json(
            PageJSON(
                totalCount: items.count, pageNumber: number,
                pagesAvailable: (items.count + size - 1) / size, pageItems: Array(slice)))
    }
}

struct RestResultJSON: Encodable, Sendable {
    let code: Int
    let message: String?
    let data: String
}

struct PageJSON: Encodable, Sendable {
    let totalCount: Int
    let pageNumber: Int
    let pagesAvailable: Int
    let pageItems: [[String: String]]
}
