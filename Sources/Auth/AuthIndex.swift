/// Users, role bindings and permissions in memory, indexed for per-request checks.
struct AuthIndex: Sendable {
    var users: [String: User] = [:]
    var rolesByUser: [String: Set<String>] = [:]
    var permissionsByRole: [String: Set<Permission>] = [:]

    init(_ snapshot: AuthSnapshot) {
        for user in snapshot.users { users[user.username] = user }
        for binding in snapshot.roles { rolesByUser[binding.username, default: []].insert(binding.role) }
        for permission in snapshot.permissions { permissionsByRole[permission.role, default: []].insert(permission) }
    }

    var roleBindings: [RoleBinding] {
        rolesByUser.flatMap { user, roles in roles.map { RoleBinding(role: $0, username: user) } }
            .sorted { ($0.role, $0.username) < ($1.role, $1.username) }
    }

    func roleExists(_ role: String) -> Bool {
        rolesByUser.values.contains { $0.contains(role) }
    }

    func isAdmin(_ username: String) -> Bool {
        rolesByUser[username]?.contains(Authority.adminRole) ?? false
    }

    func allows(_ username: String, _ action: AccessAction, on resource: AccessResource) -> Bool {
        for role in rolesByUser[username] ?? [] {
            for permission in permissionsByRole[role] ?? [] where permission.grants(action, on: resource) {
                return true
            }
        }
        return false
    }

    mutating func apply(_ change: AuthChange) {
        switch change {
        case .saveUser(let user):
            users[user.username] = user
        case .deleteUser(let name):
            users[name] = nil
            rolesByUser[name] = nil
        case .addRole(let binding):
            rolesByUser[binding.username, default: []].insert(binding.role)
        case .removeRole(let binding):
            rolesByUser[binding.username]?.remove(binding.role)
        case .addPermission(let permission):
            permissionsByRole[permission.role, default: []].insert(permission)
        case .removePermission(let permission):
            permissionsByRole[permission.role]?.remove(permission)
        }
    }
}
