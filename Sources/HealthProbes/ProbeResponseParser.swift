import NIOCore

/// Why a response could not be read, worded for the check's error.
struct ProbeParseError: Error, CustomStringConvertible {
    let description: String
}

/// A small incremental HTTP/1.x response reader: the status, the framing headers and the first
/// bytes of the body, nothing more.
///
/// A probe needs far less than a general HTTP client: the status, whether the connection can be
/// reused and, for body matching, a bounded prefix of the body. Reading only that directly from
/// the socket's bytes skips NIO's HTTP codec (a parser object, a header dictionary and a message
/// per response part), which was most of a probe's CPU after the socket itself.
struct ProbeResponseParser {
    /// Bytes allowed in the status line and headers (and in the trailers of a chunked body).
    static let headLimit = 32 * 1024
    /// Bytes allowed in one chunk-size line.
    static let chunkLineLimit = 1024

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    var bodyLimit: Int
    var keepsHeaders: Bool
    /// The request was HEAD: the response has no body whatever its headers say.
    var noBodyExpected: Bool

    private(set) var status = 0
    private(set) var keepAlive = true
    private(set) var headers: [(String, String)] = []
    private(set) var body: [UInt8] = []
    private(set) var headParsed = false
    private var state = State.head
    /// Bytes of the current head, trailer block or chunk-size line not yet complete.
    private var pending: [UInt8] = []
    private var blockBytes = 0

    init(bodyLimit: Int, keepsHeaders: Bool, noBodyExpected: Bool) {
        self.bodyLimit = bodyLimit
        self.keepsHeaders = keepsHeaders
        self.noBodyExpected = noBodyExpected
    }

    /// Readies the parser for the next response on the same connection, keeping its buffers.
    mutating func reset() {
        status = 0
        keepAlive = true
        headers = []
        body = []
        headParsed = false
        state = .head
        pending.removeAll(keepingCapacity: true)
        blockBytes = 0
    }

    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Whether the end of the connection ends the body (no length was given).
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Consumes bytes from `buffer` until the response is complete or the buffer is empty;
    /// bytes after the end of the response are left in `buffer`.
    mutating func feed(_ buffer: inout ByteBuffer) throws(ProbeParseError) {
        while buffer.readableBytes > 0 {
            switch state {
            case .done:
                return
            case .head:
                guard let block = try takeBlock(from: &buffer, limit: Self.headLimit) else {
                    try checkStatusPrefix()
                    return
                }
                try parseHead(block)
            case .fixed(let remaining):
                let taken = absorb(from: &buffer, upTo: remaining)
                state = remaining == taken ? .done : .fixed(remaining: remaining - taken)
            case .chunkSize:
                guard let line = try takeLine(from: &buffer) else { return }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let taken = absorb(from: &buffer, upTo: remaining)
                state = remaining == taken ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                guard let line = try takeLine(from: &buffer) else { return }
                guard line.isEmpty else { throw ProbeParseError(description: "malformed chunked body") }
                state = .chunkSize
            case .trailers:
                guard try takeBlock(from: &buffer, limit: Self.headLimit, startsAtLine: true) != nil else { return }
                state = .done
            case .untilClose:
                _ = absorb(from: &buffer, upTo: buffer.readableBytes)
            }
        }
    }

    /// The connection ended: completes a body that runs until the close.
    mutating func finishAtClose() -> Bool {
        guard endsAtClose else { return false }
        state = .done
        return true
    }

    // MARK: Head

