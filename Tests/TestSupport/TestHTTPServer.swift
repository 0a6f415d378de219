import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 for tests: answers every request with a configurable
/// status and body, and counts the connections it accepted.
public final class TestHTTPServer: Sendable {
    public struct Behavior: Sendable {
        public var status: Int
        public var body: String
        /// Answer with `Connection: close` and close afterwards.
        public var closeConnections: Bool
        /// Never answer (for timeout tests).
        public var hang: Bool

        public init(status: Int = 200, body: String = "ok", closeConnections: Bool = false, hang: Bool = false) {
            self.status = status
            self.body = body
            self.closeConnections = closeConnections
            self.hang = hang
        }
    }

    private let behavior: Mutex<Behavior>
    private let accepted = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    private let lastRequest = Mutex<HTTPRequestHead?>(nil)
    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    private let children = Mutex<[ObjectIdentifier: any Channel]>([:])

    private let tls: NIOSSLContext?

    /// - Parameter tls: serve HTTPS with this context (see ``selfSignedTLS()``).
    public init(_ behavior: Behavior = Behavior(), tls: NIOSSLContext? = nil) {
        self.behavior = Mutex(behavior)
        self.tls = tls
    }

    public var connectionsAccepted: Int { accepted.load(ordering: .relaxed) }
    public var requestsServed: Int { requests.load(ordering: .relaxed) }
    public var lastRequestHead: HTTPRequestHead? { lastRequest.withLock { $0 } }

    public func setBehavior(_ new: Behavior) {
        behavior.withLock { $0 = new }
    }

    /// Binds to `port` (0 = ephemeral) on 127.0.0.1 and returns the bound port.
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.accepted.add(1, ordering: .relaxed)
                let id = ObjectIdentifier(channel)
                self.children.withLock { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = self.children.withLock { $0.removeValue(forKey: id) } }
                let tls = self.tls
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    /// Stops listening; open connections are closed too.
    public func stop() async {
        let current = channel.withLock { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try? await current?.close()
        let open = children.withLock { Array($0.values) }
        for child in open { try? await child.close() }
    }

    fileprivate func respond(to head: HTTPRequestHead) -> Behavior {
        requests.add(1, ordering: .relaxed)
        lastRequest.withLock { $0 = head }
        return behavior.withLock { $0 }
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: TestHTTPServer
        var head: HTTPRequestHead?

        init(server: TestHTTPServer) {
            self.server = server
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead): head = requestHead
            case .body: break
            case .end:
                guard let head else { return }
                let behavior = server.respond(to: head)
                if behavior.hang { return }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(behavior.body.utf8.count))
                headers.add(name: "Content-Type", value: "text/plain")
                let close = behavior.closeConnections || !head.isKeepAlive
                headers.add(name: "Connection", value: close ? "close" : "keep-alive")
                let responseHead = HTTPResponseHead(
                    version: head.version, status: HTTPResponseStatus(statusCode: behavior.status), headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: behavior.body)))), promise: nil)
                if close {
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on: bound once to learn a free port, then released.
public func closedLocalPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return port
}

/// A TLS server context with a fresh self-signed certificate for localhost and 127.0.0.1,
/// made with the openssl command-line tool.
public func selfSignedTLS() throws -> NIOSSLContext {
    let directory = temporaryDirectory("vitals-tls")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
    ]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("openssl failed to make a certificate") }
    let certificates = try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem").map {
        NIOSSLCertificateSource.certificate($0)
    }
    let key = try NIOSSLPrivateKey(file: directory + "/key.pem", format: .pem)
    return try NIOSSLContext(
        configuration: .makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key)))
}
