import Foundation
import NIOHTTP1
import TestSupport
import Testing

@testable import VitalsServer

/// The fast path (beats, lists and health updates answered on the event loop) must be invisible
/// to clients: the same answers as the router, in the same order, with the same limits.
@Suite("Hot routes answer on the event loop exactly as the router does")
struct HotRoutesTests {
    /// Requests covering every branch of the three hot routes, including those left to the router.
    static let script: [(HTTPMethod, String, String?)] = [
        (.POST, "/nacos/v1/ns/instance?serviceName=s1&ip=10.0.0.1&port=80", nil),
        (.POST, "/nacos/v1/ns/instance?serviceName=s1&ip=10.0.0.2&port=80&ephemeral=false", nil),
        (.POST, "/nacos/v1/ns/instance?serviceName=s1&ip=10.0.0.3&port=80&clusterName=c2", nil),
        (.PUT, "/nacos/v1/ns/instance/beat?serviceName=s1&ip=10.0.0.1&port=80", nil),
        (.PUT, "/nacos/v2/ns/instance/beat?serviceName=DEFAULT_GROUP%40%40s1&ip=10.0.0.1&port=80", nil),
        (.PUT, "/nacos/v1/ns/instance/beat?serviceName=s1&ip=10.0.0.9&port=80", nil),
        (.PUT, "/nacos/v1/ns/instance/beat", "serviceName=s1&ip=10.0.0.1&port=80"),
        (
            .PUT, "/nacos/v1/ns/instance/beat?serviceName=s1",
            "beat=%7B%22ip%22%3A%2210.0.0.7%22%2C%22port%22%3A81%7D"
        ),
        (.PUT, "/nacos/v1/ns/instance/beat?ip=10.0.0.1&port=80", nil),
        (.PUT, "/nacos/v1/ns/instance/beat?serviceName=s1&ip=10.0.0.1&port=99999", nil),
        (.PUT, "/nacos/v1/ns/instance/beat?serviceName=s%201&ip=10.0.0.1&port=80", nil),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=s1", nil),
        (.GET, "/nacos/v2/ns/instance/list?serviceName=s1&clusters=c2", nil),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=s1&healthyOnly=true", nil),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=nope", nil),
        (.GET, "/nacos/v1/ns/instance/list", nil),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=s1&healthyOnly=maybe", nil),
        (.PUT, "/nacos/v1/ns/health?serviceName=s1&ip=10.0.0.1&port=80&healthy=false", nil),
        (.PUT, "/nacos/v2/ns/health/instance?serviceName=s1&ip=10.0.0.2&port=80&healthy=false", nil),
        (.PUT, "/nacos/v2/ns/health/instance?serviceName=s1&ip=10.0.0.9&port=80&healthy=false", nil),
        (.PUT, "/nacos/v2/ns/health/instance?serviceName=s1&ip=10.0.0.1&port=80", nil),
        (.PUT, "/nacos/v2/ns/health/instance", "serviceName=s1&ip=10.0.0.3&port=80&healthy=maybe"),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=s1", nil),
        (.GET, "/nacos/v2/ns/instance/list?serviceName=s1&healthyOnly=true", nil),
        (.PUT, "/nacos/v1/ns/health?serviceName=s1&ip=10.0.0.1&port=80&healthy=true", nil),
        (.GET, "/nacos/v1/ns/instance/list?serviceName=s1", nil),
    ]

    /// Status, content type and body of each answer; revisions are wall-clock based, so masked.
    static func run(_ client: TestClient) async throws -> [String] {
        var answers: [String] = []
        for (method, path, body) in script {
            let response = try await client.request(
                method, path,
                headers: body == nil ? [] : [("Content-Type", "application/x-www-form-urlencoded")], body: body)
            let text = response.bodyText.replacingOccurrences(
                of: #""lastRefTime":[0-9]+"#, with: #""lastRefTime":_"#, options: .regularExpression)
            answers.append(
                "\(method) \(path) → \(response.status) \(response.headers.first(name: "content-type") ?? "") \(text)")
        }
        return answers
    }

    static func hotRequests(_ client: TestClient) async throws -> Int {
        let text = try await client.get("/metrics").bodyText
        let line = text.split(separator: "\n").first { $0.hasPrefix("vitals_http_hot_requests ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func sameAnswersAsTheRouter() async throws {
        var hot: [String] = []
        var routed: [String] = []
        try await withServer { client in
            // The counter is process-wide (other tests may add to it, never take away).
            let before = try await Self.hotRequests(client)
            hot = try await Self.run(client)
            #expect(try await Self.hotRequests(client) - before >= 15)
        }
        let routerOnly: (inout ServerConfiguration) -> Void = { $0.hotRoutes = false }
        try await withServer(configure: routerOnly) { client in
            routed = try await Self.run(client)
        }
        #expect(hot.count == routed.count)
        for (fast, slow) in zip(hot, routed) {
            #expect(fast == slow)
        }
    }

    @Test func pipelinedAnswersKeepTheirOrder() async throws {
        try await withServer { client in
            // The registration goes through the router; the beat right behind it must wait for it
            // (and see the instance), and every answer must come back in request order.
            let requests = [
                "POST /nacos/v1/ns/instance?serviceName=p1&ip=10.1.0.1&port=80 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                "PUT /nacos/v1/ns/instance/beat?serviceName=p1&ip=10.1.0.1&port=80 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                "GET /nacos/v1/ns/instance/list?serviceName=p1 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /vitals/ping HTTP/1.1\r\nHost: x\r\n\r\n",
                "PUT /nacos/v1/ns/instance/beat?serviceName=p1&ip=10.1.0.1&port=80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            ]
            let reply = try RawHTTP.exchange(port: client.port, Array(requests.joined().utf8))
            let bodies = RawHTTP.bodies(reply)
            #expect(bodies.count == 5, "\(reply)")
            guard bodies.count == 5 else { return }
            #expect(bodies[0] == "ok")
            #expect(bodies[1].contains("\"code\":10200"))
            #expect(bodies[2].contains("10.1.0.1"))
            #expect(bodies[3] == "pong")
            #expect(bodies[4].contains("\"code\":10200"))
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer { client in
            _ = try await client.request(.POST, "/nacos/v1/ns/instance?serviceName=k1&ip=10.3.0.1&port=80")
            let request =
                "PUT /nacos/v1/ns/instance/beat?serviceName=k1&ip=10.3.0.1&port=80 HTTP/1.1\r\n"
                + "Host: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            let (reply, closed) = try RawHTTP.exchangeUntilClosed(port: client.port, Array(request.utf8))
            #expect(reply.lowercased().contains("connection: close"))
            #expect(RawHTTP.bodies(reply).count == 1)
            #expect(closed, "the server kept the connection open")
        }
    }

    @Test func anOversizedBodyIsRefusedAsByTheRouter() async throws {
        try await withServer { client in
            let body = "serviceName=s1&ip=10.0.0.1&port=80&pad=" + String(repeating: "x", count: 70 * 1024)
            let response = try await client.request(
                .PUT, "/nacos/v1/ns/instance/beat", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: body)
            #expect(response.status == 413)
        }
    }

    @Test func cachedListsFollowEveryChange() async throws {
        try await withServer { client in
            _ = try await client.request(.POST, "/nacos/v1/ns/instance?serviceName=c1&ip=10.2.0.1&port=80")
            let first = try await client.get("/nacos/v1/ns/instance/list?serviceName=c1").bodyText
            _ = try await client.request(.PUT, "/nacos/v1/ns/instance/beat?serviceName=c1&ip=10.2.0.1&port=80")
            #expect(try await client.get("/nacos/v1/ns/instance/list?serviceName=c1").bodyText == first)
            _ = try await client.request(
                .PUT, "/nacos/v1/ns/health?serviceName=c1&ip=10.2.0.1&port=80&healthy=false")
            let down = try await client.get("/nacos/v1/ns/instance/list?serviceName=c1&healthyOnly=false").bodyText
            #expect(down.contains("\"healthy\":false"))
            _ = try await client.request(.PUT, "/nacos/v1/ns/instance?serviceName=c1&ip=10.2.0.1&port=80&weight=3")
            #expect(try await client.get("/nacos/v1/ns/instance/list?serviceName=c1").bodyText.contains("\"weight\":3"))
        }
    }

    @Test func anIdleConnectionIsClosedAfterHotRequests() async throws {
        let shortIdle: (inout ServerConfiguration) -> Void = { $0.idleTimeout = .milliseconds(500) }
        try await withServer(configure: shortIdle) { client in
            _ = try await client.request(.POST, "/nacos/v1/ns/instance?serviceName=i1&ip=10.4.0.1&port=80")
            let request =
                "PUT /nacos/v1/ns/instance/beat?serviceName=i1&ip=10.4.0.1&port=80 HTTP/1.1\r\n"
                + "Host: x\r\nContent-Length: 0\r\n\r\n"
            let (reply, closed) = try RawHTTP.exchangeUntilClosed(port: client.port, Array(request.utf8))
            #expect(RawHTTP.bodies(reply).first?.contains("\"code\":10200") == true)
            #expect(closed, "the idle timeout did not close a connection whose requests took the fast path")
        }
    }

    @Test(arguments: ["/nacos/v1/ns/instance/beat", "/nacos/v1/ns/instance"])
    func anIncompleteBodyIsCutOff(path: String) async throws {
        let shortRead: (inout ServerConfiguration) -> Void = { $0.requestReadTimeout = .milliseconds(300) }
        try await withServer(configure: shortRead) { client in
            let request =
                "PUT \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 40\r\n\r\nserviceName=s"
            let (reply, closed) = try RawHTTP.exchangeUntilClosed(port: client.port, Array(request.utf8))
            #expect(closed, "the connection stayed open with a body still missing")
            #expect(reply.isEmpty)
        }
    }

    @Test func dateHeaderIsIMFFixdate() {
        #expect(HTTPDate.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 1_795_297_688) == "Sat, 21 Nov 2026 21:48:08 GMT")
    }
}

/// A blocking HTTP/1.1 exchange over a plain socket: pipelining needs bytes on the wire as sent.
enum RawHTTP {
    static func exchange(port: Int, _ bytes: [UInt8]) throws -> String {
        try exchangeUntilClosed(port: port, bytes).text
    }

    /// Sends `bytes` and reads until the server closes (`closed`) or 10 s pass without data.
    static func exchangeUntilClosed(port: Int, _ bytes: [UInt8]) throws -> (text: String, closed: Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect() failed") }
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw TestFailure("send() failed") }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += chunk[0..<count]
        }
    }

    /// The bodies of consecutive `Content-Length` responses.
    static func bodies(_ text: String) -> [String] {
        var bodies: [String] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound].lowercased()
            guard let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { break }
            let bodyStart = headEnd.upperBound
            let bodyEnd = rest.utf8.index(bodyStart, offsetBy: length, limitedBy: rest.utf8.endIndex) ?? rest.endIndex
            bodies.append(String(rest[bodyStart..<bodyEnd]))
            rest = rest[bodyEnd...]
        }
        return bodies
    }
}
