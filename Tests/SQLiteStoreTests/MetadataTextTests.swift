import Testing

@testable import SQLiteStore

@Suite("SQLite: metadata text encoding")
struct MetadataTextTests {
    static let odd: [[String: String]] = [
        [:],
        ["": ""],
        ["key": ""],
        ["": "value"],
        ["a=b": "c=d=e", "==": "="],
        ["line\nbreak": "two\nlines\n", "crlf": "a\r\nb"],
        ["back\\slash": "\\", "escape-like": "\\e\\n\\0\\\\", "trailing": "x\\"],
        ["quotes": "\"double\" and 'single'", "json": #"{"a": [1, 2], "b": "c"}"#],
        ["unicode": "héllo wörld ✓ 日本語 🧪", "emoji🔑": "👩‍👩‍👧", "combining": "e\u{301}"],
        ["nul": "a\u{0}b", "\u{0}": "\u{0}"],
        ["tab\t": "\t", "space ": " ", "vitals.check.type": "HTTP", "vitals.check.path": "/health?x=1&y=2"],
    ]

    @Test("odd metadata survives a round trip", arguments: odd)
    func roundTrip(metadata: [String: String]) throws {
        let text = MetadataText.encode(metadata)
        #expect(MetadataText.decode(text) == metadata)
    }

    @Test("the text is one readable key=value line per entry, sorted by key")
    func format() {
        #expect(MetadataText.encode([:]) == "")
        #expect(MetadataText.encode(["b": "2", "a": "1"]) == "a=1\nb=2")
        #expect(MetadataText.encode(["k=ey": "line\nbreak\\"]) == "k\\eey=line\\nbreak\\\\")
    }

    @Test("text the encoder cannot have written is refused", arguments: ["novalue", "a=1\n", "a=\\x", "a=b\\", "\n"])
    func malformed(text: String) {
        #expect(MetadataText.decode(text) == nil)
    }
}
