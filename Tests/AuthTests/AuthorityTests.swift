import Foundation
import SQLiteStore
import Synchronization
import Testing

@testable import Auth

/// Milliseconds since 1970, moved by hand.
final class TestClock: Sendable {
    private let value = Atomic<Int>(1_700_000_000_000)
    var now: Int { value.load(ordering: .relaxed) }
    func advance(_ milliseconds: Int) { value.add(milliseconds, ordering: .relaxed) }
}

@Suite("Authority: logins, tokens and namespace permissions on a real SQLite store")
struct AuthorityTests {
    /// A fresh store in a temporary directory, a settable clock, and the admin bootstrapped.
    static func make(
        openReads: Bool = false, clock: TestClock = TestClock()
    ) async throws -> (Authority, String, SQLiteAuthStore) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("auth.sqlite").path
        let store = try SQLiteAuthStore(path: path)
        var configuration = AuthConfiguration()
        configuration.enabled = true
        configuration.openReads = openReads
        configuration.tokenTTLSeconds = 60
        configuration.passwordRounds = 1_000
        let authority = try Authority(
            configuration: configuration, tokenSecret: Data(repeating: 7, count: 32), store: store,
            nowMilliseconds: { clock.now })
        #expect(try await authority.load(adminPassword: "admin-secret"))
        return (authority, path, store)
    }

    @Test func adminLogsInAndWrongPasswordIsRefused() async throws {
        let (authority, _, _) = try await Self.make()
        let token = try authority.login(username: "nacos", password: "admin-secret")
        #expect(token.globalAdmin)
        #expect(token.tokenTTLSeconds == 60)
        let identity = try authority.authorize(token: token.accessToken, .admin)
        #expect(identity?.username == "nacos")
        #expect(throws: AuthError.self) { try authority.login(username: "nacos", password: "wrong") }
        #expect(throws: AuthError.self) { try authority.login(username: "nobody", password: "admin-secret") }
    }

    @Test func writesNeedATokenAndReadsAreConfigurable() async throws {
        let (closed, _, _) = try await Self.make()
        let resource = AccessResource(namespace: "public", group: "DEFAULT_GROUP", service: "svc")
        #expect(throws: AuthError.self) { try closed.authorize(token: nil, AccessRequirement.write(resource)) }
        #expect(throws: AuthError.self) { try closed.authorize(token: nil, AccessRequirement.read(resource)) }
        #expect(throws: AuthError.self) {
            try closed.authorize(token: "not.a.token", AccessRequirement.write(resource))
        }
        #expect(try closed.authorize(token: nil, AccessRequirement.open) == nil)

        let (open, _, _) = try await Self.make(openReads: true)
        #expect(try open.authorize(token: nil, AccessRequirement.read(resource)) == nil)
        #expect(throws: AuthError.self) { try open.authorize(token: nil, AccessRequirement.write(resource)) }
    }

    @Test func namespacePermissionsKeepTeamsApart() async throws {
        let (authority, _, _) = try await Self.make()
        try await authority.createUser("alice", password: "alice-pw")
        try await authority.bindRole("team-a", to: "alice")
        try await authority.addPermission(Permission(role: "team-a", resource: "ns-a", action: .readWrite))
        let token = try authority.login(username: "alice", password: "alice-pw").accessToken

        let own = AccessResource(namespace: "ns-a", group: "DEFAULT_GROUP", service: "orders")
        let other = AccessResource(namespace: "ns-b", group: "DEFAULT_GROUP", service: "orders")
        #expect(try authority.authorize(token: token, AccessRequirement.write(own))?.username == "alice")
        #expect(try authority.authorize(token: token, AccessRequirement.read(AccessResource(namespace: "ns-a"))) != nil)
        #expect(
            throws: AuthError.forbidden(
                "authorization failed! user 'alice' may not write ns-b:DEFAULT_GROUP:naming/orders")
        ) {
            try authority.authorize(token: token, AccessRequirement.write(other))
        }
        #expect(throws: AuthError.self) { try authority.authorize(token: token, AccessRequirement.admin) }

        // A read-only grant on one service does not allow writes there or reads elsewhere.
        try await authority.createUser("bob", password: "bob-pw")
        try await authority.bindRole("viewer", to: "bob")
        try await authority.addPermission(
            Permission(role: "viewer", resource: "ns-b:*:naming/orders", action: .read))
        let bob = try authority.login(username: "bob", password: "bob-pw").accessToken
        #expect(try authority.authorize(token: bob, AccessRequirement.read(other)) != nil)
        #expect(throws: AuthError.self) { try authority.authorize(token: bob, AccessRequirement.write(other)) }
        #expect(throws: AuthError.self) {
            try authority.authorize(
                token: bob, AccessRequirement.read(AccessResource(namespace: "ns-b", group: "G", service: "pay")))
        }
    }

    @Test func tokensExpireAndPasswordChangesEndOldTokens() async throws {
        let clock = TestClock()
        let (authority, _, _) = try await Self.make(clock: clock)
        try await authority.createUser("carol", password: "first")
        try await authority.bindRole("ops", to: "carol")
        try await authority.addPermission(Permission(role: "ops", resource: "public", action: .write))
        let target = AccessRequirement.write(AccessResource(namespace: "public", group: "G", service: "s"))

        let old = try authority.login(username: "carol", password: "first").accessToken
        #expect(try authority.authorize(token: old, target) != nil)
        clock.advance(1)
        try await authority.changePassword("carol", to: "second")
        #expect(throws: AuthError.unauthenticated("token invalid!")) { try authority.authorize(token: old, target) }
        clock.advance(1)
        let fresh = try authority.login(username: "carol", password: "second").accessToken
        #expect(try authority.authorize(token: fresh, target) != nil)
        clock.advance(61_000)
        #expect(throws: AuthError.unauthenticated("token expired!")) { try authority.authorize(token: fresh, target) }
    }

    @Test func everythingSurvivesAReload() async throws {
        let (authority, path, _) = try await Self.make()
        try await authority.createUser("dave", password: "dave-pw")
        try await authority.bindRole("team-d", to: "dave")
        try await authority.addPermission(Permission(role: "team-d", resource: "ns-d", action: .write))
        try await authority.deleteUser("dave")
        try await authority.createUser("erin", password: "erin-pw")
        try await authority.bindRole("team-d", to: "erin")

        var configuration = AuthConfiguration()
        configuration.enabled = true
        let reloaded = try Authority(
            configuration: configuration, tokenSecret: Data(repeating: 7, count: 32),
            store: try SQLiteAuthStore(path: path))
        #expect(try await reloaded.load(adminPassword: "ignored") == false)
        #expect(reloaded.users() == ["erin", "nacos"])
        #expect(reloaded.roleBindings(username: "erin") == [RoleBinding(role: "team-d", username: "erin")])
        #expect(reloaded.permissions(role: "team-d").count == 1)
        // The stored hash is not the password.
        let stored = try String(contentsOfFile: path, encoding: .isoLatin1)
        #expect(!stored.contains("erin-pw"))
        #expect(try reloaded.login(username: "erin", password: "erin-pw").username == "erin")
    }

    @Test func badNamesAndDuplicatesAreRefused() async throws {
        let (authority, _, _) = try await Self.make()
        #expect(await refusal { try await authority.createUser("has space", password: "x") } != nil)
        #expect(await refusal { try await authority.createUser("ok", password: "") } != nil)
        try await authority.createUser("frank", password: "pw")
        #expect(
            await refusal { try await authority.createUser("frank", password: "pw") }
                == .conflict("user 'frank' already exist!"))
        #expect(
            await refusal {
                try await authority.addPermission(Permission(role: "no-such-role", resource: "ns", action: .read))
            } != nil)
        #expect(await refusal { try await authority.deleteUser("nacos") } != nil)
        #expect(await refusal { try await authority.unbindRole(Authority.adminRole, from: "nacos") } != nil)
    }

    /// The auth error `body` throws, or `nil` when it succeeds.
    func refusal(_ body: () async throws -> Void) async -> AuthError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? AuthError
        }
    }

    @Test func globPatterns() {
        let p = Permission(role: "r", resource: "ns-a:*:naming/order*", action: .read)
        #expect(p.grants(.read, on: AccessResource(namespace: "ns-a", group: "G", service: "orders")))
        #expect(!p.grants(.read, on: AccessResource(namespace: "ns-a", group: "G", service: "pay")))
        #expect(!p.grants(.read, on: AccessResource(namespace: "ns-ab", group: "G", service: "orders")))
        #expect(!p.grants(.write, on: AccessResource(namespace: "ns-a", group: "G", service: "orders")))
    }
}
