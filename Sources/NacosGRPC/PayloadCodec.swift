import Foundation
import NacosGRPCWire
import NacosWire
import SwiftProtobuf

/// A decoded Nacos request: its type name, JSON body and metadata headers.
struct NacosMessage: @unchecked Sendable {
    // The body is a JSONSerialization tree, read-only once decoded.
    let type: String
    let body: [String: Any]
    let headers: [String: String]

    var requestID: String? {
        switch body["requestId"] {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    func string(_ key: String) -> String? { body[key] as? String }
    func bool(_ key: String) -> Bool? { (body[key] as? NSNumber)?.boolValue }
    func int(_ key: String) -> Int? { (body[key] as? NSNumber)?.intValue }
}

/// Nacos payloads: `metadata.type` names a JSON document carried in `Any.value` with an empty type URL.
enum PayloadCodec {
    static func decode(_ payload: NacosPayload) throws -> NacosMessage {
        let type = payload.metadata.type
        guard !type.isEmpty else { throw NacosGRPCError(code: 502, "payload has no metadata.type") }
        let data = payload.body.value
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            throw NacosGRPCError(code: 502, "payload body of \(type) is not JSON")
        }
        guard let body = object as? [String: Any] else {
            throw NacosGRPCError(code: 502, "payload body of \(type) is not a JSON object")
        }
        return NacosMessage(type: type, body: body, headers: payload.metadata.headers)
    }

    static func encode(type: String, _ write: (inout JSONWriter) -> Void) -> NacosPayload {
        var writer = JSONWriter(capacity: 512)
        writer.object { write(&$0) }
        var payload = NacosPayload()
        payload.metadata.type = type
        payload.body.typeURL = ""
        payload.body.value = Data(writer.bytes)
        return payload
    }

    /// A successful response with extra fields written by `fields`.
    static func response(_ type: String, _ fields: (inout JSONWriter) -> Void = { _ in }) -> NacosPayload {
        encode(type: type) { w in
            w.key("resultCode")
            w.value(200)
            w.key("errorCode")
            w.value(0)
            w.key("success")
            w.value(true)
            fields(&w)
        }
    }

    static func error(_ error: NacosGRPCError) -> NacosPayload {
        encode(type: "ErrorResponse") { w in
            w.key("resultCode")
            w.value(500)
            w.key("errorCode")
            w.value(error.code)
            w.key("success")
            w.value(false)
            w.key("message")
            w.value(error.message)
        }
    }
}

/// A refused request: Nacos's `ErrorResponse` codes (301 unregistered connection, 302 unknown
/// type, 400 bad request, 502 unparsable payload, 500 other).
struct NacosGRPCError: Error, CustomStringConvertible {
    let code: Int
    let message: String

    init(code: Int, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
