import Foundation
import HealthChecks

/// Passes while the data directory accepts a durable write: writes, fsyncs and removes a probe file.
struct StorageWritableCheck: Check {
    let name = "storage.writable"
    let directory: String

    struct Details: Encodable, Sendable {
        let dataDir: String
    }

    func run() async throws -> CheckDetails? {
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
}
