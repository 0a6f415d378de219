import Foundation
import TestSupport
import Testing

@Suite("Registry durability with the real binary", .timeLimit(.minutes(2)))
struct PersistenceTests {
    static let form = "application/x-www-form-urlencoded"

    @Test("acknowledged persistent writes survive kill -9 and a restart")
    func survivesKill() async throws {
        let dataDirectory = temporaryDirectory("vitals-durable")
        let first = try await BinaryTests.start(["--data-dir", dataDirectory], useOwnDataDirectory: false)
        let client = TestClient(port: first.port)
        var acknowledged: [Int] = []
        for index in 0..<40 {
            let response = try await client.request(
                .POST, "/nacos/v1/ns/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=durable&ip=127.0.1.\(index % 250)&port=\(9000 + index)&ephemeral=false")
            if response.status == 200, response.bodyText == "ok" { acknowledged.append(9000 + index) }
        }
        let created = try await client.request(
            .POST, "/nacos/v2/ns/service", headers: [("Content-Type", Self.form)],
            body: "serviceName=configured&protectThreshold=0.5&metadata=team%3Dpayments")
        #expect(created.status == 200)
        let cluster = try await client.request(
            .PUT, "/nacos/v1/ns/cluster", headers: [("Content-Type", Self.form)],
            body:
                "serviceName=configured&clusterName=DEFAULT&checkPort=8080&useInstancePort4Check=false&healthChecker=%7B%22type%22%3A%22NONE%22%7D"
        )
        #expect(cluster.status == 200)
        let down = try await client.request(
            .PUT, "/nacos/v2/ns/health/instance", headers: [("Content-Type", Self.form)],
            body: "serviceName=durable&ip=127.0.1.0&port=9000&healthy=false")
        #expect(down.status == 200)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(acknowledged.count == 40)

        let second = try await BinaryTests.start(["--data-dir", dataDirectory], useOwnDataDirectory: false)
        defer {
            kill(second.process.processIdentifier, SIGKILL)
            second.process.waitUntilExit()
        }
        let again = TestClient(port: second.port)
        let list = try TestClient.object(try await again.get("/nacos/v1/ns/instance/list?serviceName=durable"))
        let hosts = list["hosts"] as? [[String: Any]] ?? []
        #expect(Set(hosts.compactMap { $0["port"] as? Int }) == Set(acknowledged))
        #expect(hosts.allSatisfy { $0["ephemeral"] as? Bool == false })
        let marked = hosts.first { $0["port"] as? Int == 9000 }
        #expect(marked?["trueHealthy"] as? Bool == false)
        let service = try TestClient.object(try await again.get("/nacos/v2/ns/service?serviceName=configured"))
        let data = service["data"] as? [String: Any]
        #expect(data?["protectThreshold"] as? Double == 0.5)
        #expect((data?["metadata"] as? [String: String])?["team"] == "payments")
        let clusterMap = data?["clusterMap"] as? [String: [String: Any]]
        #expect(clusterMap?["DEFAULT"]?["checkPort"] as? Int == 8080)
        #expect((clusterMap?["DEFAULT"]?["healthChecker"] as? [String: Any])?["type"] as? String == "NONE")
    }
}
