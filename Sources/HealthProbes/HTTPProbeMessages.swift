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
    public var headers: HTTPHeaders
    /// At most the prober's body limit; the rest is read and discarded.
    public var body: [UInt8]
    public var keepAlive: Bool

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The message written into a probe channel: the request plus the promise its response completes.
struct ProbeCall {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let deadline: NIODeadline
    let bodyLimit: Int
    let promise: EventLoopPromise<HTTPProbeResponse>
}

/// Failure of a call inside the channel, mapped to ``ProbeError`` by the prober.
enum ProbeChannelError: Error {
    case timedOut
    case closedBeforeResponse(receivedBytes: Bool)
}
