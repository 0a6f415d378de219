import HealthChecks
import Testing

@Suite("Registration and tags")
struct RegistrationTests {
    let engine = HealthEngine(clock: ManualClock(), configuration: .init(perCheckMetrics: false))

    @Test("names are unique per kind, not across kinds")
    func duplicates() throws {
        try engine.register(ScriptedCheck("bootstrapped"), kind: .readiness)
        try engine.register(ScriptedCheck("bootstrapped"), kind: .health)
        #expect(throws: HealthEngineError.duplicateCheck(CheckKey(name: "bootstrapped", kind: .health))) {
            try engine.register(ScriptedCheck("bootstrapped"), kind: .health)
        }
        #expect(
            String(describing: HealthEngineError.duplicateCheck(CheckKey(name: "x", kind: .health)))
                == "duplicate check: \"x\" (health)")
    }

    @Test("the tag all is reserved")
    func reservedTag() {
        #expect(throws: HealthEngineError.restrictedTag("all")) {
            try engine.register(ScriptedCheck("x"), options: CheckOptions(tags: ["all"]))
        }
    }

    @Test(
        "bad options are refused",
        arguments: [
            CheckOptions(interval: .zero),
            CheckOptions(timeout: .zero),
            CheckOptions(initialDelay: .seconds(-1)),
            CheckOptions(thresholds: Thresholds(failuresBeforeCritical: 0)),
            CheckOptions(thresholds: Thresholds(failuresBeforeCritical: 2, failuresBeforeWarning: 3)),
        ])
    func badOptions(options: CheckOptions) {
        #expect(throws: HealthEngineError.self) {
            try engine.register(ScriptedCheck("x"), options: options)
        }
    }

    @Test("an empty name is refused")
    func emptyName() {
        #expect(throws: HealthEngineError.emptyName) { try engine.register(ScriptedCheck("")) }
    }

    @Test("tag queries return the union plus application checks; all selects everything")
    func tagSelection() throws {
        try engine.register(ScriptedCheck("net"), options: CheckOptions(tags: ["application"]))
        try engine.register(ScriptedCheck("chainA"), options: CheckOptions(tags: ["subnetA"]))
        try engine.register(ScriptedCheck("chainB"), options: CheckOptions(tags: ["subnetB"]))
        try engine.register(ScriptedCheck("chainAB"), options: CheckOptions(tags: ["subnetA", "subnetB"]))
        try engine.register(ScriptedCheck("untagged"))
        func names(_ tags: [String]) -> [String] {
            engine.report(kind: .health, tags: tags).entries.map(\.key.name)
        }
        #expect(names([]) == ["chainA", "chainAB", "chainB", "net", "untagged"])
        #expect(names(["all"]) == ["chainA", "chainAB", "chainB", "net", "untagged"])
        #expect(names(["subnetA"]) == ["chainA", "chainAB", "net"])
        #expect(names(["subnetA", "subnetB"]) == ["chainA", "chainAB", "chainB", "net"])
        #expect(names(["unknown"]) == ["net"])
        #expect(engine.report(kind: .liveness).entries.isEmpty)
        #expect(engine.report(kind: .liveness).healthy)
    }
}
