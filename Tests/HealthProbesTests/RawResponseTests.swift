import HealthChecks
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import HealthProbes

/// A TCP server on 127.0.0.1 that answers each request (read up to its blank line) with fixed
/// bytes, optionally in pieces with pauses between them, then closes or keeps the connection.
final class RawResponseServer: Sendable {
    struct Script: Sendable {
        var pieces: [[UInt8]]
        var pause: TimeAmount = .zero
        var closeAfter = false
    }

    private let script: Script
    private let accepted = Atomic<Int>(0)
    private let channel = Mutex<(any Channel)?>(nil)

    init(_ response: String, pause: TimeAmount = .zero, pieceSize: Int? = nil, closeAfter: Bool = false) {
        let bytes = Array(response.utf8)
        let size = pieceSize ?? max(bytes.count, 1)
        let pieces = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
        script = Script(pieces: pieces, pause: pause, closeAfter: closeAfter)
    }

    var connectionsAccepted: Int { accepted.load(ordering: .relaxed) }

    func start() async throws -> Int {
        let script = script
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.accepted.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Answerer(script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
    }

    private final class Answerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let script: Script
        var received: [UInt8] = []

        init(script: Script) {
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
            while let end = Self.requestEnd(received) {
                received.removeFirst(end)
                send(piece: 0, context: context)
            }
        }

        static func requestEnd(_ bytes: [UInt8]) -> Int? {
            let terminator: [UInt8] = Array("\r\n\r\n".utf8)
            guard bytes.count >= 4 else { return nil }
            for index in 0...(bytes.count - 4) where Array(bytes[index..<index + 4]) == terminator {
                return index + 4
            }
            return nil
        }

        func send(piece: Int, context: ChannelHandlerContext) {
            guard piece < script.pieces.count else {
                if script.closeAfter { context.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: script.pieces[piece])), promise: nil)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            if script.pause == .zero {
                send(piece: piece + 1, context: context)
            } else {
                context.eventLoop.scheduleTask(in: script.pause) {
                    let (handler, context) = bound.value
                    handler.send(piece: piece + 1, context: context)
                }
            }
        }
    }
}

@Suite("HTTP probe: raw responses", .timeLimit(.minutes(1)))
struct RawResponseTests {
    let prober = HTTPProber()

    func check(
        _ port: Int, mode: HTTPProber.ConnectionMode = .keepAlive, expectedBody: String? = nil,
        timeout: Duration = .seconds(5)
    ) -> HTTPCheck {
        HTTPCheck(
            name: "raw",
            configuration: .init(
                url: ProbeTarget(scheme: .http, host: "127.0.0.1", port: port, pathAndQuery: "/"),
                expectedBody: expectedBody, timeout: timeout, mode: mode),
            prober: prober)
    }

    static let modes: [HTTPProber.ConnectionMode] = [.keepAlive, .fresh]

