import Foundation
import HealthChecks

/// JSON-RPC 2.0 over `POST /ext/health`: `health.health`, `health.readiness`, `health.liveness`
/// and the legacy `health.getLiveness`, with batches and notifications.
///
/// Bytes in, bytes out, so the protocol is tested without a server. Errors use the JSON-RPC 2.0
/// codes (-32700, -32600, -32601, -32602) where AvalancheGo's gorilla stack answers -32000.
public struct JSONRPCHandler: Sendable {
    public static let maxBatchSize = 64

    let engine: HealthEngine

    public init(engine: HealthEngine) {
        self.engine = engine
    }

    /// The response body, or `nil` when every request was a notification.
    public func respond(to body: [UInt8]) -> [UInt8]? {
        let parsed: JSONValue
        do {
            parsed = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            return encode(RPCResponse.failure(id: .null, .parseError(Self.describe(error))))
        }
        if case .array(let batch) = parsed {
            guard !batch.isEmpty else {
                return encode(RPCResponse.failure(id: .null, .invalidRequest("empty batch")))
            }
            guard batch.count <= Self.maxBatchSize else {
                return encode(
                    RPCResponse.failure(
                        id: .null,
                        .invalidRequest("batch of \(batch.count) requests exceeds the limit of \(Self.maxBatchSize)")))
            }
            let responses = batch.compactMap(handle)
            return responses.isEmpty ? nil : encode(responses)
        }
        return handle(parsed).flatMap(encode)
    }

    /// Handles one request object; `nil` for a notification.
    func handle(_ request: JSONValue) -> RPCResponse? {
        guard let object = request.objectValue else {
            return .failure(id: .null, .invalidRequest("a request must be a JSON object"))
        }
        let id = object["id"]
        if let id, !Self.isValidID(id) {
            return .failure(id: .null, .invalidRequest("id must be a string, a number or null"))
        }
        let replyID = id ?? .null
        guard object["jsonrpc"] == .string("2.0") else {
            return .failure(id: replyID, .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard case .string(let method)? = object["method"] else {
            return .failure(id: replyID, .invalidRequest("method must be a string"))
        }
        let outcome = call(method: method, params: object["params"])
        // A request without an id is a notification: it runs but gets no answer.
        guard id != nil else { return nil }
        switch outcome {
        case .success(let reply): return .success(id: replyID, reply)
        case .failure(let error): return .failure(id: replyID, error)
        }
    }

    private func call(method: String, params: JSONValue?) -> Result<AvalancheReply, RPCError> {
        let kind: CheckKind
        var style = ResultStyle.current
        switch method {
        case "health.health": kind = .health
        case "health.readiness": kind = .readiness
        case "health.liveness": kind = .liveness
        case "health.getLiveness":
            kind = .health
            style = .legacy
        default:
            return .failure(.methodNotFound(method))
        }
        let tags: [String]
        switch Self.tags(from: params) {
        case .success(let parsed): tags = parsed
        case .failure(let error): return .failure(error)
        }
        return .success(AvalancheReply(report: engine.report(kind: kind, tags: tags), style: style))
    }

    /// Accepts no params, `{"tags": […]}` or `[{"tags": […]}]`.
    static func tags(from params: JSONValue?) -> Result<[String], RPCError> {
        switch params {
        case nil, .null?:
            return .success([])
        case .array(let items)?:
            if items.isEmpty { return .success([]) }
            guard items.count == 1 else {
                return .failure(.invalidParams("expected one parameter object, got \(items.count)"))
            }
            return tags(from: items[0])
        case .object(let fields)?:
            switch fields["tags"] {
            case nil, .null?:
                return .success([])
            case .array(let values)?:
                var tags: [String] = []
                for value in values {
                    guard case .string(let tag) = value else {
                        return .failure(.invalidParams("tags must be an array of strings"))
                    }
                    tags.append(tag)
                }
                return .success(tags)
            default:
                return .failure(.invalidParams("tags must be an array of strings"))
            }
        default:
            return .failure(.invalidParams("params must be an object or an array"))
        }
    }

    static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .null, .string, .number: return true
        default: return false
        }
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError,
            case .dataCorrupted(let context) = decoding
        {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "invalid JSON"
    }

    private func encode<T: Encodable>(_ value: T) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            let fallback = RPCResponse.failure(id: .null, .internalError("cannot encode the response: \(error)"))
            return (try? encoder.encode(fallback)).map(Array.init)
        }
    }
}

/// A JSON-RPC error object.
public struct RPCError: Error, Encodable, Sendable, Equatable {
    public let code: Int
    public let message: String

    static func parseError(_ detail: String) -> RPCError { RPCError(code: -32700, message: "parse error: \(detail)") }
    static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: -32600, message: "invalid request: \(detail)")
    }
    static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, message: "method not found: \"\(method)\"")
    }
    static func invalidParams(_ detail: String) -> RPCError {
        RPCError(code: -32602, message: "invalid params: \(detail)")
    }
    static func internalError(_ detail: String) -> RPCError { RPCError(code: -32603, message: detail) }
}

/// A JSON-RPC response: `result` or `error`, and always `id` (null when unknown).
struct RPCResponse: Encodable {
    let id: JSONValue
    let result: AvalancheReply?
    let error: RPCError?

    static func success(id: JSONValue, _ result: AvalancheReply) -> RPCResponse {
        RPCResponse(id: id, result: result, error: nil)
    }

    static func failure(id: JSONValue, _ error: RPCError) -> RPCResponse {
        RPCResponse(id: id, result: nil, error: error)
    }

    private enum Keys: String, CodingKey { case jsonrpc, result, error, id }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encodeIfPresent(result, forKey: .result)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(id, forKey: .id)
    }
}
