import Registry
import Synchronization

/// Encoded `instance/list` answers per service revision.
///
/// Lists are read far more often than services change (every client polls every few seconds),
/// and encoding a list is most of its cost (docs/benchmarks.md). An answer is reused while its
/// service's revision is unchanged; bounded by entries and bytes, and emptied when full.
final class ListBodyCache: Sendable {
    struct Key: Hashable, Sendable {
        let service: ServiceKey
        let clusters: String
        let healthyOnly: Bool
        let v2: Bool
    }

    private struct Entry {
        let revision: Int64
        let answer: NacosAnswer
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    static let maxEntries = 4096
    static let maxBytes = 32 * 1024 * 1024

    private let state = Mutex(State())

    func answer(for key: Key, revision: Int64) -> NacosAnswer? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.revision == revision else { return nil }
            return entry.answer
        }
    }

    func store(_ answer: NacosAnswer, for key: Key, revision: Int64) {
        let size = answer.body.readableBytes
        guard size <= Self.maxBytes / 16 else { return }
        state.withLock { state in
            if let old = state.entries[key] {
                guard old.revision < revision else { return }
                state.bytes -= old.answer.body.readableBytes
            } else if state.entries.count >= Self.maxEntries || state.bytes + size > Self.maxBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            state.entries[key] = Entry(revision: revision, answer: answer)
            state.bytes += size
        }
    }
}
