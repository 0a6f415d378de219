import Foundation
import Registry
import Synchronization

/// Wraps the registry's store and remembers a failed commit until the next one succeeds, so that
/// `storage.writable` reports what registry writes meet (a full disk, a file size limit, an I/O
/// error), not only whether its own small probe file fits.
final class StoreWriteMonitor: RegistryStore {
    struct Failure: Sendable {
        let error: String
        let at: ContinuousClock.Instant
    }

    private let base: any RegistryStore
    private let lastFailure = Mutex<Failure?>(nil)

    init(_ base: any RegistryStore) {
        self.base = base
    }

    func load() async throws -> RegistrySnapshot {
        try await base.load()
    }

    func commit(_ changes: [StoreChange], apply: @escaping @Sendable () -> Void) async throws {
        do {
            try await base.commit(changes, apply: apply)
            lastFailure.withLock { $0 = nil }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let failure = Failure(error: String(describing: error), at: .now)
            lastFailure.withLock { $0 = failure }
            throw error
        }
    }

    /// The last commit's failure, when no commit has succeeded since and it is recent: with no
    /// writes coming, an old failure says nothing about the disk now (the probe file does).
    func recentFailure(within window: Duration) -> Failure? {
        lastFailure.withLock { failure in
            guard let failure, ContinuousClock.now - failure.at < window else { return nil }
            return failure
        }
    }
}
