import Foundation
import TestSupport
import Testing
import VitalsServer

@Suite("Auth over HTTP on the real server", .timeLimit(.minutes(2)))
struct AuthHTTPTests {
    static let form = "application/x-www-form-urlencoded"

    static func withAuthServer(openReads: Bool = false, _ body: (TestClient) async throws -> Void) async throws {
        let configure: (inout ServerConfiguration) -> Void = { configuration in
            configuration.auth.auth.enabled = true
            configuration.auth.auth.openReads = openReads
            configuration.auth.adminPassword = "admin-pw"
            configuration.auth.auth.passwordRounds = 1_000
        }
        try await withServer(configure: configure, body)
    }

    static func post(_ client: TestClient, _ path: String, _ body: String) async throws -> (Int, String) {
        let response = try await client.request(.POST, path, headers: [("Content-Type", form)], body: body)
        return (Int(response.status), response.bodyText)
    }

    static func login(_ client: TestClient, _ user: String, _ password: String) async throws -> String {
        let (status, body) = try await post(client, "/nacos/v1/auth/login", "username=\(user)&password=\(password)")
        #expect(status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return json?["accessToken"] as? String ?? ""
    }

    @Test("writes need a token: 403 with Nacos's code without one, success with one")
    func writesNeedAToken() async throws {
        try await Self.withAuthServer { client in
            let register = "serviceName=svc&ip=127.0.0.1&port=9001"
            let v1 = try await Self.post(client, "/nacos/v1/ns/instance", register)
            #expect(v1.0 == 403)
            let v2 = try await Self.post(client, "/nacos/v2/ns/instance", register)
            #expect(v2.0 == 403)
            #expect(v2.1.hasPrefix(#"{"code":10001,"message":"access denied""#))
            #expect(try await client.get("/nacos/v1/ns/instance/list?serviceName=svc").status == 403)

            let token = try await Self.login(client, "nacos", "admin-pw")
            #expect(try await Self.post(client, "/nacos/v2/ns/instance", register + "&accessToken=\(token)").0 == 200)
            let list = try await client.get(
                "/nacos/v1/ns/instance/list?serviceName=svc", headers: [("accessToken", token)])
            #expect(list.status == 200)
            let bearer = try await client.get(
                "/nacos/v1/ns/instance/list?serviceName=svc", headers: [("Authorization", "Bearer \(token)")])
            #expect(bearer.status == 200)
            // A tampered token is refused.
            let tampered = String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A")
            #expect(
                try await Self.post(client, "/nacos/v1/ns/instance", register + "&accessToken=\(tampered)").0 == 403)
            // Health endpoints stay open for probes and load balancers.
            let health = try await client.get("/ext/health")
            #expect(health.status != 403, "\(health.bodyText)")
            #expect(try await client.get("/livez").status == 200)
        }
    }

    @Test("a token for namespace A cannot write namespace B; admin-only routes refuse team users")
    func namespacesAreKeptApart() async throws {
        try await Self.withAuthServer(openReads: true) { client in
            let admin = try await Self.login(client, "nacos", "admin-pw")
            for step in [
                "/nacos/v1/auth/users|username=alice&password=alice-pw",
                "/nacos/v1/auth/roles|role=team-a&username=alice",
                "/nacos/v1/auth/permissions|role=team-a&resource=ns-a&action=rw",
            ] {
                let parts = step.split(separator: "|").map(String.init)
                let (status, body) = try await Self.post(client, parts[0], parts[1] + "&accessToken=\(admin)")
                #expect(status == 200, "\(step): \(body)")
            }
            let alice = try await Self.login(client, "alice", "alice-pw")
            let own = "serviceName=svc&ip=127.0.0.1&port=9002&namespaceId=ns-a&accessToken=\(alice)"
            #expect(try await Self.post(client, "/nacos/v2/ns/instance", own).0 == 200)
            let other = "serviceName=svc&ip=127.0.0.1&port=9003&namespaceId=ns-b&accessToken=\(alice)"
            let refused = try await Self.post(client, "/nacos/v2/ns/instance", other)
            #expect(refused.0 == 403)
            #expect(refused.1.contains("may not write ns-b:DEFAULT_GROUP:naming/svc"))
            // Reads are open in this configuration; writes are not.
            #expect(try await client.get("/nacos/v1/ns/instance/list?serviceName=svc&namespaceId=ns-b").status == 200)
            let createUser = try await Self.post(
                client, "/nacos/v1/auth/users", "username=mallory&password=x&accessToken=\(alice)")
            #expect(createUser.0 == 403)
            let namespace = try await Self.post(
                client, "/nacos/v1/console/namespaces", "customNamespaceId=x&namespaceName=x&accessToken=\(alice)")
            #expect(namespace.0 == 403)
            // Alice may change her own password, which ends her old token.
            let change = try await client.request(
                .PUT, "/nacos/v1/auth/users", headers: [("Content-Type", Self.form)],
                body: "username=alice&newPassword=new-pw&accessToken=\(alice)")
            #expect(change.status == 200)
            #expect(try await Self.post(client, "/nacos/v2/ns/instance", own).0 == 403)
        }
    }

    @Test("auth config: secrets from the environment, misspelt keys refused, short secrets refused")
    func configuration() throws {
        let file = try YAMLConfig.decode(
            """
            auth:
              enabled: true
              adminPassword: ${TEST_ADMIN_PW}
              tokenSecret: ${TEST_SECRET}
              tokenTtl: 10m
            """)
        let secret = Data(repeating: 1, count: 32).base64EncodedString()
        var environment = ServerConfiguration.Overrides()
        environment.values = ["TEST_ADMIN_PW": "from-env", "TEST_SECRET": secret]
        let config = try ServerConfiguration.resolve(file: file, environment: environment, flags: .init())
        #expect(config.auth.auth.enabled)
        #expect(config.auth.adminPassword == "from-env")
        #expect(config.auth.tokenSecret == Data(repeating: 1, count: 32))
        #expect(config.auth.auth.tokenTTLSeconds == 600)

        environment.values = [:]
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(file: file, environment: environment, flags: .init())
        }
        #expect(throws: ConfigurationError.self) { try YAMLConfig.decode("auth:\n  enable: true\n") }
        let short = try YAMLConfig.decode("auth:\n  tokenSecret: c2hvcnQ=\n")
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(file: short, environment: .init(), flags: .init())
        }
    }
}

/// Writes `text` to a temporary config file and loads it the way `vitals serve --config` does.
enum YAMLConfig {
    static func decode(_ text: String) throws -> ServerConfiguration.File {
        let path = temporaryDirectory("vitals-config") + ".yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ServerConfiguration.loadFile(at: path)
    }
}