    private mutating func parseHead(_ block: [UInt8]) throws(ProbeParseError) {
        var lines = Self.lines(block)
        guard let statusLine = lines.next() else { throw ProbeParseError(description: "empty response head") }
        let (code, minorVersion) = try Self.statusLine(statusLine)
        var keepAlive = minorVersion >= 1
        var contentLength: Int?
        var chunked = false
        var headers: [(String, String)] = []
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw ProbeParseError(description: "malformed response header")
            }
            let name = line[line.startIndex..<colon]
            let value = Self.trimmed(line[(colon + 1)...])
            if Self.equalsIgnoringCase(name, "content-length") {
                guard let length = Self.decimal(value), contentLength == nil || contentLength == length else {
                    throw ProbeParseError(description: "bad Content-Length in response")
                }
                contentLength = length
            } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
                chunked = Self.lastToken(value, is: "chunked")
                if !chunked { keepAlive = false }  // a body framed by the close
            } else if Self.equalsIgnoringCase(name, "connection") {
                if Self.containsToken(value, "close") {
                    keepAlive = false
                } else if Self.containsToken(value, "keep-alive") {
                    keepAlive = true
                }
            }
            if keepsHeaders {
                headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            }
        }
        if (100...199).contains(code), code != 101 {
            return  // an interim response: the real head follows
        }
        status = code
        self.headers = headers
        headParsed = true
        if noBodyExpected || code == 101 || code == 204 || code == 304 {
            self.keepAlive = keepAlive && code != 101
            state = .done
        } else if chunked {
            self.keepAlive = keepAlive
            state = .chunkSize
        } else if let contentLength {
            self.keepAlive = keepAlive
            state = contentLength == 0 ? .done : .fixed(remaining: contentLength)
        } else {
            self.keepAlive = false
            state = .untilClose
        }
    }

    /// Fails early on a peer that is not speaking HTTP (an incomplete head that cannot become one).
    private func checkStatusPrefix() throws(ProbeParseError) {
        let start = pending.firstIndex { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") } ?? pending.endIndex
        let prefix = pending[start...].prefix(5)
        guard prefix.elementsEqual("HTTP/".utf8.prefix(prefix.count)) else {
            throw ProbeParseError(description: "malformed status line")
        }
    }

    /// `HTTP/1.x NNN reason`: the code and the minor version.
    private static func statusLine(_ line: ArraySlice<UInt8>) throws(ProbeParseError) -> (Int, Int) {
        let start = line.startIndex
        let space = UInt8(ascii: " ")
        guard line.count >= 12, line[start..<start + 7].elementsEqual("HTTP/1.".utf8), line[start + 8] == space,
            let minor = digit(line[start + 7]), let d1 = digit(line[start + 9]), let d2 = digit(line[start + 10]),
            let d3 = digit(line[start + 11]), line.count == 12 || line[start + 12] == space
        else {
            throw ProbeParseError(description: "malformed status line")
        }
        let code = d1 * 100 + d2 * 10 + d3
        guard (100...599).contains(code) else { throw ProbeParseError(description: "malformed status line") }
        return (code, minor)
    }

    // MARK: Body

    /// Takes up to `limit` body bytes from the buffer, keeping those that fit under the body limit.
    private mutating func absorb(from buffer: inout ByteBuffer, upTo limit: Int) -> Int {
        let count = min(limit, buffer.readableBytes)
        let room = bodyLimit - body.count
        if room > 0, count > 0 {
            buffer.withUnsafeReadableBytes { body.append(contentsOf: $0.prefix(min(room, count))) }
        }
        buffer.moveReaderIndex(forwardBy: count)
        return count
    }

    private static func chunkSize(_ line: [UInt8]) throws(ProbeParseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { break }
            guard let value = hexDigit(byte), digits < 15 else {
                throw ProbeParseError(description: "malformed chunk size")
            }
            size = size * 16 + value
            digits += 1
        }
        guard digits > 0 else { throw ProbeParseError(description: "malformed chunk size") }
        return size
    }

    // MARK: Lines and blocks

    /// Takes one line (without its CRLF or LF) once it is complete.
    private mutating func takeLine(from buffer: inout ByteBuffer) throws(ProbeParseError) -> [UInt8]? {
        let newline = buffer.withUnsafeReadableBytes { $0.firstIndex(of: UInt8(ascii: "\n")) }
        let count = newline.map { $0 + 1 } ?? buffer.readableBytes
        guard pending.count + count <= Self.chunkLineLimit else {
            throw ProbeParseError(description: "response line too long")
        }
        buffer.withUnsafeReadableBytes { pending.append(contentsOf: $0.prefix(count)) }
        buffer.moveReaderIndex(forwardBy: count)
        guard newline != nil else { return nil }
        defer { pending.removeAll(keepingCapacity: true) }
        var line = pending
        line.removeLast()
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    /// Takes a block of lines ending with an empty line, once it is complete, bounded by `limit`.
    /// `startsAtLine`: the block may be empty (trailers), so an empty first line ends it.
    private mutating func takeBlock(
        from buffer: inout ByteBuffer, limit: Int, startsAtLine: Bool = false
    ) throws(ProbeParseError) -> [UInt8]? {
        let end = buffer.withUnsafeReadableBytes { bytes -> Int? in
            Self.blockEnd(in: bytes, after: pending, emptyBlockAllowed: startsAtLine)
        }
        let count = end ?? buffer.readableBytes
        guard blockBytes + count <= limit else {
            throw ProbeParseError(description: "response head larger than \(limit) bytes")
        }
        buffer.withUnsafeReadableBytes { pending.append(contentsOf: $0.prefix(count)) }
        buffer.moveReaderIndex(forwardBy: count)
        blockBytes += count
        guard end != nil else { return nil }
        defer {
            pending.removeAll(keepingCapacity: true)
            blockBytes = 0
        }
        return pending
    }

    /// The offset just past the empty line that ends a block, if `bytes` (after `previous`) has it.
    private static func blockEnd(
        in bytes: UnsafeRawBufferPointer, after previous: [UInt8], emptyBlockAllowed: Bool
    ) -> Int? {
        // Length of the current line so far, ignoring a CR before its LF.
        var lineLength = 0
        var seenLine = emptyBlockAllowed
        if let lastNewline = previous.lastIndex(of: UInt8(ascii: "\n")) {
            lineLength = previous.count - lastNewline - 1
            seenLine = true
        } else {
            lineLength = previous.count
        }
        if lineLength == 1, previous.last == UInt8(ascii: "\r") { lineLength = 0 }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                if lineLength == 0, seenLine { return index + 1 }
                seenLine = true
                lineLength = 0
            } else if byte == UInt8(ascii: "\r"), lineLength == 0 {
                continue
            } else {
                lineLength += 1
            }
        }
        return nil
    }

    /// The non-empty lines of a block, without CR or LF.
    private static func lines(_ block: [UInt8]) -> some IteratorProtocol<ArraySlice<UInt8>> {
        block.split(separator: UInt8(ascii: "\n")).lazy.map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }.filter { !$0.isEmpty }.makeIterator()
    }

    // MARK: Bytes

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { lower($0) == $1 }
        }
    }

    private static func tokens(_ value: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        value.split(separator: UInt8(ascii: ",")).map(trimmed)
    }

    private static func containsToken(_ value: ArraySlice<UInt8>, _ token: StaticString) -> Bool {
        tokens(value).contains { equalsIgnoringCase($0, token) }
    }

    private static func lastToken(_ value: ArraySlice<UInt8>, is token: StaticString) -> Bool {
        tokens(value).last.map { equalsIgnoringCase($0, token) } ?? false
    }
}
