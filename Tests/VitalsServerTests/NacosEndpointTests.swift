import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VitalsServer

/// Every Nacos endpoint: its success shape and at least one bad input, against the real server.
@Suite("Nacos endpoints: success shapes and bad input", .timeLimit(.minutes(2)))
struct NacosEndpointTests {
    struct Call: CustomStringConvertible, Sendable {
        let method: HTTPMethod
        let path: String
        let body: String
        let status: Int
        /// Substrings the body must contain.
        let contains: [String]

        init(_ method: HTTPMethod, _ path: String, _ body: String = "", _ status: Int = 200, _ contains: [String] = [])
        {
            self.method = method
            self.path = path
            self.body = body
            self.status = status
            self.contains = contains
        }

        var description: String { "\(method) \(path) \(body)" }
    }

    /// Runs calls in order against one server, checking status and body of each.
    func run(_ calls: [Call]) async throws {
        try await withServer { client in
            for call in calls {
                let response = try await client.request(
                    call.method, call.path, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: call.body.isEmpty ? nil : call.body)
                #expect(response.status == call.status, "\(call) -> \(response.status) \(response.bodyText)")
                for fragment in call.contains {
                    #expect(response.bodyText.contains(fragment), "\(call): '\(fragment)' not in \(response.bodyText)")
                }
            }
        }
    }

    static let meta = "metadata=%7B%22zone%22%3A%22a%22%7D"

