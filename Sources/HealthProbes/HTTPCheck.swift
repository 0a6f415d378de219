import HealthChecks
import NIOHTTP1

/// A health check that sends one HTTP request and judges the status and, optionally, the body.
public struct HTTPCheck: Check {
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

    public init(name: String, configuration: Configuration, prober: HTTPProber) {
        self.name = name
        self.configuration = configuration
        self.prober = prober
    }

    public func run() async throws -> CheckDetails? {
        let request = HTTPProbeRequest(
            target: configuration.url, method: configuration.method, headers: configuration.headers,
            body: configuration.body)
        let response = try await prober.execute(
            request, timeout: configuration.timeout, mode: configuration.mode, verifyTLS: configuration.verifyTLS)
        guard configuration.expectedStatus.accepts(response.status) else {
            throw ProbeError.unexpectedStatus(response.status, expected: configuration.expectedStatus.description)
        }
        if let expected = configuration.expectedBody, !response.bodyText.contains(expected) {
            throw ProbeError.bodyMismatch(expected: expected)
        }
        return HTTPCheckDetails(url: configuration.url.description, status: response.status)
    }
}

/// The `message` of a passing HTTP check.
public struct HTTPCheckDetails: Encodable, Sendable {
    public let url: String
    public let status: Int
}
