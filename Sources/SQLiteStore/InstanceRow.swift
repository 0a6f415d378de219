import GRDB
import Registry

/// A persistent instance as one row of the `instance` table (schema v2): one column per field,
/// metadata as ``MetadataText``. Read with a row cursor and positional columns, without
/// Codable: JSON-decoding one body per row was 38% of a 100k-instance restart.
enum InstanceRow {
    static let columns =
        "namespace, grp, service, ip, port, weight, enabled, ephemeral, healthy, manual_down, cluster, metadata"

    static let createTable = """
        CREATE TABLE instance (
            namespace TEXT NOT NULL, grp TEXT NOT NULL, service TEXT NOT NULL,
            ip TEXT NOT NULL, port INTEGER NOT NULL,
            weight REAL NOT NULL, enabled INTEGER NOT NULL, ephemeral INTEGER NOT NULL,
            healthy INTEGER NOT NULL, manual_down INTEGER NOT NULL,
            cluster TEXT NOT NULL, metadata TEXT NOT NULL,
            PRIMARY KEY (namespace, grp, service, ip, port));
        """

    static let upsert = "INSERT OR REPLACE INTO instance (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func arguments(_ stored: StoredInstance) -> StatementArguments {
        let key = stored.service
        let instance = stored.instance
        return [
            key.namespace, key.group, key.name, instance.ip, instance.port, instance.weight, instance.enabled,
            instance.ephemeral, instance.registeredHealthy, stored.manualDown, instance.cluster,
            MetadataText.encode(instance.metadata),
        ]
    }

    /// Every instance, in key order. Consecutive rows of one service share its key's strings.
    static func fetchAll(_ db: Database) throws -> [StoredInstance] {
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM instance") ?? 0
        var instances: [StoredInstance] = []
        instances.reserveCapacity(count)
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT \(columns) FROM instance ORDER BY namespace, grp, service, ip, port")
        var service = ServiceKey(namespace: "", group: "", name: "")
        while let row = try cursor.next() {
            let namespace: String = row[0]
            let group: String = row[1]
            let name: String = row[2]
            if namespace != service.namespace || group != service.group || name != service.name {
                service = ServiceKey(namespace: namespace, group: group, name: name)
            }
            let metadataText: String = row[11]
            guard let metadata = MetadataText.decode(metadataText) else {
                throw StoreDataError.malformedMetadata(service: service.description, ip: row[3], port: row[4])
            }
            let instance = Instance(
                ip: row[3], port: row[4], weight: row[5], enabled: row[6], ephemeral: row[7], cluster: row[10],
                metadata: metadata, registeredHealthy: row[8])
            instances.append(StoredInstance(service: service, instance: instance, manualDown: row[9]))
        }
        return instances
    }
}

/// Stored data the store cannot read back.
enum StoreDataError: Error, CustomStringConvertible {
    case malformedMetadata(service: String, ip: String, port: Int)

    var description: String {
        switch self {
        case .malformedMetadata(let service, let ip, let port):
            return "stored metadata of \(service) \(ip):\(port) is malformed"
        }
    }
}
