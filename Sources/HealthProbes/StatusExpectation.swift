import Foundation

/// The HTTP status codes that count as a pass, such as `200-399` or `200,204,301-302`.
public struct StatusExpectation: Sendable, Hashable, CustomStringConvertible {
    public let ranges: [ClosedRange<Int>]

    /// kubelet's and Vitals' default: any 2xx or 3xx.
    public static let successOrRedirect = StatusExpectation(ranges: [200...399])

    public init(ranges: [ClosedRange<Int>]) {
        self.ranges = ranges
    }

    /// Parses a comma-separated list of codes and `low-high` ranges.
    public init(parsing text: String) throws {
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map {
                Int(String($0).trimmingCharacters(in: .whitespaces))
            }
            switch bounds.count {
            case 1:
                guard let code = bounds[0], (100...599).contains(code) else {
                    throw ProbeError.invalidTarget("bad status code '\(part)'")
                }
                ranges.append(code...code)
            case 2:
                guard let low = bounds[0], let high = bounds[1], (100...599).contains(low), (100...599).contains(high),
                    low <= high
                else {
                    throw ProbeError.invalidTarget("bad status range '\(part)'")
                }
                ranges.append(low...high)
            default:
                throw ProbeError.invalidTarget("bad status range '\(part)'")
            }
        }
        guard !ranges.isEmpty else { throw ProbeError.invalidTarget("empty status expectation") }
        self.ranges = ranges
    }

    public func accepts(_ status: Int) -> Bool {
        ranges.contains { $0.contains(status) }
    }

    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }
}
