import Foundation
import GRDB
import Registry

/// The registry's persistent data in SQLite (WAL), in the data directory.
///
/// Each commit is one transaction; the registry's in-memory change runs on the writer queue
/// right after the transaction commits, so memory follows the disk in commit order.
/// `synchronous=NORMAL` in WAL mode: a committed write survives a process crash; `full`
/// durability (`synchronous=FULL`) also survives power loss at the cost of an fsync per commit.
public final class SQLiteRegistryStore: RegistryStore {
    public enum Durability: String, Sendable {
        case normal
        case full
    }

    private let queue: DatabaseQueue
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    public init(path: String, durability: Durability = .normal) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(queue)
    }

    /// Schema history; each step runs once per data directory, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE namespace (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);
                    CREATE TABLE service (
                        namespace TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
                        PRIMARY KEY (namespace, grp, name));
                    CREATE TABLE instance (
                        namespace TEXT NOT NULL, grp TEXT NOT NULL, service TEXT NOT NULL,
                        ip TEXT NOT NULL, port INTEGER NOT NULL, body TEXT NOT NULL,
                        PRIMARY KEY (namespace, grp, service, ip, port));
                    """)
        }
        // v2: instances as columns (`InstanceRow`); v1's JSON bodies are converted once.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE instance RENAME TO instance_v1")
            try db.execute(sql: InstanceRow.createTable)
            let decoder = JSONDecoder()
            let insert = try db.cachedStatement(sql: InstanceRow.upsert)
            let bodies = try String.fetchCursor(db, sql: "SELECT body FROM instance_v1")
            while let body = try bodies.next() {
                let stored = try decoder.decode(StoredInstance.self, from: Data(body.utf8))
                try insert.execute(arguments: InstanceRow.arguments(stored))
            }
            try db.execute(sql: "DROP TABLE instance_v1")
        }
        return migrator
    }

    public func load() async throws -> RegistrySnapshot {
        let decoder = self.decoder
        return try await queue.read { db in
            func decode<T: Decodable>(_ type: T.Type, _ sql: String) throws -> [T] {
                try String.fetchAll(db, sql: sql).map { try decoder.decode(T.self, from: Data($0.utf8)) }
            }
            return RegistrySnapshot(
                namespaces: try decode(Namespace.self, "SELECT body FROM namespace ORDER BY id"),
                services: try decode(ServiceDefinition.self, "SELECT body FROM service ORDER BY namespace, grp, name"),
                instances: try InstanceRow.fetchAll(db))
        }
    }

    public func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws {
        let encoder = self.encoder
        try await queue.writeWithoutTransaction { db in
            try db.inTransaction {
                for change in changes {
                    try Self.write(change, db: db, encoder: encoder)
                }
                return .commit
            }
            apply()
        }
    }

    private static func write(_ change: StoreChange, db: Database, encoder: JSONEncoder) throws {
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        switch change {
        case .putNamespace(let namespace):
            try db.execute(
                sql: "INSERT OR REPLACE INTO namespace (id, body) VALUES (?, ?)",
                arguments: [namespace.id, try json(namespace)])
        case .deleteNamespace(let id):
            try db.execute(sql: "DELETE FROM namespace WHERE id = ?", arguments: [id])
        case .putService(let definition):
            let key = definition.key
            try db.execute(
                sql: "INSERT OR REPLACE INTO service (namespace, grp, name, body) VALUES (?, ?, ?, ?)",
                arguments: [key.namespace, key.group, key.name, try json(definition)])
        case .deleteService(let key):
            try db.execute(
                sql: "DELETE FROM service WHERE namespace = ? AND grp = ? AND name = ?",
                arguments: [key.namespace, key.group, key.name])
        case .putInstance(let stored):
            try db.cachedStatement(sql: InstanceRow.upsert).execute(arguments: InstanceRow.arguments(stored))
        case .deleteInstance(let key, let ip, let port):
            try db.execute(
                sql: "DELETE FROM instance WHERE namespace = ? AND grp = ? AND service = ? AND ip = ? AND port = ?",
                arguments: [key.namespace, key.group, key.name, ip, port])
        }
    }
}
