import HealthChecks
import NIOHTTP1

/// A health check that sends one HTTP request and judges the status and, optionally, the body.
///
/// A ``CallbackCheck``: the engine runs it without a task, completing on the connection's event loop.
public struct HTTPCheck: CallbackCheck {
    public struct Configuration: Sendable {
        public var url: ProbeTarget
        public var method: HTTPMethod
        public var headers: [(String, String)]
        public var body: [UInt8]?
        public var expectedStatus: StatusExpectation
        /// A substring the body must contain.
        public var expectedBody: String?
        /// Each request's own deadline; keep it at or below the check's engine timeout.
        public var timeout: Duration
        public var mode: HTTPProber.ConnectionMode
        public var verifyTLS: Bool

        public init(
            url: ProbeTarget, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: [UInt8]? = nil,
            expectedStatus: StatusExpectation = .successOrRedirect, expectedBody: String? = nil,
            timeout: Duration = .seconds(5), mode: HTTPProber.ConnectionMode = .keepAlive, verifyTLS: Bool = true
        ) {
            self.url = url
            self.method = method
            self.headers = headers
            self.body = body
            self.expectedStatus = expectedStatus
            self.expectedBody = expectedBody
            self.timeout = timeout
            self.mode = mode
            self.verifyTLS = verifyTLS
        }
    }

    public let name: String
    public let configuration: Configuration
    private let prober: HTTPProber
    /// The request, serialised once: a check sends the same bytes every interval.
    private let request: PreparedHTTPRequest
    private let verdict: Verdict

    public init(name: String, configuration: Configuration, prober: HTTPProber) {
        self.name = name
        self.configuration = configuration
        self.prober = prober
        let request = HTTPProbeRequest(
            target: configuration.url, method: configuration.method, headers: configuration.headers,
            body: configuration.body)
        self.request = prober.prepare(
            request, mode: configuration.mode, verifyTLS: configuration.verifyTLS,
            readsBody: configuration.expectedBody != nil, readsHeaders: false)
        self.verdict = Verdict(configuration)
    }

    public func start(
        _ completion: @escaping @Sendable (Result<CheckDetails?, any Error>) -> Void
    ) -> (any RunCancellation)? {
        let verdict = verdict
        return prober.start(request, timeout: configuration.timeout) { result in
            completion(result.flatMap { verdict.judge($0) })
        }
    }

    /// What a response must look like, kept in one object so a run captures a single reference.
    private final class Verdict: Sendable {
        let expectedStatus: StatusExpectation
        let expectedBody: String?
        let url: String

        init(_ configuration: Configuration) {
            expectedStatus = configuration.expectedStatus
            expectedBody = configuration.expectedBody
            url = configuration.url.description
        }

        func judge(_ response: HTTPProbeResponse) -> Result<CheckDetails?, any Error> {
            guard expectedStatus.accepts(response.status) else {
                return .failure(ProbeError.unexpectedStatus(response.status, expected: expectedStatus.description))
            }
            if let expectedBody, !response.bodyText.contains(expectedBody) {
                return .failure(ProbeError.bodyMismatch(expected: expectedBody))
            }
            return .success(HTTPCheckDetails(url: url, status: response.status))
        }
    }
}

/// The `message` of a passing HTTP check.
public struct HTTPCheckDetails: Encodable, Sendable {
    public let url: String
    public let status: Int
}
