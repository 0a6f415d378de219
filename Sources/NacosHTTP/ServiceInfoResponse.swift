import Hummingbird
import NacosWire
import Registry

/// `instance/list` answers: raw for v1, in the envelope for v2.
enum ServiceInfoResponse {
    static func answer(_ list: ServiceInstances, version: NacosAPIVersion) -> NacosAnswer {
        var writer = JSONWriter(capacity: 256 + list.hosts.count * 400)
        switch version {
        case .v1:
            ServiceInfoWriter.write(list, groupedName: true, into: &writer)
        case .v2:
            writer.object { w in
                w.key("code")
                w.value(0)
                w.key("message")
                w.value("success")
                w.key("data")
                ServiceInfoWriter.write(list, groupedName: true, into: &w)
            }
        }
        return .json(writer.bytes)
    }
}
