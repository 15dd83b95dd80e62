/// A typed model of the parts of CloudFormation that Ferry's stacks use.
///
/// Templates are built from these values and rendered to JSON in one place (``CloudFormation/Template/renderedJSON()``),
/// never assembled from strings, so a stack's structure can be inspected and checked in Swift before anything
/// is deployed.
public enum CloudFormation {}

extension CloudFormation {
    /// A value in a template: plain JSON, or one of the intrinsic functions the stacks use.
    ///
    /// Intrinsic functions are cases of their own rather than dictionaries that happen to have a `Ref` key,
    /// so a template can tell which names it refers to and refuse to render a reference to something it does
    /// not declare.
    public indirect enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case list([Value])
        case object([String: Value])
        /// `{"Ref": name}`: a parameter's value, a resource's primary identifier, or a pseudo parameter
        /// such as `AWS::Region`.
        case ref(String)
        /// `{"Fn::GetAtt": [resource, attribute]}`: an attribute of a resource, such as a queue's `Arn`.
        case getAtt(String, String)
        /// `{"Fn::Sub": text}`: text whose `${Name}` and `${Resource.Attribute}` placeholders CloudFormation
        /// fills in; `${!Literal}` stays literal.
        case sub(String)
        /// `{"Fn::Join": [separator, values]}`.
        case join(String, [Value])
    }
}

extension CloudFormation.Value {
    /// The partition the stack is deployed in (`aws`, `aws-cn`, `aws-us-gov`): ARNs built with it work in every one.
    public static let partition = Self.ref("AWS::Partition")
    /// The region the stack is deployed in.
    public static let region = Self.ref("AWS::Region")
    /// The account the stack is deployed in.
    public static let accountID = Self.ref("AWS::AccountId")
    /// The URL suffix of the partition (`amazonaws.com`, `amazonaws.com.cn`).
    public static let urlSuffix = Self.ref("AWS::URLSuffix")

    /// Whether the name is one of CloudFormation's pseudo parameters, which every template may refer to.
    static func isPseudoParameter(_ name: String) -> Bool {
        name.hasPrefix("AWS::")
    }

    /// Every name this value refers to, with the attribute when the reference reads one.
    var references: [Reference] {
        var found: [Reference] = []
        collectReferences(into: &found)
        return found
    }

    private func collectReferences(into found: inout [Reference]) {
        switch self {
        case .string, .integer, .boolean:
            return
        case .list(let values), .join(_, let values):
            for value in values { value.collectReferences(into: &found) }
        case .object(let members):
            for value in members.values { value.collectReferences(into: &found) }
        case .ref(let name):
            found.append(Reference(name: name, attribute: nil))
        case .getAtt(let resource, let attribute):
            found.append(Reference(name: resource, attribute: attribute))
        case .sub(let text):
            found.append(contentsOf: Self.placeholders(in: text))
        }
    }

    /// The `${...}` placeholders of an `Fn::Sub` text; `${!...}` is an escaped literal, not a placeholder.
    static func placeholders(in text: String) -> [Reference] {
        var found: [Reference] = []
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: dollar)...]
            guard rest.first == "{" else { continue }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: "}") else { break }
            let body = rest[..<close]
            rest = rest[rest.index(after: close)...]
            if body.hasPrefix("!") { continue }
            if let dot = body.firstIndex(of: "."), !body.hasPrefix("AWS::") {
                found.append(Reference(name: String(body[..<dot]), attribute: String(body[body.index(after: dot)...])))
            } else {
                found.append(Reference(name: String(body), attribute: nil))
            }
        }
        return found
    }

    /// A name that a `Ref`, `Fn::GetAtt` or `Fn::Sub` placeholder refers to.
    struct Reference: Hashable {
        var name: String
        /// The attribute read, for `Fn::GetAtt` and `${Resource.Attribute}`; only resources have attributes.
        var attribute: String?
    }
}

extension CloudFormation.Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .integer(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .boolean(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .list(let values):
            try values.encode(to: encoder)
        case .object(let members):
            try members.encode(to: encoder)
        case .ref(let name):
            try ["Ref": Self.string(name)].encode(to: encoder)
        case .getAtt(let resource, let attribute):
            try ["Fn::GetAtt": Self.list([.string(resource), .string(attribute)])].encode(to: encoder)
        case .sub(let text):
            try ["Fn::Sub": Self.string(text)].encode(to: encoder)
        case .join(let separator, let values):
            try ["Fn::Join": Self.list([.string(separator), .list(values)])].encode(to: encoder)
        }
    }
}

extension CloudFormation.Value: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension CloudFormation.Value: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .integer(value)
    }
}

extension CloudFormation.Value: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }
}

extension CloudFormation.Value: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: CloudFormation.Value...) {
        self = .list(elements)
    }
}

extension CloudFormation.Value: ExpressibleByDictionaryLiteral {
    /// A literal object; a key given twice is a programming error and traps.
    public init(dictionaryLiteral elements: (String, CloudFormation.Value)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}
