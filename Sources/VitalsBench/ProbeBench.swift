import Foundation
import HealthChecks
import HealthProbes
import Logging

/// Cost per HTTP check against one target, for Vitals' prober (keep-alive and fresh
/// connections, alone and through the engine) beside raw SwiftNIO in the same run.
enum ProbeBench {
    struct Row {
        let name: String
        let checks: Int
        let failures: Int
        let cpu: Duration
        let wall: Duration

        var perSecond: Double { Double(checks) / (wall.microseconds / 1e6) }
        var cpuPerCheck: Double { cpu.microseconds / Double(max(checks, 1)) }
    }

    static func measure(_ name: String, _ body: () async throws -> (Int, Int)) async rethrows -> Row {
        let cpu = ProcessStats.cpuTime()
        let start = ContinuousClock.now
        let (checks, failures) = try await body()
        return Row(
            name: name, checks: checks, failures: failures, cpu: ProcessStats.cpuTime() - cpu, wall: .now - start)
    }

    static func run(url: String, connections: Int, seconds: Int) async throws {
        let target = try ProbeTarget(parsing: url)
        print(
            "probe bench: \(url), \(connections) connections, \(seconds)s per row, cores \(ProcessInfo.processInfo.activeProcessorCount)"
        )
        var rows: [Row] = []
        rows.append(
            try await measure("raw SwiftNIO keep-alive loop (reference)") {
                try await RawNIOReference.run(
                    host: target.host, port: target.port, path: target.pathAndQuery, connections: connections,
                    seconds: seconds)
            })
        for mode in [HTTPProber.ConnectionMode.keepAlive, .fresh] {
            let prober = HTTPProber(configuration: .init(maxConnectionsPerTarget: connections))
            let check = HTTPCheck(name: "bench", configuration: .init(url: target, mode: mode), prober: prober)
            rows.append(
                await measure("HTTPCheck.run() loop, \(mode.rawValue)") {
                    await loop(check, workers: connections, seconds: seconds)
                })
        }
        rows.append(
            try await measure("engine-scheduled HTTP checks, keep-alive") {
                try await engineScheduled(target: target, connections: connections, seconds: seconds)
            })

        let reference = rows[0].cpuPerCheck
        print("")
        print("| path | checks/s | CPU µs per check | vs raw NIO | failures |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for row in rows {
            print(
                String(
                    format: "| %@ | %.0f | %.1f | %.2fx | %d |", row.name, row.perSecond, row.cpuPerCheck,
                    row.cpuPerCheck / reference, row.failures))
        }
    }

    /// `workers` tasks calling `run()` back to back until the time is up.
    static func loop(_ check: HTTPCheck, workers: Int, seconds: Int) async -> (Int, Int) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let counter = RawNIOReference.Counter()
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        do {
                            _ = try await check.run()
                            counter.successes.add(1, ordering: .relaxed)
                        } catch {
                            counter.failures.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        return (counter.successes.load(ordering: .relaxed), counter.failures.load(ordering: .relaxed))
    }

    /// 2,000 checks of the target every 200 ms (10,000 checks/s offered) through the engine.
    static func engineScheduled(target: ProbeTarget, connections: Int, seconds: Int) async throws -> (Int, Int) {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let engine = HealthEngine(configuration: .init(perCheckMetrics: false), logger: logger)
        let prober = HTTPProber(configuration: .init(maxConnectionsPerTarget: connections))
        let checks = 2000
        let interval = Duration.milliseconds(200)
        for index in 0..<checks {
            try engine.register(
                HTTPCheck(name: "c\(index)", configuration: .init(url: target), prober: prober),
                options: CheckOptions(interval: interval, initialDelay: interval / checks * index))
        }
        let counter = RawNIOReference.Counter()
        let events = engine.events(bufferSize: 100_000)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            group.addTask {
                for await event in events {
                    if case .completed(_, let result) = event, result.error != nil {
                        counter.failures.add(1, ordering: .relaxed)
                    }
                }
            }
            let before = engine.stats().runsStarted
            try await Task.sleep(for: .seconds(seconds))
            let runs = engine.stats().runsStarted - before
            group.cancelAll()
            return (runs, counter.failures.load(ordering: .relaxed))
        }
    }
}
