import ArgumentParser
import Foundation
import Logging
import VitalsServer

@main
struct VitalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitals",
        abstract: "Service registry and health-check server.",
        version: VitalsServer.version,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Vitals server.",
        discussion: """
            Settings come from defaults, then the config file, then VITALS_* environment variables \
            (VITALS_HOST, VITALS_PORT, VITALS_GRPC_PORT, VITALS_DATA_DIR, VITALS_LOG_LEVEL, VITALS_SHUTDOWN_GRACE, VITALS_CONFIG, VITALS_AUTH_ENABLED, VITALS_AUTH_ADMIN_PASSWORD, VITALS_AUTH_TOKEN_SECRET), \
            then flags; later sources win.
            """
    )

    @Option(help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(help: "HTTP port (default 8848, Nacos's; 0 picks a free port).")
    var port: Int?

    @Option(
        name: .customLong("grpc-port"), help: "Nacos gRPC port (default: the HTTP port + 1000, as Nacos SDKs expect).")
    var grpcPort: Int?

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./vitals-data).")
    var dataDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("config"), help: "YAML or JSON config file.")
    var configFile: String?

    @Option(
        name: .customLong("shutdown-grace"),
        help: "How long to keep serving with a failing shuttingDown check after SIGTERM (default 2s).")
    var shutdownGrace: String?

    @Flag(
        name: .customLong("auth"),
        help: "Require Nacos logins and access tokens (auth.enabled; see docs/operations.md).")
    var auth = false

    @Option(
        name: .customLong("check"),
        help: ArgumentHelp(
            "Dependency check NAME=URL[;key=value...] (repeatable). URL: http://, https://, tcp://host:port.",
            discussion:
                "Keys: kind, interval, timeout, initialDelay, rise, fall, warnAfter, tags, method, header, body, "
                + "expectedStatus, expectedBody, tlsVerify, mode."))
    var checks: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServerConfiguration
        do {
            var flags = ServerConfiguration.Overrides()
            flags.host = host
            flags.port = port
            flags.grpcPort = grpcPort
            flags.dataDir = dataDir
            flags.logLevel = logLevel
            flags.shutdownGrace = shutdownGrace
            flags.checks = checks
            if auth { flags.authEnabled = true }
            let file = try (configFile ?? environment["VITALS_CONFIG"]).map(ServerConfiguration.loadFile(at:))
            configuration = try ServerConfiguration.resolve(
                file: file, environment: try .environment(environment), flags: flags)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            try await VitalsServer(configuration: configuration).run()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
