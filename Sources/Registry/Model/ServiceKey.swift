import Foundation

/// A service's identity: namespace, group and name, as in Nacos.
public struct ServiceKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public static let defaultNamespace = "public"
    public static let defaultGroup = "DEFAULT_GROUP"
    static let groupSeparator = "@@"

    public let namespace: String
    public let group: String
    public let name: String

    public init(namespace: String = ServiceKey.defaultNamespace, group: String = ServiceKey.defaultGroup, name: String)
    {
        self.namespace = namespace
        self.group = group
        self.name = name
    }

    /// Accepts `group@@name` or a plain name with a separate group, the two ways Nacos clients send it.
    public init(namespace: String?, group: String?, serviceName: String) throws {
        let namespace = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? ServiceKey.defaultNamespace
        if serviceName.contains(ServiceKey.groupSeparator) {
            let parts = serviceName.components(separatedBy: ServiceKey.groupSeparator)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw RegistryError.invalidParameter(
                    "Param 'serviceName' is illegal, it should be format as 'groupName@@serviceName'")
            }
            self.init(namespace: namespace, group: parts[0], name: parts[1])
        } else {
            let group = group.flatMap { $0.isEmpty ? nil : $0 } ?? ServiceKey.defaultGroup
            self.init(namespace: namespace, group: group, name: serviceName)
        }
    }

    /// `group@@name`, Nacos's grouped service name.
    public var groupedName: String { group + ServiceKey.groupSeparator + name }

    public var description: String { "\(namespace)/\(groupedName)" }
}

/// One instance per service per address, as Nacos's IP-and-port clients hold them.
public struct InstanceKey: Hashable, Sendable, CustomStringConvertible {
    public let service: ServiceKey
    public let ip: String
    public let port: Int

    public init(service: ServiceKey, ip: String, port: Int) {
        self.service = service
        self.ip = ip
        self.port = port
    }

    public var description: String { "\(service)/\(ip):\(port)" }
}
