import Foundation
import Hummingbird
import Registry

/// Request parameters the Nacos way: query string and form body merged (the body wins),
/// with Nacos's boolean spellings and its length and character rules.
struct NacosParameters: Sendable {
    static let maxBodyBytes = 64 * 1024

    private var values: [String: String]

    init(_ values: [String: String]) {
        self.values = values
    }

    static func from(_ request: Request) async throws -> NacosParameters {
        var body: ByteBuffer?
        if takesFormBody(contentType: request.headers[.contentType], method: request.method) {
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch {
                throw NacosError.tooLarge("request body exceeds \(maxBodyBytes) bytes")
            }
        }
        return parse(query: request.uri.query ?? "", formBody: body)
    }

    /// A form body counts when it says so, or says nothing on a write (curl's `-d` habit).
    static func takesFormBody(contentType: String?, method: HTTPRequest.Method) -> Bool {
        let contentType = contentType?.lowercased() ?? ""
        return contentType.hasPrefix("application/x-www-form-urlencoded") || (contentType.isEmpty && method != .get)
    }

    /// The query string and the form body merged, the body winning.
    static func parse(query: String, formBody: ByteBuffer?) -> NacosParameters {
        var values: [String: String] = [:]
        // Form decoding, not RFC 3986: clients (Python's urlencode among them) send spaces as `+`.
        for (key, value) in parseForm(query) {
            values[key] = value
        }
        if let formBody {
            for (key, value) in parseForm(String(buffer: formBody)) { values[key] = value }
        }
        return NacosParameters(values)
    }

    static func parseForm(_ text: String) -> [(String, String)] {
        // Byte-level: Foundation's replacingOccurrences + removingPercentEncoding cost a sixth of a
        // beat's CPU (perf, docs/benchmarks.md). Same results: `+` is a space, `%XY` a byte, and a
        // component with a malformed escape or invalid UTF-8 is kept as sent.
        text.utf8.split(separator: UInt8(ascii: "&")).map { pair in
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return (decodeForm(pair), "") }
            return (decodeForm(pair[..<equals]), decodeForm(pair[pair.index(after: equals)...]))
        }
    }

    /// One form-encoded component: `+` as a space and `%XY` escapes.
    static func decodeForm(_ component: Substring.UTF8View) -> String {
        let raw = String(Substring(component))
        guard component.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return raw }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(component.count)
        var index = component.startIndex
        while index != component.endIndex {
            let byte = component[index]
            index = component.index(after: index)
            switch byte {
            case UInt8(ascii: "+"): decoded.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index != component.endIndex, let high = hexDigit(component[index]) else { return raw }
                index = component.index(after: index)
                guard index != component.endIndex, let low = hexDigit(component[index]) else { return raw }
                index = component.index(after: index)
                decoded.append(high << 4 | low)
            default: decoded.append(byte)
            }
        }
        return String(validating: decoded, as: UTF8.self) ?? raw
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    subscript(_ name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    func optional(_ names: String...) -> String? {
        for name in names {
            if let value = values[name], !value.isEmpty { return value }
        }
        return nil
    }

    func required(_ name: String) throws -> String {
        guard let value = values[name], !value.isEmpty else { throw NacosError.missing(name) }
        return value
    }

    func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        guard let text = optional(name) else {
            if let fallback { return fallback }
            throw NacosError.missing(name)
        }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw NacosError.invalid("Param '\(name)' must be an integer, got '\(text)'")
        }
        return value
    }

    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let text = optional(name) else { return fallback }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw NacosError.invalid("Param '\(name)' must be a number, got '\(text)'")
        }
        return value
    }

    /// Nacos's `ConvertUtils.toBoolean`: y/yes/on/true/t and n/no/off/false/f, any case.
    func bool(_ names: String..., default fallback: Bool) throws -> Bool {
        for name in names {
            guard let text = optional(name) else { continue }
            switch text.lowercased() {
            case "y", "yes", "on", "true", "t", "1": return true
            case "n", "no", "off", "false", "f", "0": return false
            default: throw NacosError.invalid("Param '\(name)' must be a boolean, got '\(text)'")
            }
        }
        return fallback
    }

    /// The service named by `serviceName` (grouped or plain), `groupName` and `namespaceId`.
    func service() throws -> ServiceKey {
        let name = try required("serviceName")
        let namespace = optional("namespaceId", "tenant")
        let group = optional("groupName")
        try Self.check(namespace: namespace, group: group, serviceName: name)
        do {
            return try ServiceKey(namespace: namespace, group: group, serviceName: name)
        } catch let error as RegistryError {
            throw NacosError.registry(error)
        }
    }

    func ip() throws -> String {
        let ip = try required("ip")
        guard Self.fits(ip, 128), !Self.containsWhitespace(ip) else {
            throw NacosError.invalid("Param 'ip' is illegal, illegal characters should not appear in the param.")
        }
        return ip
    }

    func port() throws -> Int {
        let port = try int("port")
        guard (0...65535).contains(port) else {
            throw NacosError.invalid("Param 'port' is illegal, the value should be between 0 and 65535.")
        }
        return port
    }

    func cluster() throws -> String {
        let cluster = optional("clusterName", "cluster") ?? Instance.defaultCluster
        guard cluster.count <= 64 else {
            throw NacosError.invalid("Param 'clusterName' is illegal, the param length should not exceed 64.")
        }
        return cluster
    }

    /// Metadata as a JSON object or `k1=v1,k2=v2`; at most 1024 characters.
    func metadata(_ name: String = "metadata") throws -> [String: String]? {
        guard let text = optional(name) else { return nil }
        guard text.count <= 1024 else {
            throw NacosError.registry(
                .invalidMetadata("Param 'metadata' is illegal, the param length should not exceed 1024."))
        }
        return try Self.parseMetadata(text)
    }

    static func parseMetadata(_ text: String) throws -> [String: String] {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw NacosError.registry(.invalidMetadata("metadata format incorrect:\(text)"))
            }
            var metadata: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let string as String: metadata[key] = string
                case let number as NSNumber: metadata[key] = number.stringValue
                default: throw NacosError.registry(.invalidMetadata("metadata format incorrect:\(text)"))
                }
            }
            return metadata
        }
        var metadata: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw NacosError.registry(.invalidMetadata("metadata format incorrect:\(text)"))
            }
            metadata[String(parts[0])] = String(parts[1])
        }
        return metadata
    }

    /// Nacos's parameter-check rules for names.
    static func check(namespace: String?, group: String?, serviceName: String) throws {
        if let namespace {
            guard namespace.count <= 64,
                namespace.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw NacosError.invalid(
                    "Param 'namespaceId' is illegal, illegal characters should not appear in the param.")
            }
        }
        if let group {
            guard group.count <= 128,
                group.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_:.".contains($0)) })
            else {
                throw NacosError.invalid(
                    "Param 'groupName' is illegal, illegal characters should not appear in the param.")
            }
        }
        guard fits(serviceName, 512), serviceName.utf8.first != UInt8(ascii: "@"), !containsWhitespace(serviceName)
        else {
            throw NacosError.invalid(
                "Param 'serviceName' is illegal, illegal characters should not appear in the param.")
        }
    }

    /// At most `limit` Characters; the byte count (O(1)) settles it for most texts.
    static func fits(_ text: String, _ limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    /// Unicode whitespace, decided on bytes when the text is ASCII (every hot request's is):
    /// Character properties cost a few percent of a beat (perf, docs/benchmarks.md).
    static func containsWhitespace(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return true }
        }
        return ascii ? false : text.contains(where: \.isWhitespace)
    }
}
