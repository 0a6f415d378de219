import NIOCore
import NIOPosix

/// Why a probe failed, worded for the `error` field of a check result.
public enum ProbeError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidTarget(String)
    case connectFailed(target: String, reason: String)
    case timedOut(target: String)
    case connectionClosed(target: String)
    case unexpectedStatus(Int, expected: String)
    case bodyMismatch(expected: String)
    case resolveFailed(host: String, reason: String)
    case tooFewAddresses(host: String, found: Int, required: Int)
    case io(String)
    /// The probe policy forbids the target; nothing was sent.
    case refusedTarget(target: String, reason: String)

    public var description: String {
        switch self {
        case .invalidTarget(let reason): return "invalid target: \(reason)"
        case .connectFailed(let target, let reason): return "connect to \(target) failed: \(reason)"
        case .timedOut(let target): return "no response from \(target) before the deadline"
        case .connectionClosed(let target): return "\(target) closed the connection before answering"
        case .unexpectedStatus(let status, let expected):
            return "unexpected status code: \(status), expected \(expected)"
        case .bodyMismatch(let expected): return "body does not contain expected content '\(expected)'"
        case .resolveFailed(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .tooFewAddresses(let host, let found, let required):
            return "\(host) resolved to \(found) addresses, \(required) required"
        case .io(let reason): return reason
        case .refusedTarget(let target, let reason): return "probe to \(target) refused: \(reason)"
        }
    }

    /// Turns NIO's connect errors (which list every address tried) into one short reason.
    static func connect(_ error: any Error, target: String) -> ProbeError {
        if let probe = error as? ProbeError { return probe }
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return .connectFailed(target: target, reason: reason(first.error))
        }
        if error is ChannelError, case .connectTimeout = error as? ChannelError {
            return .timedOut(target: target)
        }
        return .connectFailed(target: target, reason: reason(error))
    }

    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case EHOSTUNREACH: return "host unreachable"
            case ENETUNREACH: return "network unreachable"
            case ETIMEDOUT: return "timed out"
            case ECONNRESET: return "connection reset"
            default: return io.description
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "connect timed out" }
        return String(describing: error)
    }
}
