import Auth
import Foundation
import Hummingbird
import NacosWire
import Registry

/// The Nacos naming Open API (v1 and v2) over Hummingbird, backed by the ``Registry``.
public struct NacosRoutes: Sendable {
    let registry: Registry
    let authority: Authority
    let listCache = ListBodyCache()

    /// With `authority` enabled, every route checks the caller's token first (see ``RouteAccess``).
    public init(registry: Registry, authority: Authority = .disabled) {
        self.registry = registry
        self.authority = authority
    }

    /// The same beat, list and health routes for the event-loop fast path, sharing the list cache.
    public var hotRoutes: NacosHotRoutes {
        NacosHotRoutes(registry: registry, authority: authority, listCache: listCache)
    }

    typealias Handler = @Sendable (NacosParameters, NacosAPIVersion) async throws -> Response

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let both: [(HTTPRequest.Method, String, Handler)] = [
            (.post, "instance", registerInstance),
            (.delete, "instance", deregisterInstance),
            (.put, "instance", updateInstance),
            (.patch, "instance", patchInstance),
            (.get, "instance", instanceDetail),
            (.get, "instance/list", listInstances),
            (.put, "instance/beat", beat),
            (.put, "health", setHealth),
            (.put, "health/instance", setHealth),
            (.post, "service", createService),
            (.delete, "service", deleteService),
            (.put, "service", updateService),
            (.get, "service", serviceDetail),
            (.get, "service/list", listServices),
            (.get, "operator/metrics", metrics),
            (.get, "operator/switches", switches),
            (.put, "operator/switches", updateSwitch),
            (.put, "instance/metadata/batch", metadataBatch(remove: false)),
            (.delete, "instance/metadata/batch", metadataBatch(remove: true)),
            (.get, "catalog/instances", catalogInstances),
        ]
        for (method, path, handler) in both {
            add(router, method, "/nacos/v1/ns/\(path)", .v1, handler)
            add(router, method, "/nacos/v2/ns/\(path)", .v2, handler)
        }
        add(router, .put, "/nacos/v1/ns/cluster", .v1, updateCluster)
        add(router, .get, "/nacos/v1/ns/service/names", .v1, serviceNames)
        add(router, .get, "/nacos/v1/ns/health/checkers", .v1, checkers)
        add(router, .get, "/nacos/v1/ns/service/subscribers", .v1, subscribers)
        add(router, .get, "/nacos/v1/ns/catalog/service", .v1, catalogService)
        add(router, .get, "/nacos/v1/ns/catalog/services", .v1, catalogServices)
        statusesByPath(router)
        for method in [HTTPRequest.Method.get, .post, .put] {
            add(router, method, "/nacos/v1/ns/health/server", .v1, healthServer)
            add(router, method, "/nacos/v1/ns/instance/statuses", .v1, statuses)
        }
        NamespaceRoutes(registry: registry, authority: authority).register(on: router)
        HistoryRoutes(registry: registry, authority: authority).register(on: router)
        AuthRoutes(authority: authority).register(on: router)
    }

    private func add<Context: RequestContext>(
        _ router: Router<Context>, _ method: HTTPRequest.Method, _ path: String, _ version: NacosAPIVersion,
        _ handler: @escaping Handler
    ) {
        let access = RouteAccess.of(method: method, path: path)
        router.on(RouterPath(path), method: method) { request, _ -> Response in
            do {
                let parameters = try await NacosParameters.from(request)
                try authority.check(request, parameters, access)
                return try await handler(parameters, version)
            } catch {
                return version.failure(NacosError.wrap(error))
            }
        }
    }

    // MARK: Instances

    /// Builds an instance from register/update parameters (`enable`/`cluster` are legacy spellings).
    static func instance(from p: NacosParameters, ephemeralDefault: Bool = true) throws -> Instance {
        Instance(
            ip: try p.ip(),
            port: try p.port(),
            weight: try p.double("weight", default: 1),
            enabled: try p.bool("enabled", "enable", default: true),
            ephemeral: try p.bool("ephemeral", default: ephemeralDefault),
            cluster: try p.cluster(),
            metadata: try p.metadata() ?? [:],
            registeredHealthy: try p.bool("healthy", default: true))
    }

    func registerInstance(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let service = try p.service()
        try await registry.register(try Self.instance(from: p), in: service)
        return version.ok()
    }

    func deregisterInstance(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        try await registry.deregister(service: try p.service(), ip: try p.ip(), port: try p.port())
        return version.ok()
    }

    func updateInstance(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let service = try p.service()
        let weight = try p.double("weight", default: 1)
        let enabled = try p.bool("enabled", "enable", default: true)
        let metadata = try p.metadata()
        let cluster = try p.cluster()
        try await registry.update(service: service, ip: try p.ip(), port: try p.port()) { instance in
            instance.weight = weight
            instance.enabled = enabled
            instance.cluster = cluster
            if let metadata { instance.metadata = metadata }
        }
        return version.ok()
    }

    /// PATCH changes only what it is given.
    func patchInstance(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let service = try p.service()
        let weight = p.optional("weight") == nil ? nil : try p.double("weight", default: 1)
        let enabled = p.optional("enabled", "enable") == nil ? nil : try p.bool("enabled", "enable", default: true)
        let metadata = try p.metadata()
        try await registry.update(service: service, ip: try p.ip(), port: try p.port()) { instance in
            if let weight { instance.weight = weight }
            if let enabled { instance.enabled = enabled }
            if let metadata { instance.metadata = metadata }
        }
        return version == .v2 ? NacosResponse.text("ok") : version.ok()
    }

    func instanceDetail(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let service = try p.service()
        let ip = try p.ip()
        let port = try p.port()
        guard let view = registry.instance(service: service, ip: ip, port: port) else {
            throw NacosError.registry(.instanceNotFound("no matched ip found! \(ip):\(port) in \(service.groupedName)"))
        }
        return version.data(InstanceDetailJSON(view, version: version))
    }

    func listInstances(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        try Self.listAnswer(p, version, registry: registry, cache: listCache).response
    }

    /// A list is encoded once per service revision and served from ``ListBodyCache`` until the
    /// service changes (every change that shows in a list bumps the revision).
    static func listAnswer(
        _ p: NacosParameters, _ version: NacosAPIVersion, registry: Registry, cache: ListBodyCache
    ) throws -> NacosAnswer {
        let service = try p.service()
        let clusters = p.optional("clusters", "clusterName") ?? ""
        let key = ListBodyCache.Key(
            service: service, clusters: clusters, healthyOnly: try p.bool("healthyOnly", default: false),
            v2: version == .v2)
        if let revision = registry.revision(of: service), let cached = cache.answer(for: key, revision: revision) {
            return cached
        }
        let list = registry.list(
            service: service, clusters: clusters.split(separator: ",").map(String.init), healthyOnly: key.healthyOnly)
        let answer = ServiceInfoResponse.answer(list, version: version)
        if list.lastRefTime != 0 { cache.store(answer, for: key, revision: list.lastRefTime) }
        return answer
    }

    /// Beats answer bare JSON in both versions, as Nacos does.
    func beat(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let beat = try Self.beatRequest(p)
        let reply = try await registry.beat(service: beat.service, ip: beat.ip, port: beat.port, info: beat.info)
        return Self.beatAnswer(reply).response
    }

    static func beatRequest(_ p: NacosParameters) throws -> (
        service: ServiceKey, ip: String, port: Int, info: BeatInfo?
    ) {
        let service = try p.service()
        var info: BeatInfo?
        if let text = p.optional("beat") {
            info = try Self.beatInfo(text)
        }
        guard let ip = p.optional("ip") != nil ? try p.ip() : info?.ip else { throw NacosError.missing("ip") }
        let port = p.optional("port") != nil ? try p.port() : (info?.port ?? 0)
        return (service, ip, port, info)
    }

    /// Beats are the hottest write path: the small answer is written directly.
    static func beatAnswer(_ reply: BeatReply) -> NacosAnswer {
        var writer = JSONWriter(capacity: 80)
        writer.object { w in
            w.key("clientBeatInterval")
            w.value(reply.clientBeatInterval.milliseconds)
            w.key("code")
            w.value(reply.code)
            w.key("lightBeatEnabled")
            w.value(true)
        }
        return .json(writer.bytes)
    }

    static func beatInfo(_ text: String) throws -> BeatInfo {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let ip = object["ip"] as? String, let port = (object["port"] as? NSNumber)?.intValue
        else {
            throw NacosError.invalid("Param 'beat' must be a JSON object with ip and port, got '\(text)'")
        }
        var metadata: [String: String] = [:]
        if let raw = object["metadata"] as? [String: Any] {
            for (key, value) in raw { metadata[key] = "\(value)" }
        }
        return BeatInfo(
            ip: ip, port: port, cluster: object["cluster"] as? String,
            weight: (object["weight"] as? NSNumber)?.doubleValue,
            metadata: metadata)
    }

    func statuses(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        var key = try p.required("key")
        var namespace: String?
        if let range = key.range(of: "##") {
            namespace = String(key[..<range.lowerBound])
            key = String(key[range.upperBound...])
        }
        let service: ServiceKey
        do {
            service = try ServiceKey(namespace: namespace, group: nil, serviceName: key)
        } catch let error as RegistryError {
            throw NacosError.registry(error)
        }
        let ips = registry.allInstances(service: service).map {
            "\($0.instance.ip):\($0.instance.port)_\($0.trueHealthy)"
        }
        return NacosResponse.json(["ips": ips])
    }

    // MARK: Health

    func setHealth(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let update = try Self.healthRequest(p)
        try await registry.setHealth(service: update.service, ip: update.ip, port: update.port, healthy: update.healthy)
        return version.ok()
    }

    static func healthRequest(_ p: NacosParameters) throws -> (
        service: ServiceKey, ip: String, port: Int, healthy: Bool
    ) {
        guard p.optional("healthy", "valid") != nil else { throw NacosError.missing("healthy") }
        let healthy = try p.bool("healthy", "valid", default: true)
        return (try p.service(), try p.ip(), try p.port(), healthy)
    }

    func healthServer(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let counts = registry.counts()
        return NacosResponse.json([
            "msg": "Hello! I am Vitals (Nacos-compatible naming) and healthy! total services: \(counts.services)"
        ])
    }

    func checkers(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        NacosResponse.json([
            "TCP": CheckerJSON(.tcp),
            "HTTP": CheckerJSON(.http(path: "", headers: [:], expectedStatus: 200)),
            "NONE": CheckerJSON(.none),
        ])
    }

    // MARK: Operator

    func metrics(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        let counts = registry.counts()
        if try p.bool("onlyStatus", default: true) {
            return version.data(["status": "UP"])
        }
        return version.data(
            MetricsJSON(
                status: "UP", serviceCount: counts.services, instanceCount: counts.instances,
                healthyInstanceCount: counts.healthyInstances))
    }

    func switches(_ p: NacosParameters, _ version: NacosAPIVersion) async throws -> Response {
        version.data(SwitchesJSON(protectThresholdEnabled: registry.configuration.protectThresholdEnabled))
    }
}

struct MetricsJSON: Encodable, Sendable {
    let status: String
    let serviceCount: Int
    let instanceCount: Int
    let healthyInstanceCount: Int
}

/// The switches Vitals honours, in Nacos's field names where Nacos has one.
struct SwitchesJSON: Encodable, Sendable {
    let name = "00-00---000-NACOS_SWITCH_DOMAIN-000---00-00"
    let clientBeatInterval = 5000
    let defaultPushCacheMillis = 10000
    let healthCheckEnabled = true
    let checkTimes = 3
    let lightBeatEnabled = true
    let defaultInstanceEphemeral = true
    let protectThresholdEnabled: Bool
}
