/// A user who can log in. Only the password's hash is kept.
public struct User: Sendable, Equatable, Codable {
    public let username: String
    public var password: PasswordHash
    /// Tokens issued before this moment (Unix seconds) are refused: set on password change.
    public var tokensValidAfter: Int

    public init(username: String, password: PasswordHash, tokensValidAfter: Int = 0) {
        self.username = username
        self.password = password
        self.tokensValidAfter = tokensValidAfter
    }
}

/// A user's membership of a role (Nacos's `roles` table).
public struct RoleBinding: Sendable, Equatable, Codable, Hashable {
    public let role: String
    public let username: String

    public init(role: String, username: String) {
        self.role = role
        self.username = username
    }
}

/// Everything the auth store keeps, loaded at start.
public struct AuthSnapshot: Sendable, Equatable {
    public var users: [User]
    public var roles: [RoleBinding]
    public var permissions: [Permission]

    public init(users: [User] = [], roles: [RoleBinding] = [], permissions: [Permission] = []) {
        self.users = users
        self.roles = roles
        self.permissions = permissions
    }
}

/// One durable change to users, roles or permissions.
public enum AuthChange: Sendable, Equatable {
    case saveUser(User)
    case deleteUser(String)
    case addRole(RoleBinding)
    case removeRole(RoleBinding)
    case addPermission(Permission)
    case removePermission(Permission)
}

/// Where users, roles and permissions are kept (SQLite in the server); the domain never sees SQL.
public protocol AuthStore: Sendable {
    func load() async throws -> AuthSnapshot
    /// Runs `validate`, writes `changes` in one transaction, then runs `apply`, all on one
    /// serial writer, so checks and memory updates never interleave with another write.
    /// Throws (and skips `apply`) when validation fails or the write is not durable.
    func commit(
        _ changes: [AuthChange], validate: @escaping @Sendable () throws -> Void,
        apply: @escaping @Sendable () -> Void
    ) async throws
}
