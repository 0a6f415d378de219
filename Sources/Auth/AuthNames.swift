/// Length and character rules for auth names, so stored data and log lines stay plain.
enum AuthNames {
    static func checkUsername(_ name: String) throws {
        guard (1...64).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.@".contains($0)) })
        else {
            throw AuthError.invalid("username must be 1-64 characters of letters, digits, '_', '-', '.', '@'")
        }
    }

    static func checkRole(_ role: String) throws {
        guard (1...64).contains(role.count),
            role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) })
        else {
            throw AuthError.invalid("role must be 1-64 characters of letters, digits, '_', '-', '.'")
        }
    }

    static func checkPassword(_ password: String) throws {
        guard (1...256).contains(password.utf8.count) else {
            throw AuthError.invalid("password must be 1-256 bytes")
        }
    }

    /// `namespace`, or `namespace:group:naming/service` with `*` wildcards.
    static func checkResource(_ resource: String) throws {
        guard (1...700).contains(resource.count),
            resource.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.:@/*".contains($0)) })
        else {
            throw AuthError.invalid(
                "resource must be a namespace id or namespace:group:naming/service, with * as a wildcard")
        }
    }
}
