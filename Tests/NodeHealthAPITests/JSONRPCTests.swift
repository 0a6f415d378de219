import Foundation
import HealthChecks
import NodeHealthAPI
import Testing

@Suite("JSON-RPC 2.0 on /ext/health")
struct JSONRPCTests {
    let engine: HealthEngine
    let handler: JSONRPCHandler

    init() throws {
        engine = HealthEngine(clock: ManualClock(), configuration: .init(perCheckMetrics: false))
        try engine.register(
            ClosureCheck("net") { nil }, options: CheckOptions(initiallyPassing: true, tags: ["application"]))
        try engine.register(ClosureCheck("chainA") { nil }, options: CheckOptions(initiallyPassing: true, tags: ["A"]))
        try engine.register(ClosureCheck("chainB") { nil }, options: CheckOptions(tags: ["B"]))
        try engine.register(
            ClosureCheck("boot") { nil }, kind: .readiness, options: CheckOptions(initiallyPassing: true))
        handler = JSONRPCHandler(engine: engine)
    }

    func call(_ body: String) throws -> Any? {
        guard let reply = handler.respond(to: Array(body.utf8)) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(reply))
    }

    func object(_ body: String) throws -> [String: Any] {
        try #require(try call(body) as? [String: Any])
    }

    func error(_ body: String) throws -> (code: Int, message: String, id: Any?) {
        let reply = try object(body)
        #expect(reply["jsonrpc"] as? String == "2.0")
        #expect(reply["result"] == nil)
        let error = try #require(reply["error"] as? [String: Any])
        return (try #require(error["code"] as? Int), try #require(error["message"] as? String), reply["id"])
    }

    func checkNames(_ reply: [String: Any]) -> [String] {
        ((reply["result"] as? [String: Any])?["checks"] as? [String: Any])?.keys.sorted() ?? []
    }

    @Test("health.health with no params reports every health check")
    func health() throws {
        let reply = try object(#"{"jsonrpc":"2.0","id":7,"method":"health.health"}"#)
        #expect(reply["id"] as? Int == 7)
        #expect(checkNames(reply) == ["chainA", "chainB", "net"])
        #expect((reply["result"] as? [String: Any])?["healthy"] as? Bool == false)
    }

    @Test(
        "tags by name or by position select the union plus application checks",
        arguments: [
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":{"tags":["A"]}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":[{"tags":["A"]}]}"#,
        ])
    func tags(body: String) throws {
        let reply = try object(body)
        #expect(checkNames(reply) == ["chainA", "net"])
        #expect((reply["result"] as? [String: Any])?["healthy"] as? Bool == true)
    }

    @Test("readiness and liveness report their own kinds")
    func kinds() throws {
        #expect(checkNames(try object(#"{"jsonrpc":"2.0","id":1,"method":"health.readiness"}"#)) == ["boot"])
        let liveness = try object(#"{"jsonrpc":"2.0","id":"x","method":"health.liveness","params":[]}"#)
        #expect(checkNames(liveness) == [])
        #expect(liveness["id"] as? String == "x")
        #expect((liveness["result"] as? [String: Any])?["healthy"] as? Bool == true)
    }

    @Test("health.getLiveness answers in the seed's shape")
    func legacyShape() throws {
        let reply = try object(#"{"jsonrpc":"2.0","id":1,"method":"health.getLiveness"}"#)
        let checks = try #require((reply["result"] as? [String: Any])?["checks"] as? [String: [String: Any]])
        let net = try #require(checks["net"])
        #expect(net["contiguousFailures"] as? Int == 0)
        #expect(net["timeOfFirstFailure"] is NSNull)
        #expect(net["timestamp"] as? String == "0001-01-01T00:00:00Z")
        #expect(net["duration"] as? Int == 0)
        let pending = try #require(checks["chainB"])
        #expect((pending["error"] as? [String: Any])?["message"] as? String == "not yet run")
    }

    @Test("malformed JSON is a parse error with a null id")
    func parseError() throws {
        let (code, message, id) = try error(#"{"jsonrpc":"2.0","id":1,"method":"#)
        #expect(code == -32700)
        #expect(message.hasPrefix("parse error"))
        #expect(id is NSNull)
    }

    @Test(
        "invalid requests are refused with -32600 and a precise message",
        arguments: [
            (#"{"id":1,"method":"health.health"}"#, "invalid request: jsonrpc must be \"2.0\""),
            (#"{"jsonrpc":"1.0","id":1,"method":"health.health"}"#, "invalid request: jsonrpc must be \"2.0\""),
            (#"{"jsonrpc":"2.0","id":1}"#, "invalid request: method must be a string"),
            (#"{"jsonrpc":"2.0","id":1,"method":5}"#, "invalid request: method must be a string"),
            (
                #"{"jsonrpc":"2.0","id":{"a":1},"method":"health.health"}"#,
                "invalid request: id must be a string, a number or null"
            ),
            (#""just a string""#, "invalid request: a request must be a JSON object"),
            ("[]", "invalid request: empty batch"),
        ])
    func invalidRequest(body: String, expected: String) throws {
        let (code, message, _) = try error(body)
        #expect(code == -32600)
        #expect(message == expected)
    }

    @Test("unknown methods answer -32601 naming the method")
    func unknownMethod() throws {
        let (code, message, id) = try error(#"{"jsonrpc":"2.0","id":3,"method":"health.Health"}"#)
        #expect(code == -32601)
        #expect(message == #"method not found: "health.Health""#)
        #expect(id as? Int == 3)
    }

    @Test(
        "bad params answer -32602",
        arguments: [
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":{"tags":"A"}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":{"tags":[1]}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":"A"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"health.health","params":[{"tags":["A"]},{"tags":["B"]}]}"#,
        ])
    func badParams(body: String) throws {
        let (code, message, _) = try error(body)
        #expect(code == -32602)
        #expect(message.hasPrefix("invalid params: "))
    }

    @Test("notifications get no answer, alone or in a batch")
    func notifications() throws {
        #expect(try call(#"{"jsonrpc":"2.0","method":"health.health"}"#) == nil)
        #expect(try call(#"[{"jsonrpc":"2.0","method":"health.health"},{"jsonrpc":"2.0","method":"nope"}]"#) == nil)
    }

    @Test("a batch answers each request that has an id, errors included, in order")
    func batch() throws {
        let body = """
            [{"jsonrpc":"2.0","id":1,"method":"health.health"},
             {"jsonrpc":"2.0","method":"health.health"},
             {"jsonrpc":"2.0","id":2,"method":"nope"},
             7,
             {"jsonrpc":"2.0","id":3,"method":"health.readiness"}]
            """
        let replies = try #require(try call(body) as? [[String: Any]])
        #expect(replies.count == 4)
        #expect(replies.map { $0["id"] as? Int } == [1, 2, nil, 3])
        #expect(replies[0]["result"] != nil)
        #expect((replies[1]["error"] as? [String: Any])?["code"] as? Int == -32601)
        #expect((replies[2]["error"] as? [String: Any])?["code"] as? Int == -32600)
        #expect(replies[3]["result"] != nil)
    }

    @Test("batches beyond the limit are refused whole")
    func batchLimit() throws {
        let one = #"{"jsonrpc":"2.0","id":1,"method":"health.health"}"#
        let body = "[" + Array(repeating: one, count: JSONRPCHandler.maxBatchSize + 1).joined(separator: ",") + "]"
        let (code, message, _) = try error(body)
        #expect(code == -32600)
        #expect(message.contains("exceeds the limit"))
    }

    @Test("an explicit null id is a request, answered with id null")
    func nullID() throws {
        let reply = try object(#"{"jsonrpc":"2.0","id":null,"method":"health.health"}"#)
        #expect(reply["id"] is NSNull)
        #expect(reply["result"] != nil)
    }
}
