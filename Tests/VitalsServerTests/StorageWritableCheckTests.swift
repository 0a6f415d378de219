import Foundation
import Registry
import Synchronization
import Testing

@testable import VitalsServer

@Suite("storage.writable follows the registry's writes", .timeLimit(.minutes(1)))
struct StorageWritableCheckTests {
    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "database or disk is full" }
    }

    /// A store whose commits fail while `full` is set.
    final class FlakyStore: RegistryStore {
        let full = Mutex(false)

        func load() async throws -> RegistrySnapshot { RegistrySnapshot() }

        func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws {
            if full.withLock({ $0 }) { throw DiskFull() }
            apply()
        }
    }

    @Test func failsAfterAFailedWriteAndPassesAfterASuccessfulOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = FlakyStore()
        let monitor = StoreWriteMonitor(base)
        let check = StorageWritableCheck(directory: directory, writes: monitor)
        _ = try await check.run()

        base.full.withLock { $0 = true }
        await #expect(throws: DiskFull.self) { try await monitor.commit([], apply: {}) }
        let error = await #expect(throws: (any Error).self) { _ = try await check.run() }
        #expect(String(describing: error).contains("database or disk is full"))
        // A failure is remembered for a while only: with no writes, the probe file decides.
        #expect(monitor.recentFailure(within: .zero) == nil)

        base.full.withLock { $0 = false }
        try await monitor.commit([], apply: {})
        _ = try await check.run()
    }

    @Test func namesAReadOnlyDirectory() {
        #expect(StorageWritableCheck.writeProblem("/nonexistent/vitals-data")?.contains("not writable") == true)
        #expect(StorageWritableCheck.writeProblem(FileManager.default.temporaryDirectory.path) == nil)
    }
}
