import Auth
import Foundation
import Hummingbird
import Registry

/// Vitals-native: the recent health transitions of an instance and why they happened.
struct HistoryRoutes: Sendable {
    let registry: Registry
    let authority: Authority

    struct TransitionJSON: Encodable, Sendable {
        let from: Bool?
        let to: Bool?
        let cause: String
        let at: String
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/vitals/v1/ns/instance/history") { request, _ -> Response in
            do {
                let p = try await NacosParameters.from(request)
                try authority.check(request, p, .read)
                let service = try p.service()
                let ip = try p.ip()
                let port = try p.port()
                guard registry.instance(service: service, ip: ip, port: port) != nil else {
                    throw NacosError.registry(
                        .instanceNotFound("instance not found: \(ip):\(port) in \(service.groupedName)"))
                }
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let items = registry.history(service: service, ip: ip, port: port).map {
                    TransitionJSON(
                        from: $0.from, to: $0.to, cause: $0.cause.description, at: formatter.string(from: $0.at))
                }
                return NacosAPIVersion.v2.data(items)
            } catch {
                return NacosAPIVersion.v2.failure(NacosError.wrap(error))
            }
        }
    }
}
