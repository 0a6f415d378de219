import Foundation
import Testing

@testable import NacosHTTP

@Suite("Form decoding of query strings and bodies")
struct FormDecodingTests {
    /// The decoding the byte-level parser replaced (Foundation), as the reference.
    func foundation(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawKey = parts.first else { return nil }
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            return (decode(rawKey), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    @Test(
        "same pairs as Foundation's percent decoding",
        arguments: [
            "", "a=1", "a=1&b=2", "serviceName=DEFAULT_GROUP%40%40list10&ip=127.0.0.1&port=7001",
            "a+b=c+d", "a=%7B%22k%22%3A%22v%22%7D", "a=b=c", "=x", "flag", "a=&b=", "&&a=1&&",
            "a=%", "a=%4", "a=%zz", "a=%2B+", "a=%C3%A9t%C3%A9", "a=%C3", "a=%FF%FE", "a=%00", "k%3D=v%26",
            "name=caf%C3%A9+au+lait&x=1%2", "ünï=çødé", "a=100%25",
        ])
    func sameAsFoundation(_ text: String) {
        let ours = NacosParameters.parseForm(text)
        let reference = foundation(text)
        #expect(ours.map(\.0) == reference.map(\.0), "\(text)")
        #expect(ours.map(\.1) == reference.map(\.1), "\(text)")
    }
}
