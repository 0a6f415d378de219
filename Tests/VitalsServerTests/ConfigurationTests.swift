import Foundation
import HealthChecks
import TestSupport
import Testing
import VitalsServer

@Suite("Configuration: defaults, file, environment, flags")
struct ConfigurationTests {
    @Test("defaults are safe: loopback, Nacos's port, a local data folder")
    func defaults() throws {
        let configuration = try ServerConfiguration.resolve(file: nil, environment: .init(), flags: .init())
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8848)
        #expect(configuration.dataDirectory == "./vitals-data")
        #expect(configuration.logLevel == .info)
        #expect(configuration.shutdownGrace == .seconds(2))
        #expect(configuration.checks.isEmpty)
    }

    @Test("flags beat the environment, which beats the file")
    func precedence() throws {
        let path = temporaryDirectory() + "/vitals.yaml"
        try """
        host: 0.0.0.0
        port: 9000
        dataDir: /tmp/from-file
        logLevel: debug
        shutdownGrace: 10s
        checks:
          - name: db
            url: tcp://127.0.0.1:5432
            interval: 2s
            fall: 3
            tags: [storage]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ServerConfiguration.loadFile(at: path)
        let environment = try ServerConfiguration.Overrides.environment([
            "VITALS_PORT": "9100", "VITALS_DATA_DIR": "/tmp/from-env", "VITALS_LOG_LEVEL": "warning",
        ])
        var flags = ServerConfiguration.Overrides()
        flags.port = 9200
        flags.checks = ["api=http://127.0.0.1:8080/health;kind=readiness"]
        let configuration = try ServerConfiguration.resolve(file: file, environment: environment, flags: flags)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9200)
        #expect(configuration.dataDirectory == "/tmp/from-env")
        #expect(configuration.logLevel == .warning)
        #expect(configuration.shutdownGrace == .seconds(10))
        #expect(configuration.checks.map(\.name) == ["db", "api"])
        #expect(configuration.checks[0].fall == 3)
        #expect(configuration.checks[0].tags == ["storage"])
        #expect(configuration.checks[1].kind == .readiness)
    }

    @Test("a JSON config file works too")
    func jsonFile() throws {
        let path = temporaryDirectory() + "/vitals.json"
        try #"{"port": 7000, "checks": [{"name": "web", "url": "https://example.com", "expectedStatus": "200-204"}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ServerConfiguration.resolve(
            file: try ServerConfiguration.loadFile(at: path), environment: .init(), flags: .init())
        #expect(configuration.port == 7000)
        #expect(configuration.checks.first?.expectedStatus == "200-204")
    }

    @Test("--check parses NAME=URL and its options")
    func checkFlag() throws {
        let declaration = try CheckDeclaration(
            flag: "api=http://127.0.0.1:8080/health?x=1;interval=500ms;timeout=1s;rise=2;fall=3;warnAfter=1;"
                + "tags=a,b;method=post;header=X-Token:abc;body={};expectedStatus=200-299;expectedBody=ok;"
                + "tlsVerify=false;mode=fresh;kind=liveness;initialDelay=2s")
        #expect(declaration.name == "api")
        #expect(declaration.url == "http://127.0.0.1:8080/health?x=1")
        #expect(declaration.interval == "500ms")
        #expect(declaration.rise == 2)
        #expect(declaration.fall == 3)
        #expect(declaration.warnAfter == 1)
        #expect(declaration.tags == ["a", "b"])
        #expect(declaration.headers == ["X-Token": "abc"])
        #expect(declaration.tlsVerify == false)
        #expect(declaration.mode == "fresh")
        #expect(declaration.kind == .liveness)
    }

    @Test(
        "mistakes are refused with a message naming the problem",
        arguments: [
            ("noequals", "expected NAME=URL"),
            ("x=tcp://h:1;bogus=1", "unknown option 'bogus'"),
            ("x=tcp://h:1;fall=many", "fall must be a number"),
            ("x=tcp://h:1;kind=sometimes", "kind must be readiness, health or liveness"),
            ("x=tcp://h:1;novalue", "must be key=value"),
        ])
    func badFlags(flag: String, expected: String) {
        #expect {
            try CheckDeclaration(flag: flag)
        } throws: { error in
            String(describing: error).contains(expected)
        }
    }

    @Test(
        "bad values are refused",
        arguments: [
            ("VITALS_PORT", "http"), ("VITALS_LOG_LEVEL", "loud"), ("VITALS_SHUTDOWN_GRACE", "soon"),
        ])
    func badEnvironment(key: String, value: String) {
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(
                file: nil, environment: try .environment([key: value]), flags: .init())
        }
    }

    @Test("out-of-range ports and duplicate checks are refused")
    func badValues() throws {
        var flags = ServerConfiguration.Overrides()
        flags.port = 70000
        #expect(throws: ConfigurationError("port 70000 is out of range 0-65535")) {
            try ServerConfiguration.resolve(file: nil, environment: .init(), flags: flags)
        }
        var high = ServerConfiguration.Overrides()
        high.port = 65000
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(file: nil, environment: .init(), flags: high)
        }
        high.grpcPort = 0
        #expect(try ServerConfiguration.resolve(file: nil, environment: .init(), flags: high).effectiveGRPCPort == 0)
        var twice = ServerConfiguration.Overrides()
        twice.checks = ["a=tcp://h:1", "a=tcp://h:2"]
        #expect(throws: ConfigurationError("check 'a' is declared twice")) {
            try ServerConfiguration.resolve(file: nil, environment: .init(), flags: twice)
        }
    }

    @Test("a config file with a wrong type names the key")
    func badFile() throws {
        let path = temporaryDirectory() + "/bad.yaml"
        try "port: lots\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ServerConfiguration.loadFile(at: path)
        } throws: { error in
            String(describing: error).contains("port")
        }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.loadFile(at: "/nonexistent/vitals.yaml") }
    }

    @Test("misspelt keys are refused by name, at any level")
    func unknownKeys() throws {
        let directory = temporaryDirectory()
        for (text, expected) in [
            ("prot: 1\n", "unknown key 'prot'"),
            ("registry:\n  beatTimout: 5s\n", "unknown key 'beatTimout' in registry"),
            ("checks:\n  - name: a\n    url: tcp://h:1\n    intervall: 1s\n", "unknown key 'intervall' in checks[0]"),
        ] {
            let path = directory + "/bad.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try ServerConfiguration.loadFile(at: path)
            } throws: { error in
                String(describing: error).contains(expected)
            }
        }
    }

    @Test("the registry section sets beat timing, protection and cluster checks")
    func registrySection() throws {
        let path = temporaryDirectory() + "/registry.yaml"
        try "registry:\n  beatTimeout: 10s\n  deleteTimeout: 20s\n  protectThreshold: false\n  clusterCheckTimes: 2\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ServerConfiguration.resolve(
            file: try ServerConfiguration.loadFile(at: path), environment: .init(), flags: .init())
        #expect(configuration.registry.beatDefaults.unhealthyAfter == .seconds(10))
        #expect(configuration.registry.beatDefaults.deleteAfter == .seconds(20))
        #expect(configuration.registry.protectThresholdEnabled == false)
        #expect(configuration.registry.clusterCheckTimes == 2)
        let bad = temporaryDirectory() + "/bad.yaml"
        try "registry:\n  beatTimeout: 1s\n  beatInterval: 5s\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(
                file: try ServerConfiguration.loadFile(at: bad), environment: .init(), flags: .init())
        }
    }

    @Test("durations accept ms, s, m, h and bare seconds")
    func durations() throws {
        #expect(try DurationText.parse("250ms") == .milliseconds(250))
        #expect(try DurationText.parse("5s") == .seconds(5))
        #expect(try DurationText.parse("2m") == .seconds(120))
        #expect(try DurationText.parse("1h") == .seconds(3600))
        #expect(try DurationText.parse("1.5") == .milliseconds(1500))
        #expect(throws: ConfigurationError.self) { try DurationText.parse("-1s") }
        #expect(throws: ConfigurationError.self) { try DurationText.parse("fast") }
    }
}
