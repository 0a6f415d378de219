import Foundation
import HealthChecks
import Hummingbird

/// The node health API over HTTP: AvalancheGo's `/ext/health` routes and JSON-RPC,
/// Kubernetes' `/livez`, `/readyz` and `/healthz`, and `application/health+json` on request.
public struct NodeHealthRoutes: Sendable {
    /// Largest JSON-RPC body accepted; a batch of 64 small requests fits many times over.
    public static let maxRPCBodyBytes = 256 * 1024

    let engine: HealthEngine
    let rpc: JSONRPCHandler

    public init(engine: HealthEngine) {
        self.engine = engine
        self.rpc = JSONRPCHandler(engine: engine)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let reports: [(RouterPath, CheckKind)] = [
            ("/ext/health", .health), ("/ext/health/health", .health),
            ("/ext/health/readiness", .readiness), ("/ext/health/liveness", .liveness),
        ]
        for (path, kind) in reports {
            router.get(path) { request, _ in self.report(kind, request: request) }
            router.head(path) { request, _ in self.report(kind, request: request).withoutBody }
        }
        router.post("/ext/health") { request, _ in try await self.jsonRPC(request) }
        for method in [HTTPRequest.Method.put, .delete, .patch] {
            router.on("/ext/health", method: method) { _, _ in
                Self.text(
                    .methodNotAllowed, "method not allowed: use GET, HEAD or POST\n", extra: [.allow: "GET, HEAD, POST"]
                )
            }
        }
        let probes: [(String, Set<CheckKind>)] = [
            ("livez", [.liveness]), ("readyz", [.readiness, .health]), ("healthz", Set(CheckKind.allCases)),
        ]
        for (endpoint, kinds) in probes {
            router.get(RouterPath(endpoint)) { request, _ in self.probe(endpoint, kinds: kinds, request: request) }
            router.head(RouterPath(endpoint)) { request, _ in
                self.probe(endpoint, kinds: kinds, request: request).withoutBody
            }
            router.get(RouterPath("\(endpoint)/:check")) { _, context in
                self.singleProbe(kinds: kinds, name: context.parameters.get("check") ?? "")
            }
        }
    }

    // MARK: AvalancheGo JSON and health+json

    func report(_ kind: CheckKind, request: Request) -> Response {
        let tags = request.uri.queryParameters[values: "tag"].map(String.init)
        let report = engine.report(kind: kind, tags: tags)
        let status: HTTPResponse.Status = report.healthy ? .ok : .serviceUnavailable
        if Self.wantsHealthJSON(request) {
            let document = HealthJSONDocument(report: report, description: "vitals \(kind.rawValue) checks")
            return Self.json(status, document, contentType: HealthJSONDocument.mediaType)
        }
        return Self.json(status, AvalancheReply(report: report, style: .current), contentType: "application/json")
    }

    static func wantsHealthJSON(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains(HealthJSONDocument.mediaType) }
    }

    // MARK: JSON-RPC

    func jsonRPC(_ request: Request) async throws -> Response {
        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else {
            let received = request.headers[.contentType] ?? "none"
            return Self.text(
                .unsupportedMediaType, "unsupported content type \"\(received)\": JSON-RPC requires application/json\n")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxRPCBodyBytes)
        } catch {
            return Self.text(.contentTooLarge, "request body exceeds \(Self.maxRPCBodyBytes) bytes\n")
        }
        guard let reply = rpc.respond(to: Array(buffer: body)) else {
            return Response(status: .noContent)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: reply)))
    }

    /// `application/json`, with or without parameters or a trailing `;` (as AvalancheGo's docs send it).
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    // MARK: Kubernetes probes

    func probe(_ endpoint: String, kinds: Set<CheckKind>, request: Request) -> Response {
        let query = request.uri.queryParameters
        let text = KubernetesProbeText(
            endpoint: endpoint,
            report: engine.report(kinds: kinds),
            excluded: Set(query[values: "exclude"].map(String.init)),
            verbose: query["verbose"] != nil && query["verbose"] != "false"
        )
        return Self.text(text.healthy ? .ok : .serviceUnavailable, text.body)
    }

    func singleProbe(kinds: Set<CheckKind>, name: String) -> Response {
        let matches = engine.report(kinds: kinds).entries.filter { $0.key.name == name }
        guard !matches.isEmpty else {
            return Self.text(.notFound, "no check named \"\(name)\"\n")
        }
        if let failing = matches.first(where: { !$0.result.isHealthy }) {
            return Self.text(.serviceUnavailable, "internal server error: \(failing.result.error ?? "failing")\n")
        }
        return Self.text(.ok, "ok")
    }

    // MARK: Responses

    static func json<T: Encodable>(_ status: HTTPResponse.Status, _ value: T, contentType: String) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(value) else {
            return text(.internalServerError, "cannot encode the health report\n")
        }
        data.append(UInt8(ascii: "\n"))
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Response {
    /// The same status and headers with no body, for HEAD.
    var withoutBody: Response {
        Response(status: status, headers: headers, body: .init())
    }
}
