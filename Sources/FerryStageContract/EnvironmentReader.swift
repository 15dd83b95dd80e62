#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one reader of a bot binary's settings from its environment, for `serve` and `poll` as for the Lambda
/// roles: an empty value counts as unset, and a value that cannot be used is refused with a sentence that
/// names the variable and what it takes.
public struct EnvironmentReader: Sendable {
    /// The whole environment, for what every AWS program reads (the region, the credentials).
    public let variables: [String: String]

    public init(_ variables: [String: String] = EnvironmentReader.processVariables) {
        self.variables = variables
    }

    /// This process's environment, read from `environ` (no Foundation: the Lambda bootstrap avoids it).
    public static var processVariables: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// The variable's value; `nil` when it is unset or empty.
    public func value(_ variable: EnvironmentVariable) -> String? {
        variables[variable.name].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func required(_ variable: EnvironmentVariable) throws(SettingError) -> String {
        guard let value = value(variable) else { throw SettingError("\(variable) is not set") }
        return value
    }

    /// A whole number in `range`, or `default` when unset. `what` says what the number counts, for the error.
    public func integer(_ variable: EnvironmentVariable, in range: ClosedRange<Int>, default: Int, what: String) throws(SettingError) -> Int {
        guard let text = value(variable) else { return `default` }
        guard let number = Int(text), range.contains(number) else {
            let bounds = range.upperBound == Int.max ? "a whole number from \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
            throw SettingError("\(variable) is \"\(text)\"; set it to \(bounds) (\(what))")
        }
        return number
    }

    /// `on`/`off` (also `true`/`false`, `1`/`0`, any case), or `default` when unset.
    public func isOn(_ variable: EnvironmentVariable, default: Bool) throws(SettingError) -> Bool {
        guard let text = value(variable) else { return `default` }
        guard let on = Self.onOff(text) else { throw SettingError("\(variable) is \"\(text)\"; use on or off") }
        return on
    }

    /// What `text` says as a switch, in any case: `on`, `true`, `1` or `off`, `false`, `0`; `nil` for anything
    /// else (for settings that take a switch or a value of their own).
    public static func onOff(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "1": true
        case "off", "false", "0": false
        default: nil
        }
    }
}

/// A setting that is missing or cannot be used, said as a sentence the operator can act on.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
