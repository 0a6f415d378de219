/// Instance metadata as one text column: `key=value` entries separated by newlines, sorted by key.
///
/// Restart decodes 100,000 of these, so the format is built for a plain byte scan instead of a
/// JSON parser: the escapes below never produce a raw `=`, newline or NUL, so splitting needs no
/// look-behind, and text without a backslash is copied whole. UTF-8 passes through unchanged.
///
/// | character | written as |
/// | --- | --- |
/// | `\` | `\\` |
/// | newline | `\n` |
/// | `=` | `\e` |
/// | NUL | `\0` |
enum MetadataText {
    private static let backslash = UInt8(ascii: "\\")
    private static let newline = UInt8(ascii: "\n")
    private static let equals = UInt8(ascii: "=")

    static func encode(_ metadata: [String: String]) -> String {
        guard !metadata.isEmpty else { return "" }
        var bytes: [UInt8] = []
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if !bytes.isEmpty { bytes.append(newline) }
            append(key, to: &bytes)
            bytes.append(equals)
            append(value, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case backslash: bytes += [backslash, backslash]
            case newline: bytes += [backslash, UInt8(ascii: "n")]
            case equals: bytes += [backslash, UInt8(ascii: "e")]
            case 0: bytes += [backslash, UInt8(ascii: "0")]
            default: bytes.append(byte)
            }
        }
    }

    /// Decodes `encode`'s text; `nil` for text it cannot have written (an entry without `=`,
    /// an unknown escape).
    static func decode(_ text: String) -> [String: String]? {
        guard !text.isEmpty else { return [:] }
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> [String: String]? {
        var metadata: [String: String] = [:]
        var entryStart = 0
        while entryStart <= bytes.count {
            var entryEnd = entryStart
            var separator: Int?
            while entryEnd < bytes.count, bytes[entryEnd] != newline {
                if separator == nil, bytes[entryEnd] == equals { separator = entryEnd }
                entryEnd += 1
            }
            guard let separator,
                let key = unescape(UnsafeRawBufferPointer(rebasing: bytes[entryStart..<separator])),
                let value = unescape(UnsafeRawBufferPointer(rebasing: bytes[(separator + 1)..<entryEnd]))
            else { return nil }
            metadata[key] = value
            entryStart = entryEnd + 1
        }
        return metadata
    }

    private static func unescape(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.contains(backslash) else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == backslash else {
                output.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case backslash: output.append(backslash)
            case UInt8(ascii: "n"): output.append(newline)
            case UInt8(ascii: "e"): output.append(equals)
            case UInt8(ascii: "0"): output.append(0)
            default: return nil
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