    @Test("instances: register, update, patch, detail, list, deregister (v1 and v2)")
    func instances() async throws {
        try await run([
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9001&\(Self.meta)", 200, ["ok"]),
            Call(.POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9002", 200, [#""data":"ok""#]),
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1", 400, ["port"]),
            Call(.POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=70000", 400, [#""code":20002"#]),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=1&weight=10001", 400,
                [#""code":21001"#]),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=1&metadata=oops", 400,
                [#""code":21002"#]),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=1&clusterName=a%20b", 400,
                [#""code":21004"#]),
            Call(.POST, "/nacos/v2/ns/instance", "ip=127.0.0.1&port=1", 400, [#""code":10000"#, "serviceName"]),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=1&healthy=maybe", 400, ["boolean"]),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9&ephemeral=false", 400,
                [#""code":20005"#]),
            Call(.PUT, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9001&weight=3", 200, ["ok"]),
            Call(
                .PUT, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9999&weight=3", 404,
                [#""code":21003"#]),
            Call(.PATCH, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9002&enabled=false", 200, ["ok"]),
            Call(.PATCH, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9002&weight=-1", 400, ["weight"]),
            Call(
                .GET, "/nacos/v1/ns/instance?serviceName=shop&ip=127.0.0.1&port=9001", "", 200,
                [#""service":"DEFAULT_GROUP@@shop""#, #""weight":3"#, #""zone":"a""#]),
            Call(
                .GET, "/nacos/v2/ns/instance?serviceName=shop&ip=127.0.0.1&port=9001", "", 200,
                [#""serviceName":"DEFAULT_GROUP@@shop""#]),
            Call(.GET, "/nacos/v1/ns/instance?serviceName=shop&ip=127.0.0.1&port=1", "", 404, ["no matched ip"]),
            Call(
                .GET, "/nacos/v1/ns/instance/list?serviceName=shop", "", 200,
                [#""name":"DEFAULT_GROUP@@shop""#, #""port":9001"#, #""cacheMillis":10000"#, #""valid":true"#]),
            Call(
                .GET, "/nacos/v2/ns/instance/list?serviceName=shop&healthyOnly=true", "", 200,
                [#""code":0"#, #""hosts":["#]),
            Call(.GET, "/nacos/v1/ns/instance/list?serviceName=bad%20name", "", 400, ["serviceName"]),
            Call(.GET, "/nacos/v1/ns/instance/list?serviceName=a@@b@@c", "", 400, ["groupName@@serviceName"]),
            Call(.DELETE, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9001", 200, ["ok"]),
            Call(.DELETE, "/nacos/v2/ns/instance", "serviceName=shop&ip=127.0.0.1", 400, [#""code":10000"#]),
        ])
    }

    @Test("instance statuses, metadata batch and beats")
    func statusesBatchBeat() async throws {
        try await run([
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9001"),
            Call(
                .GET, "/nacos/v1/ns/instance/statuses?key=DEFAULT_GROUP@@shop", "", 200,
                [#""ips":["127.0.0.1:9001_true"]"#]),
            Call(
                .GET, "/nacos/v2/ns/instance/statuses/public%23%23DEFAULT_GROUP@@shop", "", 200, ["127.0.0.1:9001_true"]
            ),
            Call(.GET, "/nacos/v1/ns/instance/statuses", "", 400, ["key"]),
            Call(
                .PUT, "/nacos/v1/ns/instance/metadata/batch", "serviceName=shop&metadata=%7B%22v%22%3A%222%22%7D", 200,
                [#""updated":["127.0.0.1:9001:unknown:DEFAULT:ephemeral"]"#]),
            Call(
                .DELETE, "/nacos/v2/ns/instance/metadata/batch", "serviceName=shop&metadata=%7B%22v%22%3A%22%22%7D",
                200,
                [#""code":0"#, "127.0.0.1:9001"]),
            Call(.PUT, "/nacos/v1/ns/instance/metadata/batch", "serviceName=shop", 400, ["metadata"]),
            Call(
                .PUT, "/nacos/v1/ns/instance/beat", "serviceName=DEFAULT_GROUP@@shop&ip=127.0.0.1&port=9001", 200,
                [#""code":10200"#, #""clientBeatInterval":5000"#, #""lightBeatEnabled":true"#]),
            Call(
                .PUT, "/nacos/v2/ns/instance/beat", "serviceName=DEFAULT_GROUP@@shop&ip=127.0.0.1&port=9555", 200,
                [#""code":20404"#]),
            Call(.PUT, "/nacos/v1/ns/instance/beat", "serviceName=DEFAULT_GROUP@@shop&beat=notjson", 400, ["beat"]),
        ])
    }

    @Test("health: manual marks, server answer, checkers")
    func health() async throws {
        try await run([
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=shop&ip=127.0.0.1&port=9001"),
            Call(.PUT, "/nacos/v1/ns/health", "serviceName=shop&ip=127.0.0.1&port=9001&healthy=false", 200, ["ok"]),
            Call(
                .PUT, "/nacos/v1/ns/health/instance", "serviceName=shop&ip=127.0.0.1&port=9001&valid=true", 200, ["ok"]),
            Call(
                .PUT, "/nacos/v2/ns/health", "serviceName=shop&ip=127.0.0.1&port=9001", 400,
                [#""code":10000"#, "healthy"]),
            Call(
                .PUT, "/nacos/v2/ns/health/instance", "serviceName=shop&ip=127.0.0.1&port=1&healthy=true", 404,
                [#""code":21003"#]),
            Call(.PUT, "/nacos/v1/ns/health/instance", "serviceName=shop&ip=127.0.0.1&port=9001", 400, ["healthy"]),
            Call(
                .PUT, "/nacos/v2/ns/health/instance", "serviceName=shop&ip=127.0.0.1&port=9001&healthy=true", 200,
                [#""data":"ok""#]),
            Call(.GET, "/nacos/v1/ns/health/server", "", 200, ["healthy"]),
            Call(.GET, "/nacos/v1/ns/health/checkers", "", 200, [#""HTTP":{"#, #""TCP":{"type":"TCP"}"#]),
        ])
    }

    @Test("services: create, get, update, list, names, subscribers, delete")
    func services() async throws {
        try await run([
            Call(.POST, "/nacos/v1/ns/service", "serviceName=catalog&protectThreshold=0.5&\(Self.meta)", 200, ["ok"]),
            Call(.POST, "/nacos/v2/ns/service", "serviceName=catalog", 400, [#""code":21007"#]),
            Call(.POST, "/nacos/v2/ns/service", "serviceName=bad%20name", 400, [#""code":20002"#]),
            Call(.POST, "/nacos/v2/ns/service", "serviceName=eph&ephemeral=true", 200),
            Call(
                .GET, "/nacos/v1/ns/service?serviceName=catalog", "", 200,
                [#""protectThreshold":0.5"#, #""zone":"a""#, #""selector":{"type":"none"}"#]),
            Call(.GET, "/nacos/v2/ns/service?serviceName=eph", "", 200, [#""ephemeral":true"#, #""clusterMap":{}"#]),
            Call(.GET, "/nacos/v2/ns/service?serviceName=missing", "", 400, [#""code":21008"#]),
            Call(.PUT, "/nacos/v1/ns/service", "serviceName=catalog&protectThreshold=0.2", 200, ["ok"]),
            Call(.PUT, "/nacos/v1/ns/service", "serviceName=catalog", 400, ["protectThreshold"]),
            Call(.PUT, "/nacos/v2/ns/service", "serviceName=catalog&protectThreshold=2", 400, [#""code":20002"#]),
            Call(
                .GET, "/nacos/v1/ns/service/list?pageNo=1&pageSize=10", "", 200,
                [#""count":2"#, #""doms":["catalog","eph"]"#]),
            Call(.GET, "/nacos/v2/ns/service/list", "", 200, [#""services":["catalog","eph"]"#]),
            Call(.GET, "/nacos/v1/ns/service/list?pageNo=x", "", 400, ["pageNo"]),
            Call(.GET, "/nacos/v1/ns/service/names", "", 200, [#""META-INF/services":{"public":["#, #""count":2"#]),
            Call(.GET, "/nacos/v1/ns/service/subscribers?serviceName=catalog", "", 200, [#""subscribers":[]"#]),
            Call(.GET, "/nacos/v1/ns/service/subscribers", "", 400, ["serviceName"]),
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=catalog&ip=127.0.0.1&port=9001&ephemeral=false"),
            Call(.DELETE, "/nacos/v2/ns/service", "serviceName=catalog", 400, [#""code":21009"#]),
            Call(.DELETE, "/nacos/v1/ns/service", "serviceName=eph", 200, ["ok"]),
            Call(.DELETE, "/nacos/v1/ns/service", "serviceName=eph", 400, ["not found"]),
        ])
    }

    @Test("clusters, catalog, operator")
    func clustersCatalogOperator() async throws {
        let checker = "healthChecker=%7B%22type%22%3A%22NONE%22%7D"
        try await run([
            Call(
                .POST, "/nacos/v1/ns/instance", "serviceName=pay&ip=127.0.0.1&port=9001&ephemeral=false&clusterName=c1"),
            Call(
                .PUT, "/nacos/v1/ns/cluster",
                "serviceName=pay&clusterName=c1&checkPort=8080&useInstancePort4Check=false&\(checker)", 200, ["ok"]),
            Call(
                .PUT, "/nacos/v1/ns/cluster", "serviceName=pay&clusterName=c1&checkPort=8080&healthChecker=notjson",
                400, ["healthChecker"]),
            Call(
                .PUT, "/nacos/v1/ns/cluster", "serviceName=nope&clusterName=c1&checkPort=80&\(checker)", 400,
                ["service not found"]),
            Call(.PUT, "/nacos/v1/ns/cluster", "serviceName=pay&clusterName=c1&\(checker)", 400, ["checkPort"]),
            Call(
                .GET, "/nacos/v1/ns/catalog/service?serviceName=pay", "", 200,
                [#""defaultCheckPort":8080"#, #""type":"NONE""#]),
            Call(.GET, "/nacos/v1/ns/catalog/service?serviceName=nope", "", 404),
            Call(
                .GET, "/nacos/v1/ns/catalog/instances?serviceName=pay&clusterName=c1&pageNo=1&pageSize=10", "", 200,
                [#""count":1"#, #""list":[{"#]),
            Call(
                .GET, "/nacos/v1/ns/catalog/instances?serviceName=pay&clusterName=zz&pageNo=1&pageSize=10", "", 404,
                ["cluster zz is not found!"]),
            Call(
                .GET, "/nacos/v2/ns/catalog/instances?serviceName=pay&pageNo=1&pageSize=10", "", 200,
                [#""instances":[{"#]),
            Call(
                .GET, "/nacos/v1/ns/catalog/services?pageNo=1&pageSize=10", "", 200,
                [#""serviceList":[{"#, #""ipCount":1"#]),
            Call(.GET, "/nacos/v1/ns/catalog/services?pageNo=x", "", 400, ["pageNo"]),
            Call(
                .GET, "/vitals/v1/ns/instance/history?serviceName=pay&ip=127.0.0.1&port=9001", "", 200, ["registered"]),
            Call(
                .GET, "/vitals/v1/ns/instance/history?serviceName=pay&ip=127.0.0.1&port=1", "", 404, [#""code":21003"#]),
            Call(.GET, "/nacos/v1/ns/service/names?namespaceId=other", "", 200, [#""count":0"#]),
            Call(.GET, "/nacos/v1/ns/operator/metrics", "", 200, [#""status":"UP""#]),
            Call(.GET, "/nacos/v2/ns/operator/metrics?onlyStatus=false", "", 200, [#""instanceCount":1"#]),
            Call(.GET, "/nacos/v1/ns/operator/metrics?onlyStatus=perhaps", "", 400, ["boolean"]),
            Call(.GET, "/nacos/v1/ns/operator/switches", "", 200, [#""checkTimes":3"#]),
            Call(.PUT, "/nacos/v1/ns/operator/switches", "entry=checkTimes&value=5", 400, ["config file"]),
        ])
    }

    @Test("namespaces")
    func namespaces() async throws {
        try await run([
            Call(.GET, "/nacos/v1/console/namespaces", "", 200, [#""namespace":"public""#, #""code":200"#]),
            Call(
                .POST, "/nacos/v1/console/namespaces", "customNamespaceId=team-a&namespaceName=Team%20A", 200, ["true"]),
            Call(
                .POST, "/nacos/v1/console/namespaces", "customNamespaceId=team-a&namespaceName=again", 400, ["existed"]),
            Call(
                .POST, "/nacos/v1/console/namespaces", "customNamespaceId=bad%20id&namespaceName=x", 400, ["mismatch"]),
            Call(.GET, "/nacos/v1/console/namespaces?namespaceId=team-a", "", 200, [#""namespaceShowName":"Team A""#]),
            Call(
                .PUT, "/nacos/v1/console/namespaces", "namespace=team-a&namespaceShowName=Team%20Alpha", 200, ["true"]),
            Call(.PUT, "/nacos/v1/console/namespaces", "namespace=nope&namespaceShowName=x", 400, ["does not exist"]),
            Call(.POST, "/nacos/v1/ns/instance", "serviceName=svc&ip=127.0.0.1&port=1&namespaceId=team-a"),
            Call(.GET, "/nacos/v1/ns/instance/list?serviceName=svc&namespaceId=team-a", "", 200, [#""port":1"#]),
            Call(.GET, "/nacos/v1/ns/instance/list?serviceName=svc", "", 200, [#""hosts":[]"#]),
            Call(.DELETE, "/nacos/v1/console/namespaces", "namespaceId=team-a", 200, ["true"]),
            Call(.DELETE, "/nacos/v1/console/namespaces", "namespaceId=public", 400),
        ])
    }

    @Test("oversized bodies are refused, parameters too long are refused")
    func limits() async throws {
        let huge = "serviceName=" + String(repeating: "a", count: 70 * 1024)
        let longMetadata = "metadata=" + String(repeating: "k=v,", count: 300)
        try await run([
            Call(.POST, "/nacos/v2/ns/instance", huge, 413),
            Call(
                .POST, "/nacos/v2/ns/instance",
                "serviceName=" + String(repeating: "a", count: 513) + "&ip=127.0.0.1&port=1", 400),
            Call(
                .POST, "/nacos/v2/ns/instance", "serviceName=s&ip=127.0.0.1&port=1&" + longMetadata, 400,
                [#""code":21002"#]),
            Call(
                .POST, "/nacos/v2/ns/instance",
                "serviceName=s&ip=127.0.0.1&port=1&namespaceId=" + String(repeating: "n", count: 65), 400),
        ])
    }
}

/// Every service-scoped route in both API versions refuses a malformed service name with 400,
/// and a missing one with 400 naming the parameter.
@Suite("Nacos endpoints: bad service names in every route and version", .timeLimit(.minutes(2)))
struct NacosBadNameTests {
    static let routes: [(HTTPMethod, String)] = [
        (.POST, "instance"), (.DELETE, "instance"), (.PUT, "instance"), (.PATCH, "instance"), (.GET, "instance"),
        (.GET, "instance/list"), (.PUT, "instance/beat"), (.PUT, "health"), (.PUT, "health/instance"),
        (.POST, "service"), (.DELETE, "service"), (.PUT, "service"), (.GET, "service"),
        (.PUT, "instance/metadata/batch"), (.DELETE, "instance/metadata/batch"), (.GET, "catalog/instances"),
    ]

    @Test("malformed and missing service names", arguments: ["v1", "v2"])
    func badNames(version: String) async throws {
        try await withServer { client in
            for (method, route) in Self.routes {
                let path = "/nacos/\(version)/ns/\(route)"
                let common =
                    "ip=127.0.0.1&port=1&healthy=true&protectThreshold=0.1&metadata=a%3Db&weight=1&enabled=true"
                let malformed = try await client.request(
                    method, path, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: "serviceName=bad%20name&\(common)")
                #expect(
                    malformed.status == 400, "\(method) \(path) malformed -> \(malformed.status) \(malformed.bodyText)")
                #expect(malformed.bodyText.contains("serviceName"), "\(method) \(path): \(malformed.bodyText)")
                let missing = try await client.request(
                    method, path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: common)
                #expect(missing.status == 400, "\(method) \(path) missing -> \(missing.status) \(missing.bodyText)")
                #expect(missing.bodyText.contains("serviceName"), "\(method) \(path): \(missing.bodyText)")
                if version == "v2" {
                    #expect(missing.bodyText.contains(#""code":10000"#), "\(method) \(path): \(missing.bodyText)")
                }
            }
        }
    }
}
