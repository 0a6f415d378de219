import HealthChecks
import NIOCore
import Synchronization

/// One execution of a prepared request, driven by callbacks rather than a task: lease a
/// connection, connect if needed, hand itself to the connection's ``ProbeHandler``, and pass
/// the response to `completion`. A kept-alive connection found closed before answering is
/// retried once on a new one.
///
/// It is also the message written into the channel, so a check costs no promise, future or
/// boxed message on the way; the engine runs HTTP checks on it without a task per run, and the
/// async ``HTTPProber/execute(_:timeout:)`` waits on the same path.
final class ProbeExchange: RunCancellation {
    typealias Completion = @Sendable (Result<HTTPProbeResponse, any Error>) -> Void

    private struct State {
        var cancelled = false
        var finished = false
        var channel: (any Channel)?
        var reused = false
        var attempt = 0
    }

    private static let waiterIDs = Atomic<Int>(0)

    let request: PreparedHTTPRequest
    let deadline: NIODeadline
    /// Body bytes the handler keeps; 0 when nobody looks at the body.
    let bodyLimit: Int
    let keepsHeaders: Bool
    /// The connection closes after this exchange and the body is not wanted: done at the status.
    let completesAtHead: Bool
    private let prober: HTTPProber
    private let completion: Completion
    private let waiterID: Int
    private let state = Mutex(State())

    init(prober: HTTPProber, request: PreparedHTTPRequest, timeout: Duration, completion: @escaping Completion) {
        let configuration = prober.configuration
        self.prober = prober
        self.request = request
        self.deadline = NIODeadline.now() + TimeAmount(timeout)
        self.bodyLimit = request.readsBody ? configuration.bodyLimit : 0
        self.keepsHeaders = request.readsHeaders
        self.completesAtHead = request.mode == .fresh && !request.readsBody
        self.completion = completion
        self.waiterID = Self.waiterIDs.wrappingAdd(1, ordering: .relaxed).newValue
    }

    func begin() {
        if let invalid = request.invalid { return finish(.failure(invalid)) }
        attempt(1)
    }

    /// Stops the exchange: a pending wait is dropped, an open channel closed; `completion`
    /// then gets `CancellationError`.
    func cancel() {
        let channel = state.withLock { state -> (any Channel)? in
            state.cancelled = true
            return state.channel
        }
        request.pool.cancelWaiter(waiterID)
        channel?.close(promise: nil)
    }

    private var isCancelled: Bool { state.withLock { $0.cancelled } }

    private func attempt(_ number: Int) {
        let keepAlive = request.mode == .keepAlive
        if let lease = request.pool.tryAcquire(reuse: keepAlive) {
            leased(lease, attempt: number)
            return
        }
        request.pool.acquire(reuse: keepAlive, id: waiterID) { result in
            switch result {
            case .success(let lease): self.leased(lease, attempt: number)
            case .failure(let error): self.finish(.failure(error))
            }
        }
    }

    private func leased(_ lease: ConnectionPool.Lease, attempt: Int) {
        let pool = request.pool
        let authority = request.target.authority
        switch lease {
        case .reuse(let channel):
            send(on: channel, reused: true, attempt: attempt)
        case .connect:
            guard !isCancelled else {
                pool.connectFailed()
                return finish(.failure(CancellationError()))
            }
            let connecting: EventLoopFuture<any Channel>
            do {
                connecting = try prober.connect(request, deadline: deadline)
            } catch {
                pool.connectFailed()
                return finish(.failure(ProbeError.connect(error, target: authority)))
            }
            connecting.whenComplete { result in
                switch result {
                case .failure(let error):
                    pool.connectFailed()
                    self.finish(.failure(ProbeError.connect(error, target: authority)))
                case .success(let channel):
                    pool.adopt(channel)
                    // A name may resolve to a forbidden address: refuse before the request is written.
                    // (An IP literal was judged when the request was prepared.)
                    if !self.request.isLiteral {
                        do {
                            try self.prober.configuration.policy.check(connected: channel, target: authority)
                        } catch {
                            return self.finish(.failure(error))
                        }
                    }
                    self.send(on: channel, reused: false, attempt: attempt)
                }
            }
        }
    }

    private func send(on channel: any Channel, reused: Bool, attempt: Int) {
        let cancelled = state.withLock { state -> Bool in
            if !state.cancelled {
                state.channel = channel
                state.reused = reused
                state.attempt = attempt
            }
            return state.cancelled
        }
        guard !cancelled else {
            request.pool.release(channel, reusable: reused)
            return finish(.failure(CancellationError()))
        }
        if channel.eventLoop.inEventLoop {
            write(on: channel)
        } else {
            channel.eventLoop.execute { self.write(on: channel) }
        }
    }

    /// On the channel's loop: an active channel still has its handler, which takes the exchange.
    private func write(on channel: any Channel) {
        guard channel.isActive else {
            return answered(.failure(ProbeChannelError.closedBeforeResponse(receivedBytes: false)), on: channel)
        }
        channel.pipeline.syncOperations.writeAndFlush(NIOAny(self), promise: nil)
    }

    /// Called once per write by the channel's handler (or by ``write(on:)``), on the channel's loop.
    func answered(_ result: Result<HTTPProbeResponse, any Error>, on channel: any Channel) {
        let (cancelled, reused, attempt) = state.withLock { state in
            state.channel = nil
            return (state.cancelled, state.reused, state.attempt)
        }
        let pool = request.pool
        let authority = request.target.authority
        switch result {
        case .success(let response):
            pool.release(channel, reusable: request.mode == .keepAlive && response.keepAlive)
            finish(.success(response))
        case .failure(let error):
            pool.release(channel, reusable: false)
            if cancelled { return finish(.failure(CancellationError())) }
            switch error {
            case ProbeChannelError.closedBeforeResponse(let receivedBytes):
                // A kept-alive connection the server closed while idle: retry once on a new one.
                if reused, !receivedBytes, attempt == 1 { return self.attempt(2) }
                finish(.failure(ProbeError.connectionClosed(target: authority)))
            case ProbeChannelError.timedOut:
                finish(.failure(ProbeError.timedOut(target: authority)))
            case ProbeChannelError.malformed(let reason):
                finish(.failure(ProbeError.io("request to \(authority) failed: \(reason)")))
            default:
                finish(.failure(ProbeError.io("request to \(authority) failed: \(ProbeError.reason(error))")))
            }
        }
    }

    private func finish(_ result: Result<HTTPProbeResponse, any Error>) {
        let first = state.withLock { state -> Bool in
            defer { state.finished = true }
            return !state.finished
        }
        if first { completion(result) }
    }
}
