import Testing

@testable import NacosHTTP

/// The byte-level name checks must agree with the Character-level rules they replace.
@Suite("Name rules on bytes agree with Character rules")
struct NameRuleTests {
    @Test func whitespaceAsCharactersSeeIt() {
        var texts = (0..<128).map { "a" + String(UnicodeScalar(UInt8($0))) + "b" }
        texts += ["", "plain", "naïve", "a\u{00A0}b", "a\u{2003}b", "a\u{0085}b", "日本語", "e\u{301}", "a\u{3000}"]
        for text in texts {
            #expect(
                NacosParameters.containsWhitespace(text) == text.contains(where: \.isWhitespace), "\(Array(text.utf8))")
        }
    }

    @Test func lengthLimitsCountCharacters() {
        #expect(NacosParameters.fits(String(repeating: "a", count: 128), 128))
        #expect(!NacosParameters.fits(String(repeating: "a", count: 129), 128))
        // 128 Characters of 2 bytes each: over the limit in bytes, within it in Characters.
        #expect(NacosParameters.fits(String(repeating: "é", count: 128), 128))
        #expect(!NacosParameters.fits(String(repeating: "é", count: 129), 128))
    }
}
