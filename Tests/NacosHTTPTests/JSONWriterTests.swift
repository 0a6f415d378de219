import Foundation
import Testing

@testable import NacosWire
@testable import Registry

@Suite("Direct JSON writing of instance lists")
struct JSONWriterTests {
    func parse(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("strings are escaped so any metadata round-trips")
    func escaping() throws {
        let tricky = "quote\" backslash\\ newline\n tab\t bell\u{07} unicode é✓"
        var writer = JSONWriter()
        writer.object { w in
            w.key(tricky)
            w.value(tricky)
            w.key("list")
            w.array { a in
                a.value(1)
                a.value(2.5)
                a.value(true)
                a.null()
            }
        }
        let parsed = try parse(writer.bytes)
        #expect(parsed[tricky] as? String == tricky)
        #expect(parsed["list"] as? NSArray == [1, 2.5, true, NSNull()] as NSArray)
    }

    @Test("a service list has Nacos's ServiceInfo shape")
    func serviceInfo() throws {
        let service = ServiceKey(name: "shop")
        let instance = Instance(ip: "127.0.0.1", port: 8080, weight: 2, metadata: ["zone": "a\"b"])
        let list = ServiceInstances(
            service: service, clusters: ["DEFAULT"],
            hosts: [
                InstanceView(
                    service: service, instance: instance, healthy: true, trueHealthy: false, beat: .nacosDefault,
                    instanceID: instance.instanceID(in: service))
            ],
            lastRefTime: 1_700_000_000_000, reachProtectionThreshold: true)
        var writer = JSONWriter()
        ServiceInfoWriter.write(list, groupedName: true, into: &writer)
        let expected: NSDictionary = [
            "name": "DEFAULT_GROUP@@shop", "groupName": "DEFAULT_GROUP", "clusters": "DEFAULT", "cacheMillis": 10000,
            "lastRefTime": 1_700_000_000_000, "checksum": "", "allIPs": false, "reachProtectionThreshold": true,
            "valid": true,
            "hosts": [
                [
                    "instanceId": "127.0.0.1#8080#DEFAULT#DEFAULT_GROUP@@shop", "ip": "127.0.0.1", "port": 8080,
                    "weight": 2.0, "healthy": true, "trueHealthy": false, "enabled": true, "ephemeral": true,
                    "clusterName": "DEFAULT", "serviceName": "DEFAULT_GROUP@@shop", "metadata": ["zone": "a\"b"],
                    "instanceHeartBeatInterval": 5000, "instanceHeartBeatTimeOut": 15000, "ipDeleteTimeout": 30000,
                ]
            ],
        ]
        #expect(try parse(writer.bytes) == expected)
    }
}
