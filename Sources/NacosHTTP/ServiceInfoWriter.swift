import Hummingbird
import Registry

/// `instance/list` answers (Nacos's `ServiceInfo`, plus `trueHealthy` per host) written directly as bytes.
enum ServiceInfoWriter {
    static func write(_ list: ServiceInstances, into writer: inout JSONWriter) {
        writer.object { w in
            w.key("allIPs")
            w.value(false)
            w.key("cacheMillis")
            w.value(10000)
            w.key("checksum")
            w.value("")
            w.key("clusters")
            w.value(list.clusters.joined(separator: ","))
            w.key("groupName")
            w.value(list.service.group)
            w.key("hosts")
            w.array { hosts in
                for host in list.hosts { writeHost(host, into: &hosts) }
            }
            w.key("lastRefTime")
            w.value(list.lastRefTime)
            w.key("name")
            w.value(list.service.groupedName)
            w.key("reachProtectionThreshold")
            w.value(list.reachProtectionThreshold)
            w.key("valid")
            w.value(true)
        }
    }

    static func writeHost(_ view: InstanceView, into writer: inout JSONWriter) {
        writer.object { w in
            w.key("clusterName")
            w.value(view.instance.cluster)
            w.key("enabled")
            w.value(view.instance.enabled)
            w.key("ephemeral")
            w.value(view.instance.ephemeral)
            w.key("healthy")
            w.value(view.healthy)
            w.key("instanceHeartBeatInterval")
            w.value(view.beat.interval.nacosMillis)
            w.key("instanceHeartBeatTimeOut")
            w.value(view.beat.unhealthyAfter.nacosMillis)
            w.key("instanceId")
            w.value(view.instanceID)
            if view.instance.metadata.isEmpty {
                w.key("instanceIdGenerator")
                w.value("simple")
            }
            w.key("ip")
            w.value(view.instance.ip)
            w.key("ipDeleteTimeout")
            w.value(view.beat.deleteAfter.nacosMillis)
            w.key("metadata")
            w.value(view.instance.metadata)
            w.key("port")
            w.value(view.instance.port)
            w.key("serviceName")
            w.value(view.service.groupedName)
            w.key("trueHealthy")
            w.value(view.trueHealthy)
            w.key("weight")
            w.value(view.instance.weight)
        }
    }

    /// The list as a response: raw for v1, in the envelope for v2.
    static func response(_ list: ServiceInstances, version: NacosAPIVersion) -> Response {
        var writer = JSONWriter(capacity: 256 + list.hosts.count * 400)
        switch version {
        case .v1:
            write(list, into: &writer)
        case .v2:
            writer.object { w in
                w.key("code")
                w.value(0)
                w.key("message")
                w.value("success")
                w.key("data")
                write(list, into: &w)
            }
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
