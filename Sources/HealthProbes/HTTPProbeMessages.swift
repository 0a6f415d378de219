import NIOCore
import NIOHTTP1

/// One HTTP request a probe sends.
public struct HTTPProbeRequest: Sendable {
    public var target: ProbeTarget
    public var method: HTTPMethod
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(target: ProbeTarget, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: [UInt8]? = nil)
    {
        self.target = target
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// What came back: status, headers and the first bytes of the body.
public struct HTTPProbeResponse: Sendable {
    public var status: Int
    /// Empty for requests prepared with `readsHeaders: false` (as checks are: they judge status and body).
    public var headers: HTTPHeaders
    /// At most the prober's body limit; the rest is read and discarded.
    public var body: [UInt8]
    public var keepAlive: Bool

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    init(status: Int, headerFields: [(String, String)], body: [UInt8], keepAlive: Bool) {
        self.status = status
        self.headers = headerFields.isEmpty ? HTTPHeaders() : HTTPHeaders(headerFields)
        self.body = body
        self.keepAlive = keepAlive
    }
}

/// Failure of an exchange inside the channel, mapped to ``ProbeError`` by the exchange.
enum ProbeChannelError: Error {
    case timedOut
    case closedBeforeResponse(receivedBytes: Bool)
    case malformed(String)
}