    @Test("a chunked body is framed and matched, and the connection reused", arguments: modes)
    func chunked(mode: HTTPProber.ConnectionMode) async throws {
        let server = RawResponseServer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-T: 1\r\n\r\n"
        )
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let probe = check(port, mode: mode, expectedBody: "hello, world")
        for _ in 0..<3 { _ = try await probe.run() }
        #expect(server.connectionsAccepted == (mode == .keepAlive ? 1 : 3))
    }

    @Test("a response split into single bytes with pauses is read whole", arguments: modes)
    func slowPieces(mode: HTTPProber.ConnectionMode) async throws {
        let server = RawResponseServer(
            "HTTP/1.1 204 No Content\r\nServer: slow\r\n\r\n", pause: .milliseconds(2), pieceSize: 1)
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let details = try await check(port, mode: mode).run()
        #expect((details as? HTTPCheckDetails)?.status == 204)
    }

    @Test("a body that ends with the connection is read to the close", arguments: modes)
    func untilClose(mode: HTTPProber.ConnectionMode) async throws {
        let server = RawResponseServer(
            "HTTP/1.0 200 OK\r\n\r\nall is well", pause: .milliseconds(5), pieceSize: 4, closeAfter: true)
        let port = try await server.start()
        defer { Task { await server.stop() } }
        _ = try await check(port, mode: mode, expectedBody: "all is well").run()
        _ = try await check(port, mode: mode, expectedBody: "all is well").run()
        #expect(server.connectionsAccepted == 2)
    }

    @Test("interim 1xx responses are skipped")
    func interim() async throws {
        let server = RawResponseServer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        await #expect(throws: ProbeError.unexpectedStatus(503, expected: "200-399")) { try await check(port).run() }
    }

    @Test("garbage instead of a status line fails at once with a clear error", arguments: modes)
    func garbage(mode: HTTPProber.ConnectionMode) async throws {
        // One line and no blank line, as an SSH server says hello: no waiting for the deadline.
        let server = RawResponseServer("SSH-2.0-OpenSSH_9.6\r\n")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        await #expect(throws: ProbeError.io("request to 127.0.0.1:\(port) failed: malformed status line")) {
            try await check(port, mode: mode).run()
        }
    }

    @Test("a response head beyond the bound fails instead of growing without limit", arguments: modes)
    func oversizedHead(mode: HTTPProber.ConnectionMode) async throws {
        let huge = String(repeating: "a", count: 40_000)
        let server = RawResponseServer("HTTP/1.1 200 OK\r\nX-Big: \(huge)\r\nContent-Length: 0\r\n\r\n")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        await #expect(
            throws: ProbeError.io("request to 127.0.0.1:\(port) failed: response head larger than 32768 bytes")
        ) {
            try await check(port, mode: mode).run()
        }
    }

    @Test("only the first bytes of a large body are kept for matching")
    func largeBody() async throws {
        let filler = String(repeating: "x", count: 100_000)
        let server = RawResponseServer(
            "HTTP/1.1 200 OK\r\nContent-Length: \(filler.utf8.count + 4)\r\n\r\nhead\(filler)")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        _ = try await check(port, expectedBody: "head").run()
        let tail = RawResponseServer(
            "HTTP/1.1 200 OK\r\nContent-Length: \(filler.utf8.count + 4)\r\n\r\n\(filler)tail")
        let tailPort = try await tail.start()
        defer { Task { await tail.stop() } }
        await #expect(throws: ProbeError.bodyMismatch(expected: "tail")) {
            try await check(tailPort, expectedBody: "tail").run()
        }
        // The body was read to its end, so the connection is still usable.
        _ = try await check(port, expectedBody: "head").run()
    }

    @Test("a fresh status-only check is done at the status; keep-alive waits for the body and times out")
    func freshStopsAtStatus() async throws {
        let server = RawResponseServer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        _ = try await check(port, mode: .fresh, timeout: .milliseconds(300)).run()
        await #expect(throws: ProbeError.timedOut(target: "127.0.0.1:\(port)")) {
            try await check(port, mode: .keepAlive, timeout: .milliseconds(300)).run()
        }
    }

    @Test("bytes beyond a response make the connection unusable for the next check")
    func trailingBytes() async throws {
        let server = RawResponseServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let probe = check(port)
        _ = try await probe.run()
        _ = try await probe.run()
        #expect(server.connectionsAccepted == 2)
    }

    @Test("header values with line breaks are refused before anything is sent")
    func badHeader() async throws {
        let server = RawResponseServer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let probe = HTTPCheck(
            name: "bad",
            configuration: .init(
                url: ProbeTarget(scheme: .http, host: "127.0.0.1", port: port), headers: [("X-A", "1\r\nX-B: 2")]),
            prober: prober)
        await #expect(throws: ProbeError.invalidTarget("bad value for header 'X-A'")) { try await probe.run() }
        #expect(server.connectionsAccepted == 0)
    }

    @Test("responses carry their headers, except for requests prepared without them (checks)")
    func keptHeaders() async throws {
        let server = RawResponseServer("HTTP/1.1 200 OK\r\nX-Answer: 42\r\nContent-Length: 0\r\n\r\n")
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let target = ProbeTarget(scheme: .http, host: "127.0.0.1", port: port)
        let response = try await prober.execute(HTTPProbeRequest(target: target), timeout: .seconds(5))
        #expect(response.headers["x-answer"].first == "42")
        let prepared = prober.prepare(HTTPProbeRequest(target: target), readsHeaders: false)
        let plain = try await prober.execute(prepared, timeout: .seconds(5))
        #expect(plain.headers.isEmpty)
        #expect(plain.status == 200)
    }
}

@Suite("Probe response parser")
struct ProbeResponseParserTests {
    func parse(_ pieces: [String], bodyLimit: Int = 1024, head: Bool = false) throws -> ProbeResponseParser {
        var parser = ProbeResponseParser(bodyLimit: bodyLimit, keepsHeaders: true, noBodyExpected: head)
        for piece in pieces {
            var buffer = ByteBuffer(string: piece)
            try parser.feed(&buffer)
        }
        return parser
    }

    @Test("content length, keep-alive defaults per version, and Connection tokens")
    func framing() throws {
        let ok = try parse(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
        #expect(ok.isComplete && ok.keepAlive && ok.status == 200 && ok.body == Array("ok".utf8))
        let old = try parse(["HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(old.isComplete && !old.keepAlive)
        let kept = try parse(["HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"])
        #expect(kept.keepAlive)
        let closing = try parse(["HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n"])
        #expect(!closing.keepAlive)
    }

    @Test("bare LF line endings, split heads and HEAD responses")
    func tolerant() throws {
        let lf = try parse(["HTTP/1.1 301 Moved\nLocation: /x\nContent-Length: 0\n\n"])
        #expect(lf.isComplete && lf.status == 301)
        let split = try parse(["HTTP/1.1 200 OK\r", "\nContent-Len", "gth: 3\r\n\r", "\nabc"])
        #expect(split.isComplete && split.body == Array("abc".utf8))
        let head = try parse(["HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"], head: true)
        #expect(head.isComplete && head.keepAlive)
    }

    @Test("the body limit keeps a prefix; conflicting lengths and bad chunks are errors")
    func limitsAndErrors() throws {
        let limited = try parse(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"], bodyLimit: 4)
        #expect(limited.isComplete && limited.body == Array("0123".utf8))
        #expect(throws: ProbeParseError.self) {
            try parse(["HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"])
        }
        #expect(throws: ProbeParseError.self) {
            try parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
        }
        #expect(throws: ProbeParseError.self) { try parse(["HTTP/1.1 2000 OK\r\n\r\n"]) }
        #expect(throws: ProbeParseError.self) { try parse(["HTTP/1.1 200 OK\r\nno colon\r\n\r\n"]) }
    }
}
