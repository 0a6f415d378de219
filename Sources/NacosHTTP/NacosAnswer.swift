import Hummingbird

/// A finished Nacos answer as bytes: the router and the event-loop fast path (``NacosHotRoutes``)
/// send exactly the same status, content type and body.
public struct NacosAnswer: Sendable {
    public let status: HTTPResponse.Status
    public let contentType: String
    public let body: ByteBuffer

    static let jsonType = "application/json;charset=UTF-8"
    static let textType = "text/plain;charset=UTF-8"

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> NacosAnswer {
        NacosAnswer(status: status, contentType: textType, body: ByteBuffer(string: text))
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> NacosAnswer {
        NacosAnswer(status: status, contentType: jsonType, body: ByteBuffer(bytes: bytes))
    }

    static func envelope<T>(_ envelope: V2Envelope<T>, status: HTTPResponse.Status = .ok) -> NacosAnswer {
        guard let data = try? envelope.encoded() else {
            return .text("cannot encode the response", status: .internalServerError)
        }
        return .json(Array(data), status: status)
    }

    var response: Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: body))
    }
}

extension NacosAPIVersion {
    /// v2's success envelope, encoded once: every write answers it.
    private static let v2OK = NacosAnswer.json(Array(#"{"code":0,"message":"success","data":"ok"}"#.utf8))
    private static let v1OK = NacosAnswer.text("ok")

    var okAnswer: NacosAnswer {
        switch self {
        case .v1: Self.v1OK
        case .v2: Self.v2OK
        }
    }

    func failureAnswer(_ error: NacosError) -> NacosAnswer {
        let rendering = error.rendering
        switch self {
        case .v1:
            return .text(rendering.detail, status: rendering.status)
        case .v2:
            return .envelope(
                V2Envelope(code: rendering.code, message: rendering.message, data: rendering.detail),
                status: rendering.status)
        }
    }
}
