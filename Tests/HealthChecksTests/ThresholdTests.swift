import Foundation
import HealthChecks
import Testing

@Suite("Thresholds and failure arithmetic")
struct ThresholdTests {
    let origin = Date(timeIntervalSince1970: 1_700_000_000)

    /// Applies outcomes one second apart and returns every intermediate result.
    func play(_ outcomes: [Bool], thresholds: Thresholds, from start: CheckResult? = nil) -> [CheckResult] {
        var result = start ?? CheckResult.notYetRunForTesting
        var history: [CheckResult] = []
        for (index, pass) in outcomes.enumerated() {
            let outcome: RunOutcome = pass ? .success(nil) : .failure("failure \(index)")
            result = result.applying(
                outcome, completedAt: origin.addingTimeInterval(Double(index)), duration: .milliseconds(3),
                thresholds: thresholds)
            history.append(result)
        }
        return history
    }

    @Test("the first result establishes the state, whatever the thresholds")
    func firstResultDecides() {
        let thresholds = Thresholds(successesBeforePassing: 3, failuresBeforeCritical: 3)
        #expect(play([false], thresholds: thresholds).map(\.status) == [.critical])
        #expect(play([true], thresholds: thresholds).map(\.status) == [.passing])
    }

    @Test("fall and rise damp flapping, with a warning state in between")
    func riseFallWarning() {
        let thresholds = Thresholds(successesBeforePassing: 2, failuresBeforeCritical: 3, failuresBeforeWarning: 2)
        let statuses = play([true, false, false, false, true, false, true, true], thresholds: thresholds).map(\.status)
        #expect(statuses == [.passing, .passing, .warning, .critical, .critical, .critical, .critical, .passing])
        let history = play([false, true, true], thresholds: thresholds)
        #expect(history[1].error == "recovering: 1 of 2 successes before passing")
        #expect(history[2].error == nil)
    }

    @Test("a success while warning is enough to pass again")
    func warningRecovers() {
        let thresholds = Thresholds(successesBeforePassing: 5, failuresBeforeCritical: 3, failuresBeforeWarning: 1)
        let statuses = play([true, false, true], thresholds: thresholds).map(\.status)
        #expect(statuses == [.passing, .warning, .passing])
        #expect(statuses.map(\.isHealthy) == [true, true, true])
    }

    @Test("contiguousFailures counts the streak and timeOfFirstFailure marks where it began")
    func failureArithmetic() {
        let history = play([false, false, false, true, false], thresholds: Thresholds())
        #expect(history.map(\.contiguousFailures) == [1, 2, 3, 0, 1])
        #expect(history.map(\.contiguousSuccesses) == [0, 0, 0, 1, 0])
        #expect(history[0].timeOfFirstFailure == origin)
        #expect(history[2].timeOfFirstFailure == origin)
        #expect(history[3].timeOfFirstFailure == nil)
        #expect(history[3].error == nil)
        #expect(history[4].timeOfFirstFailure == origin.addingTimeInterval(4))
        #expect(history[4].error == "failure 4")
        #expect(history[4].timestamp == origin.addingTimeInterval(4))
        #expect(history[4].durationNanoseconds == 3_000_000)
    }

    @Test("an immediate failure skips the critical threshold")
    func immediateFailure() {
        let thresholds = Thresholds(failuresBeforeCritical: 3)
        var result = play([true, false], thresholds: thresholds).last ?? .notYetRunForTesting
        #expect(result.status == .passing)
        result = result.applying(
            .failure("refused", immediate: true), completedAt: origin, duration: .zero, thresholds: thresholds)
        #expect(result.status == .critical)
        #expect(result.contiguousFailures == 2)
    }

    @Test("a check that never ran counts no failure when it first fails")
    func notYetRunIsNotAFailure() {
        let history = play([false], thresholds: Thresholds())
        #expect(history[0].contiguousFailures == 1)
    }
}

extension CheckResult {
    static var notYetRunForTesting: CheckResult {
        CheckResult(
            status: .notYetRun, details: nil, error: "not yet run", timestamp: nil, duration: .zero,
            contiguousFailures: 0, contiguousSuccesses: 0, timeOfFirstFailure: nil)
    }
}
