import FerryDeploy
import Foundation
import Testing

/// A rendered template parsed back from its JSON text, so the tests check what CloudFormation will read,
/// not the Swift model that produced it.
struct TemplateJSON {
    let text: String
    let root: [String: Any]

    init(_ stack: BotStack, for target: BotStack.Target = .aws) throws {
        try self.init(text: stack.template(for: target).renderedJSON())
    }

    init(text: String) throws {
        self.text = text
        root = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    var resources: [String: [String: Any]] {
        (root["Resources"] as? [String: [String: Any]]) ?? [:]
    }

    var outputs: [String: [String: Any]] {
        (root["Outputs"] as? [String: [String: Any]]) ?? [:]
    }

    func resource(_ logicalID: String) throws -> [String: Any] {
        try #require(resources[logicalID], "no resource \(logicalID)")
    }

    func properties(_ logicalID: String) throws -> [String: Any] {
        try #require(resource(logicalID)["Properties"] as? [String: Any], "\(logicalID) has no properties")
    }

    /// Logical IDs of the resources of one type, sorted.
    func logicalIDs(ofType type: String) -> [String] {
        resources.filter { $0.value["Type"] as? String == type }.keys.sorted()
    }

    /// Every statement of the inline policies of a role.
    func policyStatements(ofRole logicalID: String) throws -> [[String: Any]] {
        let policies = try #require(properties(logicalID)["Policies"] as? [[String: Any]])
        return policies.flatMap { policy -> [[String: Any]] in
            let document = policy["PolicyDocument"] as? [String: Any]
            return (document?["Statement"] as? [[String: Any]]) ?? []
        }
    }
}

/// `{"Ref": name}` as parsed JSON.
func ref(_ name: String) -> [String: String] { ["Ref": name] }

/// `{"Fn::GetAtt": [resource, attribute]}` as parsed JSON.
func getAtt(_ resource: String, _ attribute: String) -> [String: [String]] { ["Fn::GetAtt": [resource, attribute]] }

/// Whether a parsed JSON value equals an expected one (both made of dictionaries, arrays and scalars).
func jsonEqual(_ value: Any?, _ expected: Any) -> Bool {
    func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
    guard let value, let rendered = canonical(value), let wanted = canonical(expected) else { return false }
    return rendered == wanted
}

/// Strings an IAM statement's `Action` or `Resource` holds: literal strings and `Fn::Sub` texts.
func strings(in value: Any?) -> [String] {
    switch value {
    case let text as String: [text]
    case let list as [Any]: list.flatMap(strings(in:))
    case let object as [String: Any]: (object["Fn::Sub"] as? String).map { [$0] } ?? []
    default: []
    }
}
