import Auth
import Foundation
import Hummingbird
import Registry

/// A refused Nacos request, rendered as v1 plain text or as a v2 `{"code","message","data"}` body.
enum NacosError: Error {
    case missing(String)
    case invalid(String)
    case tooLarge(String)
    case notFound(String)
    case registry(RegistryError)
    case auth(AuthError)

    /// HTTP status, v2 code, v2 message and the detail text.
    var rendering: (status: HTTPResponse.Status, code: Int, message: String, detail: String) {
        switch self {
        case .missing(let name):
            return (.badRequest, 10000, "parameter missing", "Required parameter '\(name)' is not present")
        case .invalid(let detail):
            return (.badRequest, 20002, "parameter validate error", detail)
        case .tooLarge(let detail):
            return (.contentTooLarge, 20002, "parameter validate error", detail)
        case .notFound(let detail):
            return (.notFound, 20004, "resource not found", detail)
        case .auth(let error):
            switch error {
            case .unauthenticated(let detail), .forbidden(let detail):
                return (.forbidden, 10001, "access denied", detail)
            case .invalid(let detail): return (.badRequest, 20002, "parameter validate error", detail)
            case .notFound(let detail): return (.notFound, 20004, "resource not found", detail)
            case .conflict(let detail): return (.conflict, 20005, "resource conflict", detail)
            case .storage(let detail): return (.serviceUnavailable, 10002, "data access error", detail)
            case .busy(let detail): return (.tooManyRequests, 30000, "server error", detail)
            }
        case .registry(let error):
            switch error {
            case .invalidParameter(let detail): return (.badRequest, 20002, "parameter validate error", detail)
            case .invalidWeight(let detail): return (.badRequest, 21001, "weight error", detail)
            case .invalidMetadata(let detail): return (.badRequest, 21002, "instance metadata error", detail)
            case .invalidInstance(let detail): return (.badRequest, 21004, "instance error", detail)
            case .instanceNotFound(let detail): return (.notFound, 21003, "instance not found", detail)
            case .serviceNotFound(let detail): return (.badRequest, 21008, "service not exist", detail)
            case .serviceAlreadyExists(let detail): return (.badRequest, 21007, "service already exist", detail)
            case .serviceNotEmpty(let detail): return (.badRequest, 21009, "service delete failure", detail)
            case .conflict(let detail): return (.badRequest, 20005, "resource conflict", detail)
            case .namespaceNotFound(let detail): return (.badRequest, 22001, "namespace not exist", detail)
            case .namespaceAlreadyExists(let detail): return (.badRequest, 22002, "namespace already exist", detail)
            case .storage(let detail): return (.serviceUnavailable, 10002, "data access error", detail)
            }
        }
    }

    static func wrap(_ error: any Error) -> NacosError {
        if let nacos = error as? NacosError { return nacos }
        if let registry = error as? RegistryError { return .registry(registry) }
        if let auth = error as? AuthError { return .auth(auth) }
        return .registry(.storage(String(describing: error)))
    }
}

/// The two Nacos API generations' response styles.
enum NacosAPIVersion: Sendable {
    case v1
    case v2

    func ok() -> Response { okAnswer.response }

    /// Reads: v1 answers the raw JSON, v2 wraps it.
    func data<T: Encodable & Sendable>(_ value: T) -> Response {
        switch self {
        case .v1: return NacosResponse.json(value)
        case .v2: return NacosResponse.envelope(V2Envelope(code: 0, message: "success", data: value))
        }
    }

    func failure(_ error: NacosError) -> Response { failureAnswer(error).response }
}

/// `{"code":…,"message":…,"data":…}` in exactly that key order, as Nacos writes it
/// (clients and docs compare it byte for byte); `data` is encoded with sorted keys.
struct V2Envelope<T: Encodable & Sendable>: Sendable {
    let code: Int
    let message: String
    let data: T

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = Data("{\"code\":\(code),\"message\":".utf8)
        output.append(try encoder.encode(message))
        output.append(Data(",\"data\":".utf8))
        output.append(try encoder.encode(data))
        output.append(UInt8(ascii: "}"))
        return output
    }
}

enum NacosResponse {
    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        NacosAnswer.text(body, status: status).response
    }

    static func envelope<T>(_ envelope: V2Envelope<T>, status: HTTPResponse.Status = .ok) -> Response {
        NacosAnswer.envelope(envelope, status: status).response
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return text("cannot encode the response", status: .internalServerError)
        }
        return NacosAnswer.json(Array(data), status: status).response
    }
}
