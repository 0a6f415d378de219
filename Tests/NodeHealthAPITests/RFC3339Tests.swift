import Foundation
import NodeHealthAPI
import Testing

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test("fractional seconds without trailing zeros and an offset or Z")
    func format() {
        let text = RFC3339.format(Date(timeIntervalSince1970: 1_600_403_251.776_7))
        #expect(
            text.range(of: #"^2020-09-\d\dT\d\d:\d\d:\d\d\.7767(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil
        )
        let whole = RFC3339.format(Date(timeIntervalSince1970: 1_600_403_251))
        #expect(whole.range(of: #"^2020-09-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil)
    }

    @Test("a missing time is Go's zero time")
    func zero() {
        #expect(RFC3339.format(nil) == "0001-01-01T00:00:00Z")
    }
}
