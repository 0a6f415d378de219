import Foundation
import HealthChecks

/// Passes while the data directory accepts a durable write (writes, fsyncs and removes a probe
/// file) and the registry's last write, when recent, did not fail.
struct StorageWritableCheck: Check {
    let name = "storage.writable"
    let directory: String
    var writes: StoreWriteMonitor?
    /// How long a failed registry write keeps the check failing when no write succeeds after it.
    static let failureMemory: Duration = .seconds(60)

    struct Details: Encodable, Sendable {
        let dataDir: String
    }

    func run() async throws -> CheckDetails? {
        if let failure = writes?.recentFailure(within: Self.failureMemory) {
            let seconds = (ContinuousClock.now - failure.at).components.seconds
            throw CheckFailure("the last registry write failed \(seconds) s ago: \(failure.error)")
        }
        let path = (directory as NSString).appendingPathComponent(".vitals-write-probe")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CheckFailure("cannot write to \(directory): \(Self.errnoText())") }
        defer {
            close(fd)
            unlink(path)
        }
        let payload = Array("vitals".utf8)
        let written = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == payload.count else { throw CheckFailure("cannot write to \(directory): \(Self.errnoText())") }
        guard fsync(fd) == 0 else { throw CheckFailure("cannot sync \(directory): \(Self.errnoText())") }
        return Details(dataDir: directory)
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    /// Why `directory` cannot be written (read-only filesystem, permissions), or nil.
    static func writeProblem(_ directory: String) -> String? {
        access(directory, W_OK) == 0 ? nil : "the data directory \(directory) is not writable: \(errnoText())"
    }
}
