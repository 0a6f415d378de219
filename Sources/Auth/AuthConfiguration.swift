/// How the server authenticates: off by default for local use, on with one setting.
public struct AuthConfiguration: Sendable {
    public var enabled: Bool = false
    /// How long an access token lives (Nacos's default: 18,000 s).
    public var tokenTTLSeconds: Int = 18_000
    /// `true` lets reads (lists, queries) through without a token; writes always need one.
    public var openReads: Bool = false
    /// The first user, created with the admin role when no user exists yet (Nacos's `nacos`).
    public var adminUsername: String = "nacos"
    /// PBKDF2 rounds for new password hashes. Not in the config file: only tests lower it, to
    /// keep debug builds quick; stored hashes carry their own count.
    public var passwordRounds: Int = PasswordHash.defaultRounds

    public init() {}
}

/// Who a valid token belongs to and what that user may do.
public struct Identity: Sendable, Equatable {
    public let username: String
    public let isAdmin: Bool
}

/// What a successful login answers (Nacos's login JSON).
public struct IssuedToken: Sendable, Equatable {
    public let accessToken: String
    public let tokenTTLSeconds: Int
    public let username: String
    public let globalAdmin: Bool
}
