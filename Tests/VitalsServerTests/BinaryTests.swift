import Foundation
import TestSupport
import Testing

/// Runs the built `vitals` executable, as an operator would.
@Suite("The vitals binary", .timeLimit(.minutes(2)))
struct BinaryTests {
    /// `swift test` builds every product next to the test bundle.
    static func binaryPath() throws -> String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [
            bundleDirectory.appendingPathComponent("vitals").path,
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("vitals").path,
            FileManager.default.currentDirectoryPath + "/.build/debug/vitals",
        ] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestFailure("vitals binary not found next to \(bundleDirectory.path); run `swift build` first")
    }

    struct Running {
        let process: Process
        let port: Int
        let logPath: String
    }

    /// Starts `vitals serve --port 0 …` and reads the bound port from its log.
    static func start(_ arguments: [String], useOwnDataDirectory: Bool = true) async throws -> Running {
        let directory = temporaryDirectory("vitals-binary")
        let logPath = directory + "/stderr.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binaryPath())
        process.arguments =
            ["serve", "--port", "0"] + (useOwnDataDirectory ? ["--data-dir", directory + "/data"] : []) + arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var port: Int?
        _ = try await eventually {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let match = log.firstMatch(of: /address=http:\/\/127\.0\.0\.1:(\d+)/) {
                port = Int(match.1)
            }
            return port != nil || !process.isRunning
        }
        guard let port else {
            process.terminate()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestFailure("vitals did not report a port; log:\n\(log)")
        }
        return Running(process: process, port: port, logPath: logPath)
    }

    @Test("SIGTERM drains: a failing shuttingDown check while serving, then a clean exit")
    func drainOnSigterm() async throws {
        // A grace long enough to observe on a machine busy with the rest of the suite.
        let running = try await Self.start(["--shutdown-grace", "5s"])
        let client = TestClient(port: running.port)
        // Errors count as "not yet": on a loaded machine the first connection may race the accept loop.
        #expect(try await eventually(attempts: 400) { (try? await client.get("/ext/health"))?.status == 200 })
        kill(running.process.processIdentifier, SIGTERM)
        #expect(try await eventually(attempts: 400) { (try? await client.get("/ext/health"))?.status == 503 })
        let draining = try TestClient.object(try await client.get("/ext/health"))
        let checks = try #require(draining["checks"] as? [String: [String: Any]])
        #expect(checks["shuttingDown"] != nil)
        #expect(try await client.get("/readyz").status == 503)
        #expect(try await client.get("/livez").status == 200)
        #expect(try await eventually(attempts: 400) { !running.process.isRunning })
        #expect(running.process.terminationStatus == 0)
    }

    @Test("a bad flag exits non-zero with a clear message")
    func badFlag() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = ["serve", "--check", "nonsense"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains("expected NAME=URL"))
    }

    @Test("--help documents every serve flag")
    func help() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = ["serve", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for flag in ["--host", "--port", "--data-dir", "--log-level", "--config", "--shutdown-grace", "--check"] {
            #expect(output.contains(flag), "\(flag) missing from help")
        }
    }
}
