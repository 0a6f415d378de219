import Auth
import Foundation
import GRDB

/// Users, role bindings and permissions in their own SQLite file (`auth.sqlite`), apart from the
/// registry's data so either can be backed up, restored or reset on its own.
public final class SQLiteAuthStore: AuthStore {
    private let queue: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Few, rare writes: make each survive power loss too.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        username TEXT PRIMARY KEY NOT NULL, password TEXT NOT NULL,
                        tokens_valid_after INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE roles (
                        role TEXT NOT NULL, username TEXT NOT NULL, PRIMARY KEY (role, username));
                    CREATE TABLE permissions (
                        role TEXT NOT NULL, resource TEXT NOT NULL, action TEXT NOT NULL,
                        PRIMARY KEY (role, resource, action));
                    """)
        }
        try migrator.migrate(queue)
    }

    public func load() async throws -> AuthSnapshot {
        try await queue.read { db in
            let users = try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY username").map { row in
                User(
                    username: row["username"], password: PasswordHash(encoded: row["password"]),
                    tokensValidAfter: row["tokens_valid_after"])
            }
            let roles = try Row.fetchAll(db, sql: "SELECT * FROM roles ORDER BY role, username").map { row in
                RoleBinding(role: row["role"], username: row["username"])
            }
            let permissions = try Row.fetchAll(db, sql: "SELECT * FROM permissions ORDER BY role, resource").compactMap
            {
                row -> Permission? in
                guard let action = AccessAction(rawValue: row["action"]) else { return nil }
                return Permission(role: row["role"], resource: row["resource"], action: action)
            }
            return AuthSnapshot(users: users, roles: roles, permissions: permissions)
        }
    }

    public func commit(
        _ changes: [AuthChange], validate: @escaping @Sendable () throws -> Void,
        apply: @escaping @Sendable () -> Void
    ) async throws {
        do {
            try await queue.writeWithoutTransaction { db in
                try validate()
                try db.inTransaction {
                    for change in changes { try Self.write(change, db: db) }
                    return .commit
                }
                apply()
            }
        } catch let error as AuthError {
            throw error
        } catch {
            throw AuthError.storage("cannot write the auth database: \(error)")
        }
    }

    private static func write(_ change: AuthChange, db: Database) throws {
        switch change {
        case .saveUser(let user):
            try db.execute(
                sql: "INSERT OR REPLACE INTO users (username, password, tokens_valid_after) VALUES (?, ?, ?)",
                arguments: [user.username, user.password.encoded, user.tokensValidAfter])
        case .deleteUser(let name):
            try db.execute(sql: "DELETE FROM users WHERE username = ?", arguments: [name])
        case .addRole(let binding):
            try db.execute(
                sql: "INSERT OR IGNORE INTO roles (role, username) VALUES (?, ?)",
                arguments: [binding.role, binding.username])
        case .removeRole(let binding):
            try db.execute(
                sql: "DELETE FROM roles WHERE role = ? AND username = ?", arguments: [binding.role, binding.username])
        case .addPermission(let p):
            try db.execute(
                sql: "INSERT OR IGNORE INTO permissions (role, resource, action) VALUES (?, ?, ?)",
                arguments: [p.role, p.resource, p.action.rawValue])
        case .removePermission(let p):
            try db.execute(
                sql: "DELETE FROM permissions WHERE role = ? AND resource = ? AND action = ?",
                arguments: [p.role, p.resource, p.action.rawValue])
        }
    }
}
