import Registry

/// Nacos's `ServiceInfo` (plus `trueHealthy` per host), written directly as bytes.
/// HTTP lists name the service `group@@name`; gRPC answers and pushes use the plain name,
/// which the Python SDK needs to match its cache.
public enum ServiceInfoWriter {
    public static func write(_ list: ServiceInstances, groupedName: Bool, into writer: inout JSONWriter) {
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
            w.value(groupedName ? list.service.groupedName : list.service.name)
            w.key("reachProtectionThreshold")
            w.value(list.reachProtectionThreshold)
            w.key("valid")
            w.value(true)
        }
    }

    public static func writeHost(_ view: InstanceView, into writer: inout JSONWriter) {
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
            w.value(view.beat.interval.milliseconds)
            w.key("instanceHeartBeatTimeOut")
            w.value(view.beat.unhealthyAfter.milliseconds)
            w.key("instanceId")
            w.value(view.instanceID)
            if view.instance.metadata.isEmpty {
                w.key("instanceIdGenerator")
                w.value("simple")
            }
            w.key("ip")
            w.value(view.instance.ip)
            w.key("ipDeleteTimeout")
            w.value(view.beat.deleteAfter.milliseconds)
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
}
