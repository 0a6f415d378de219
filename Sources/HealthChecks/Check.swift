/// Free-form details a check reports when it passes (or alongside a failure).
///
/// Any `Encodable` value works, so checks can report structured data (for example
/// `["heartbeat": 1600403244]`) and the node health API renders it as the `message` field.
public typealias CheckDetails = any Encodable & Sendable

/// A named unit of health: one async run that either returns optional details or throws.
///
/// Throwing marks the run failed; the error's description becomes the result's `error`.
/// A check should honour task cancellation: the engine cancels it at its timeout.
public protocol Check: Sendable {
    /// The name the check is reported under; unique per ``CheckKind``.
    var name: String { get }
    /// Performs the check once.
    func run() async throws -> CheckDetails?
}

/// A check made from a closure, for one-off checks that need no type of their own.
public struct ClosureCheck: Check {
    public let name: String
    private let body: @Sendable () async throws -> CheckDetails?

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> CheckDetails?) {
        self.name = name
        self.body = body
    }

    public func run() async throws -> CheckDetails? {
        try await body()
    }
}

/// An error with a fixed, human-readable message, for checks that fail without an underlying error.
///
/// An `immediate` failure turns a passing check critical at once, skipping the
/// `failuresBeforeCritical` threshold: for failures that leave no doubt, such as a refused
/// connection (Nacos's "fail now").
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let immediate: Bool

    public init(_ description: String, immediate: Bool = false) {
        self.description = description
        self.immediate = immediate
    }
}
