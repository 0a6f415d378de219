import Foundation
import Synchronization

/// Logs users in, checks every request's token and permissions, and manages users, roles and
/// permissions. With auth disabled every check passes, so local use needs no setup.
public final class Authority: Sendable {
    /// Nacos's global-admin role.
    public static let adminRole = "ROLE_ADMIN"
    /// A login costs a deliberately slow hash; more than this many at once are refused, not queued.
    static let maxConcurrentLogins = 4

    public let configuration: AuthConfiguration
    private let signer: TokenSigner?
    private let store: (any AuthStore)?
    private let index = Mutex(AuthIndex(AuthSnapshot()))
    private let loginsInFlight = Atomic<Int>(0)
    private let nowMilliseconds: @Sendable () -> Int

    /// Auth switched off: every request passes.
    public static let disabled = Authority()

    private init() {
        configuration = AuthConfiguration()
        signer = nil
        store = nil
        nowMilliseconds = { 0 }
    }

    public init(
        configuration: AuthConfiguration, tokenSecret: Data, store: any AuthStore,
        nowMilliseconds: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970 * 1000) }
    ) throws {
        self.configuration = configuration
        self.signer = try TokenSigner(secret: tokenSecret)
        self.store = store
        self.nowMilliseconds = nowMilliseconds
    }

    public var isEnabled: Bool { configuration.enabled && signer != nil }

    /// Loads the stored users; when there are none, creates the admin with `adminPassword`.
    /// Returns `true` when the admin was created now.
    @discardableResult
    public func load(adminPassword: String) async throws -> Bool {
        guard let store else { return false }
        let snapshot = try await store.load()
        index.withLock { $0 = AuthIndex(snapshot) }
        guard snapshot.users.isEmpty else { return false }
        try await createUser(configuration.adminUsername, password: adminPassword)
        try await bindRole(Self.adminRole, to: configuration.adminUsername)
        return true
    }

    // MARK: Requests

    /// Passes (returning the caller, or `nil` when no identity was needed) or throws why not.
    @discardableResult
    public func authorize(token: String?, _ requirement: AccessRequirement) throws -> Identity? {
        guard isEnabled else { return nil }
        switch requirement {
        case .open: return nil
        case .read where configuration.openReads, .authenticated where configuration.openReads: return nil
        default: break
        }
        let identity = try authenticate(token)
        if identity.isAdmin { return identity }
        let action: AccessAction
        let resource: AccessResource
        switch requirement {
        case .open, .authenticated:
            return identity
        case .admin:
            throw AuthError.forbidden("authorization failed! user '\(identity.username)' is not an admin")
        case .read(let target):
            (action, resource) = (.read, target)
        case .write(let target):
            (action, resource) = (.write, target)
        }
        guard index.withLock({ $0.allows(identity.username, action, on: resource) }) else {
            let verb = action == .read ? "read" : "write"
            throw AuthError.forbidden("authorization failed! user '\(identity.username)' may not \(verb) \(resource)")
        }
        return identity
    }

    /// The user a token belongs to, if the token is well signed, unexpired and still honoured.
    public func authenticate(_ token: String?) throws -> Identity {
        guard let signer else { throw AuthError.unauthenticated("auth is disabled") }
        guard let token, !token.isEmpty else {
            throw AuthError.unauthenticated("user not found! (no accessToken: log in at /nacos/v1/auth/login)")
        }
        let now = nowMilliseconds()
        let claims = try signer.verify(token, now: now / 1000)
        return try index.withLock { index in
            guard let user = index.users[claims.username], claims.issuedAtMilliseconds >= user.tokensValidAfter
            else { throw AuthError.unauthenticated("token invalid!") }
            return Identity(username: user.username, isAdmin: index.isAdmin(user.username))
        }
    }

    /// Checks the password and issues a token. Unknown users and wrong passwords get the same answer.
    public func login(username: String, password: String) throws -> IssuedToken {
        guard let signer else { throw AuthError.unauthenticated("auth is disabled") }
        guard loginsInFlight.add(1, ordering: .relaxed).newValue <= Self.maxConcurrentLogins else {
            loginsInFlight.subtract(1, ordering: .relaxed)
            throw AuthError.busy("too many logins in progress; retry shortly")
        }
        defer { loginsInFlight.subtract(1, ordering: .relaxed) }
        let found = index.withLock { index in
            index.users[username].map { ($0, index.isAdmin(username)) }
        }
        guard let (user, isAdmin) = found, password.utf8.count <= 256, user.password.verify(password) else {
            throw AuthError.unauthenticated("user not found! (unknown user or wrong password)")
        }
        let now = nowMilliseconds()
        let token = signer.issue(
            username: user.username, issuedAtMilliseconds: now, ttlSeconds: configuration.tokenTTLSeconds)
        return IssuedToken(
            accessToken: token, tokenTTLSeconds: configuration.tokenTTLSeconds, username: user.username,
            globalAdmin: isAdmin)
    }

    // MARK: Management (callers check `.admin` first)

    public func users() -> [String] {
        index.withLock { $0.users.keys.sorted() }
    }

    public func roleBindings(username: String? = nil, role: String? = nil) -> [RoleBinding] {
        index.withLock { $0.roleBindings }.filter {
            (username == nil || $0.username == username) && (role == nil || $0.role == role)
        }
    }

    public func permissions(role: String? = nil) -> [Permission] {
        index.withLock { index in index.permissionsByRole.values.flatMap { $0 } }
            .filter { role == nil || $0.role == role }
            .sorted { ($0.role, $0.resource, $0.action.rawValue) < ($1.role, $1.resource, $1.action.rawValue) }
    }

    public func createUser(_ username: String, password: String) async throws {
        try AuthNames.checkUsername(username)
        try AuthNames.checkPassword(password)
        let user = User(
            username: username,
            password: try PasswordHash.make(password: password, rounds: configuration.passwordRounds))
        try await commit([.saveUser(user)]) { index in
            guard index.users[username] == nil else { throw AuthError.conflict("user '\(username)' already exist!") }
        }
    }

    public func deleteUser(_ username: String) async throws {
        guard username != configuration.adminUsername else {
            throw AuthError.invalid("cannot delete admin: \(username)")
        }
        let bindings = roleBindings(username: username)
        try await commit([.deleteUser(username)] + bindings.map { .removeRole($0) }) { index in
            guard index.users[username] != nil else { throw AuthError.notFound("user '\(username)' not exist!") }
        }
    }

    /// Also ends every token issued to the user before now.
    public func changePassword(_ username: String, to password: String) async throws {
        try AuthNames.checkPassword(password)
        let user = User(
            username: username,
            password: try PasswordHash.make(password: password, rounds: configuration.passwordRounds),
            tokensValidAfter: nowMilliseconds())
        try await commit([.saveUser(user)]) { index in
            guard index.users[username] != nil else { throw AuthError.notFound("user '\(username)' not exist!") }
        }
    }

    public func bindRole(_ role: String, to username: String) async throws {
        try AuthNames.checkRole(role)
        let binding = RoleBinding(role: role, username: username)
        try await commit([.addRole(binding)]) { index in
            guard index.users[username] != nil else { throw AuthError.notFound("user '\(username)' not exist!") }
            guard !(index.rolesByUser[username]?.contains(role) ?? false) else {
                throw AuthError.conflict("user '\(username)' already bound to the role '\(role)'!")
            }
        }
    }

    public func unbindRole(_ role: String, from username: String) async throws {
        guard !(role == Self.adminRole && username == configuration.adminUsername) else {
            throw AuthError.invalid("cannot remove the admin role from \(username)")
        }
        let binding = RoleBinding(role: role, username: username)
        try await commit([.removeRole(binding)]) { index in
            guard index.rolesByUser[username]?.contains(role) ?? false else {
                throw AuthError.notFound("user '\(username)' is not bound to the role '\(role)'")
            }
        }
    }

    public func addPermission(_ permission: Permission) async throws {
        try AuthNames.checkRole(permission.role)
        try AuthNames.checkResource(permission.resource)
        try await commit([.addPermission(permission)]) { index in
            guard index.roleExists(permission.role) else {
                throw AuthError.notFound("role '\(permission.role)' not found!")
            }
            guard !(index.permissionsByRole[permission.role]?.contains(permission) ?? false) else {
                throw AuthError.conflict("permission already exist!")
            }
        }
    }

    public func removePermission(_ permission: Permission) async throws {
        try await commit([.removePermission(permission)]) { index in
            guard index.permissionsByRole[permission.role]?.contains(permission) ?? false else {
                throw AuthError.notFound("permission not found!")
            }
        }
    }

    private func commit(_ changes: [AuthChange], validate: @escaping @Sendable (AuthIndex) throws -> Void)
        async throws
    {
        guard let store else { throw AuthError.invalid("auth is disabled") }
        try await store.commit(
            changes,
            validate: { [self] in try validate(self.index.withLock { $0 }) },
            apply: { [self] in self.index.withLock { state in for change in changes { state.apply(change) } } })
    }
}
