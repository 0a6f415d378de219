import Foundation
import TestSupport
import Testing
import VitalsServer

@Suite("Seed: HTTP health on the registered instance port", .timeLimit(.minutes(2)))
struct NacosSeedTests {
    static let form = "application/x-www-form-urlencoded"

    @Test("register, then the seed's PUT health/instance marks it down and back up")
    func seedFlow() async throws {
        try await withServer { client in
            let register = try await client.request(
                .POST, "/nacos/v2/ns/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=nacos.test.1&ip=127.0.0.1&port=8080")
            #expect(register.status == 200)
            #expect(register.bodyText == #"{"code":0,"message":"success","data":"ok"}"#)

            // The seed's curl, verbatim: -d pairs joined with & in a form body, PUT.
            let down = try await client.request(
                .PUT, "/nacos/v2/ns/health/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=nacos.test.1&ip=127.0.0.1&port=8080&healthy=false")
            #expect(down.status == 200)
            #expect(down.bodyText == #"{"code":0,"message":"success","data":"ok"}"#)
            let hosts = try await Self.hosts(client, "nacos.test.1")
            #expect(hosts.count == 1)
            #expect(hosts.first?["healthy"] as? Bool == false)
            #expect(hosts.first?["trueHealthy"] as? Bool == false)

            let up = try await client.request(
                .PUT, "/nacos/v2/ns/health/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=nacos.test.1&ip=127.0.0.1&port=8080&healthy=true")
            #expect(up.bodyText == #"{"code":0,"message":"success","data":"ok"}"#)
            #expect(try await Self.hosts(client, "nacos.test.1").first?["healthy"] as? Bool == true)

            let history = try TestClient.object(
                try await client.get("/vitals/v1/ns/instance/history?serviceName=nacos.test.1&ip=127.0.0.1&port=8080"))
            let causes = (history["data"] as? [[String: Any]])?.compactMap { $0["cause"] as? String }
            #expect(causes == ["registered", "set unhealthy by hand", "set healthy by hand"])
        }
    }

    @Test("an unknown instance is a clear 404 with code 21003, not a silent success")
    func unknownInstance() async throws {
        try await withServer { client in
            let response = try await client.request(
                .PUT, "/nacos/v2/ns/health/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=nacos.test.1&ip=127.0.0.1&port=8080&healthy=false")
            #expect(response.status == 404)
            let body = try TestClient.object(response)
            #expect(body["code"] as? Int == 21003)
            #expect(body["message"] as? String == "instance not found")
        }
    }

    static func hosts(_ client: TestClient, _ service: String) async throws -> [[String: Any]] {
        let list = try TestClient.object(try await client.get("/nacos/v2/ns/instance/list?serviceName=\(service)"))
        #expect(list["code"] as? Int == 0)
        return ((list["data"] as? [String: Any])?["hosts"] as? [[String: Any]]) ?? []
    }
}
