/// What a request does to a resource, in Nacos's letters (`r`, `w`, `rw`).
public enum AccessAction: String, Sendable, Codable, CaseIterable {
    case read = "r"
    case write = "w"
    case readWrite = "rw"

    func allows(_ needed: AccessAction) -> Bool {
        self == .readWrite || self == needed
    }
}

/// A naming resource as Nacos spells it for permission checks: `namespace:group:naming/service`.
public struct AccessResource: Sendable, Equatable, CustomStringConvertible {
    public let namespace: String
    public let group: String
    public let service: String

    /// `*` for group or service means "all of them" (a namespace-wide request such as a list).
    public init(namespace: String, group: String = "*", service: String = "*") {
        self.namespace = namespace
        self.group = group
        self.service = service
    }

    public var description: String { "\(namespace):\(group):naming/\(service)" }
}

/// What a request needs before it runs.
public enum AccessRequirement: Sendable, Equatable {
    /// Health, metrics and login: never need a token.
    case open
    /// Any valid token (or none when reads are open): lists of namespaces, the caller's own data.
    case authenticated
    case read(AccessResource)
    case write(AccessResource)
    /// Users, roles, permissions, namespaces and server switches.
    case admin
}

/// A role's grant on resources matching `resource` (Nacos's pattern: `*` matches anything;
/// a bare namespace id means everything in that namespace).
public struct Permission: Sendable, Equatable, Codable, Hashable {
    public let role: String
    public let resource: String
    public let action: AccessAction

    public init(role: String, resource: String, action: AccessAction) {
        self.role = role
        self.resource = resource
        self.action = action
    }

    func grants(_ needed: AccessAction, on target: AccessResource) -> Bool {
        action.allows(needed) && Self.matches(pattern: expandedResource, target.description)
    }

    /// `team-a` is shorthand for `team-a:*:*`, the form Nacos's console stores.
    var expandedResource: String {
        resource.contains(":") ? resource : "\(resource):*:*"
    }

    /// Glob match where `*` matches any run of characters (including none).
    static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != UInt8(ascii: "*"), p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
