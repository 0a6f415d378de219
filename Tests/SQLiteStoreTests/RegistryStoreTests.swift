import Foundation
import GRDB
import Registry
import SQLiteStore
import Testing

@Suite("SQLite: registry store")
struct RegistryStoreTests {
    private static func temporaryPath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitals-store-\(UUID())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("registry.sqlite").path
    }

    static let service = ServiceKey(namespace: "dev", group: "blue", name: "orders")

    @Test("instances round-trip through the columns with every field")
    func roundTrip() async throws {
        let path = Self.temporaryPath()
        let instances = [
            StoredInstance(
                service: Self.service,
                instance: Instance(
                    ip: "10.0.0.1", port: 8080, weight: 2.5, enabled: false, ephemeral: false, cluster: "east",
                    metadata: ["a=b": "c\nd", "quote": "\"", "ü": "✓", "vitals.check.type": "TCP"],
                    registeredHealthy: false),
                manualDown: true),
            StoredInstance(
                service: ServiceKey(name: "plain"), instance: Instance(ip: "::1", port: 1, ephemeral: false),
                manualDown: false),
        ]
        do {
            let store = try SQLiteRegistryStore(path: path)
            try await store.commit(instances.map { .putInstance($0) }) {}
        }
        let loaded = try await SQLiteRegistryStore(path: path).load().instances
        #expect(loaded.count == 2)
        for instance in instances {
            #expect(loaded.contains(instance))
        }
        let store = try SQLiteRegistryStore(path: path)
        try await store.commit([.deleteInstance(Self.service, ip: "10.0.0.1", port: 8080)]) {}
        #expect(try await store.load().instances == [instances[1]])
    }

    /// A data directory written by the v1 schema: JSON bodies exactly as v1 stored them.
    private static func makeV1Database(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
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
        try migrator.migrate(queue)
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO namespace (id, body) VALUES ('dev', ?)",
                arguments: [#"{"id":"dev","name":"Development","description":"d"}"#])
            try db.execute(
                sql: "INSERT INTO service (namespace, grp, name, body) VALUES ('dev', 'blue', 'orders', ?)",
                arguments: [
                    #"{"key":{"namespace":"dev","group":"blue","name":"orders"},"protectThreshold":0.5,"metadata":{},"#
                        + #""ephemeral":false,"clusters":{}}"#
                ])
            let rows: [(String, Int, String)] = [
                (
                    "10.0.0.1", 8080,
                    #"{"service":{"namespace":"dev","group":"blue","name":"orders"},"instance":{"ip":"10.0.0.1","#
                        + #""port":8080,"weight":2.5,"enabled":false,"ephemeral":false,"cluster":"east","#
                        + #""metadata":{"a=b":"x\ny","quote":"\"q\"","u":"\u00fc\u2713","vitals.check.type":"TCP"},"#
                        + #""registeredHealthy":false},"manualDown":true}"#
                ),
                (
                    "10.0.0.2", 9090,
                    #"{"service":{"namespace":"dev","group":"blue","name":"orders"},"instance":{"ip":"10.0.0.2","#
                        + #""port":9090,"weight":1,"enabled":true,"ephemeral":false,"cluster":"DEFAULT","#
                        + #""metadata":{},"registeredHealthy":true},"manualDown":false}"#
                ),
            ]
            for (ip, port, body) in rows {
                try db.execute(
                    sql:
                        "INSERT INTO instance (namespace, grp, service, ip, port, body) VALUES ('dev', 'blue', 'orders', ?, ?, ?)",
                    arguments: [ip, port, body])
            }
        }
    }

    @Test("a v1 data directory (JSON bodies) is migrated to columns and loads with every field")
    func migratesV1() async throws {
        let path = Self.temporaryPath()
        try Self.makeV1Database(at: path)
        let store = try SQLiteRegistryStore(path: path)
        let snapshot = try await store.load()
        #expect(snapshot.namespaces.map(\.name) == ["Development"])
        #expect(snapshot.services.map(\.protectThreshold) == [0.5])
        #expect(
            snapshot.instances == [
                StoredInstance(
                    service: Self.service,
                    instance: Instance(
                        ip: "10.0.0.1", port: 8080, weight: 2.5, enabled: false, ephemeral: false, cluster: "east",
                        metadata: ["a=b": "x\ny", "quote": "\"q\"", "u": "ü✓", "vitals.check.type": "TCP"],
                        registeredHealthy: false),
                    manualDown: true),
                StoredInstance(
                    service: Self.service,
                    instance: Instance(ip: "10.0.0.2", port: 9090, ephemeral: false),
                    manualDown: false),
            ])
        // The body column is gone; writes and a reopen work on the new table.
        let columns = try await DatabaseQueue(path: path).read { try $0.columns(in: "instance").map(\.name) }
        #expect(!columns.contains("body"))
        #expect(columns.contains("manual_down"))
        try await store.commit([.deleteInstance(Self.service, ip: "10.0.0.2", port: 9090)]) {}
        #expect(try await SQLiteRegistryStore(path: path).load().instances.map(\.instance.ip) == ["10.0.0.1"])
    }
}
