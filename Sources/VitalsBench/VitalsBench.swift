import Foundation
import HealthChecks
import Logging

/// Release-mode benchmark of the health engine: scheduling overhead per check run and
/// memory per registered check, each beside a reference measured in the same run.
///
/// Usage:
/// - `vitals-bench [engine] [checks] [interval-seconds] [window-seconds]`
///   (defaults: 100000 checks, 10 s interval, 10 s window);
/// - `vitals-bench probe URL [connections] [seconds]` (defaults: 16 connections, 5 s per row).
@main
struct VitalsBench {
    static func main() async throws {
        var words = Array(CommandLine.arguments.dropFirst())
        if words.first == "probe" {
            guard words.count >= 2 else {
                print("usage: vitals-bench probe URL [connections] [seconds]")
                return
            }
            let numbers = words.dropFirst(2).compactMap { Int($0) }
            try await ProbeBench.run(
                url: words[1], connections: numbers.first ?? 16, seconds: numbers.dropFirst().first ?? 5)
            return
        }
        if words.first == "engine" { words.removeFirst() }
        let arguments = words.compactMap { Int($0) }
        let checks = arguments.count > 0 ? arguments[0] : 100_000
        let interval = arguments.count > 1 ? arguments[1] : 10
        let window = arguments.count > 2 ? arguments[2] : 10

        print(
            "vitals-bench: \(checks) checks, interval \(interval)s, window \(window)s, cores \(ProcessInfo.processInfo.activeProcessorCount)"
        )
        let reference = await referenceTaskCost(tasks: checks)
        let memory = try memoryPerCheck(checks: checks)
        let scheduling = try await schedulingOverhead(checks: checks, interval: interval, window: window)

        print("")
        print("| figure | value | reference | ratio |")
        print("| --- | ---: | ---: | ---: |")
        print(
            String(
                format:
                    "| CPU per check run (no-op check, engine overhead) | %.2f µs | %.2f µs (one bare child task) | %.1fx |",
                scheduling.cpuPerRun, reference, scheduling.cpuPerRun / reference))
        print(
            String(
                format: "| resident memory per registered check | %.0f B | %.0f B (the check values alone) | %.1fx |",
                memory.perCheck, memory.baseline, memory.perCheck / max(memory.baseline, 1)))
        print(
            String(
                format: "| runs completed in the window | %d | %d expected | %.2f |", scheduling.runs,
                scheduling.expected, Double(scheduling.runs) / Double(max(1, scheduling.expected))))
        print(
            String(
                format: "| start lateness p50 / p99 / max | %.2f / %.2f / %.2f ms | — | — |", scheduling.p50,
                scheduling.p99, scheduling.max))
        print(String(format: "| CPU used over the window | %.1f%% of one core | — | — |", scheduling.cpuPercent))
    }

    /// CPU per child task of a discarding task group: the floor any async scheduler pays per run.
    static func referenceTaskCost(tasks: Int) async -> Double {
        let before = ProcessStats.cpuTime()
        await withDiscardingTaskGroup { group in
            for _ in 0..<tasks {
                group.addTask { await noOp() }
            }
        }
        let cpu = ProcessStats.cpuTime() - before
        return cpu.microseconds / Double(tasks)
    }

    @inline(never)
    static func noOp() async {}

    static func quietLogger() -> Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        return logger
    }

    static func memoryPerCheck(checks: Int) throws -> (perCheck: Double, baseline: Double) {
        let start = ProcessStats.residentBytes()
        var values: [ClosureCheck] = []
        values.reserveCapacity(checks)
        for index in 0..<checks {
            values.append(ClosureCheck("service-\(index).check") { nil })
        }
        let afterValues = ProcessStats.residentBytes()
        let engine = HealthEngine(configuration: .init(perCheckMetrics: false), logger: quietLogger())
        let options = CheckOptions(interval: .seconds(10), tags: ["registry"])
        let beforeEngine = ProcessStats.residentBytes()
        for check in values {
            try engine.register(check, options: options)
        }
        let afterEngine = ProcessStats.residentBytes()
        withExtendedLifetime(engine) {}
        return (Double(afterEngine - beforeEngine) / Double(checks), Double(afterValues - start) / Double(checks))
    }

    struct Scheduling {
        var cpuPerRun: Double
        var runs: Int
        var expected: Int
        var p50: Double
        var p99: Double
        var max: Double
        var cpuPercent: Double
    }

    /// Registers `checks` no-op checks spread over one interval and measures the CPU the engine
    /// spends per run over `window` seconds of steady state.
    static func schedulingOverhead(checks: Int, interval: Int, window: Int) async throws -> Scheduling {
        let engine = HealthEngine(
            configuration: .init(maxConcurrentRuns: 4096, perCheckMetrics: false), logger: quietLogger())
        let spread = Duration.seconds(interval) / checks
        for index in 0..<checks {
            try engine.register(
                ClosureCheck("c\(index)") { nil },
                options: CheckOptions(interval: .seconds(interval), initialDelay: spread * index, timeout: .seconds(5)))
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            // Warm up for one interval so every check is on its steady schedule.
            try await Task.sleep(for: .seconds(interval))
            let startRuns = engine.stats().runsStarted
            let startCPU = ProcessStats.cpuTime()
            let startWall = ContinuousClock.now
            try await Task.sleep(for: .seconds(window))
            let cpu = ProcessStats.cpuTime() - startCPU
            let wall = ContinuousClock.now - startWall
            let stats = engine.stats()
            group.cancelAll()
            let runs = stats.runsStarted - startRuns
            return Scheduling(
                cpuPerRun: cpu.microseconds / Double(max(runs, 1)),
                runs: runs,
                expected: checks * window / interval,
                p50: stats.latenessP50.milliseconds,
                p99: stats.latenessP99.milliseconds,
                max: stats.latenessMax.milliseconds,
                cpuPercent: cpu.microseconds / wall.microseconds * 100
            )
        }
    }
}
