import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VitalsServer

/// What the schemathesis run (reliability/openapi_fuzz.sh) and the OpenAPI review found, kept fixed.
@Suite("OpenAPI fuzz findings stay fixed", .timeLimit(.minutes(1)))
struct FuzzFindingsTests {
    static let form = "application/x-www-form-urlencoded"

    @Test("a page number near Int.max answers an empty page, and the server keeps serving")
    func hugePageNumbers() async throws {
        try await withServer { client in
            let response = try await client.request(
                .POST, "/nacos/v2/ns/instance", headers: [("Content-Type", Self.form)],
                body: "serviceName=paged&ip=127.0.0.1&port=7001")
            #expect(response.status == 200)
            let big = Int.max
            for path in [
                "/nacos/v1/ns/catalog/services?pageNo=\(big)&pageSize=1000",
                "/nacos/v2/ns/catalog/instances?serviceName=paged&pageNo=\(big)&pageSize=1000",
                "/nacos/v1/ns/catalog/instances?serviceName=paged&clusterName=DEFAULT&pageNo=\(big)",
                "/nacos/v1/ns/service/list?pageNo=\(big)&pageSize=500",
                "/nacos/v2/ns/service/list?pageNo=\(big - 1)&pageSize=\(big)",
            ] {
                let page = try await client.get(path)
                #expect(page.status == 200, "\(path) -> \(page.status) \(page.bodyText)")
            }
            #expect(try await client.get("/vitals/ping").status == 200)
        }
    }

    @Test("GET namespaces with an oversized form body is 413, not 500")
    func oversizedNamespacesQuery() async throws {
        try await withServer { client in
            let response = try await client.request(
                .GET, "/nacos/v1/console/namespaces", headers: [("Content-Type", Self.form)],
                body: String(repeating: "a", count: 70_000))
            #expect(response.status == 413)
        }
    }

    @Test("a beat with an illegal ip is refused with 400")
    func beatWithIllegalIP() async throws {
        try await withServer { client in
            let response = try await client.request(
                .PUT, "/nacos/v1/ns/instance/beat", headers: [("Content-Type", Self.form)],
                body: "serviceName=beaten&ip=1.2.3.4%0A&port=80")
            #expect(response.status == 400)
            #expect(response.bodyText.contains("Param 'ip' is illegal"))
        }
    }
}
