#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CloudFormation {
    /// A template: parameters supplied at deploy time, the resources, and the outputs read back afterwards.
    public struct Template: Sendable, Hashable {
        /// The only template format version CloudFormation has.
        public static let formatVersion = "2010-09-09"

        public var description: String
        /// By logical name.
        public var parameters: [String: Parameter]
        /// By logical ID.
        public var resources: [String: Resource]
        /// By output name.
        public var outputs: [String: Output]

        public init(
            description: String,
            parameters: [String: Parameter] = [:],
            resources: [String: Resource] = [:],
            outputs: [String: Output] = [:]
        ) {
            self.description = description
            self.parameters = parameters
            self.resources = resources
            self.outputs = outputs
        }

        /// The template as pretty-printed JSON with sorted keys: the same model always renders the same text,
        /// so rendered templates can be diffed and a redeploy without changes is a no-op.
        ///
        /// - Throws: ``TemplateError/undeclaredReference(_:in:)`` when a `Ref`, `Fn::GetAtt`, `Fn::Sub` or
        ///   `DependsOn` names something the template does not declare; CloudFormation would reject it only
        ///   at deploy time.
        public func renderedJSON() throws(TemplateError) -> String {
            if let problem = undeclaredReferences().first { throw problem }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data: Data
            do {
                data = try encoder.encode(document)
            } catch {
                // Every case of Value encodes to JSON; only a broken encoder ends here.
                throw .encodingFailed(String(describing: error))
            }
            return String(decoding: data, as: UTF8.self) + "\n"
        }

        /// Every reference to a parameter or resource that the template does not declare, and every attribute
        /// read from something that is not a resource, in a stable order.
        public func undeclaredReferences() -> [TemplateError] {
            var problems: [TemplateError] = []
            func check(_ value: Value, in location: String) {
                for reference in value.references where !Value.isPseudoParameter(reference.name) {
                    let isResource = resources[reference.name] != nil
                    let isParameter = parameters[reference.name] != nil
                    let declared = reference.attribute == nil ? isResource || isParameter : isResource
                    if !declared {
                        problems.append(.undeclaredReference(reference.name, in: location))
                    }
                }
            }
            for (logicalID, resource) in resources.sorted(by: { $0.key < $1.key }) {
                check(.object(resource.properties), in: logicalID)
                for dependency in resource.dependsOn where resources[dependency] == nil {
                    problems.append(.undeclaredReference(dependency, in: logicalID))
                }
            }
            for (name, output) in outputs.sorted(by: { $0.key < $1.key }) {
                check(output.value, in: "output \(name)")
            }
            return problems
        }

        /// The whole template as one value, in CloudFormation's document layout.
        var document: Value {
            var members: [String: Value] = [
                "AWSTemplateFormatVersion": .string(Self.formatVersion),
                "Description": .string(description),
                "Resources": .object(resources.mapValues(\.document)),
            ]
            if !parameters.isEmpty { members["Parameters"] = .object(parameters.mapValues(\.document)) }
            if !outputs.isEmpty { members["Outputs"] = .object(outputs.mapValues(\.document)) }
            return .object(members)
        }
    }

    /// What is wrong with a template that cannot be rendered.
    public enum TemplateError: Error, Hashable, CustomStringConvertible {
        /// A name referred to by `Ref`, `Fn::GetAtt`, `Fn::Sub` or `DependsOn` that the template does not declare.
        case undeclaredReference(String, in: String)
        case encodingFailed(String)

        public var description: String {
            switch self {
            case .undeclaredReference(let name, let location):
                "\(location) refers to \(name), which the template does not declare"
            case .encodingFailed(let reason):
                "the template could not be encoded as JSON: \(reason)"
            }
        }
    }

    /// A resource: its type, properties, and what CloudFormation does with it on removal.
    public struct Resource: Sendable, Hashable {
        /// `AWS::SQS::Queue` and the like.
        public var type: String
        public var properties: [String: Value]
        /// Logical IDs of resources that must exist first, beyond those the properties already refer to.
        public var dependsOn: [String]
        /// What happens to the resource when the stack is deleted; CloudFormation's default is to delete it.
        public var deletionPolicy: RemovalPolicy?
        /// What happens to the old resource when an update replaces it.
        public var updateReplacePolicy: RemovalPolicy?
        /// Free-form metadata; the stacks use it to record justified exceptions for policy scanners.
        public var metadata: [String: Value]

        public init(
            type: String,
            properties: [String: Value],
            dependsOn: [String] = [],
            deletionPolicy: RemovalPolicy? = nil,
            updateReplacePolicy: RemovalPolicy? = nil,
            metadata: [String: Value] = [:]
        ) {
            self.type = type
            self.properties = properties
            self.dependsOn = dependsOn
            self.deletionPolicy = deletionPolicy
            self.updateReplacePolicy = updateReplacePolicy
            self.metadata = metadata
        }

        var document: Value {
            var members: [String: Value] = ["Type": .string(type)]
            if !properties.isEmpty { members["Properties"] = .object(properties) }
            if !dependsOn.isEmpty { members["DependsOn"] = .list(dependsOn.sorted().map(Value.string)) }
            if let deletionPolicy { members["DeletionPolicy"] = .string(deletionPolicy.rawValue) }
            if let updateReplacePolicy { members["UpdateReplacePolicy"] = .string(updateReplacePolicy.rawValue) }
            if !metadata.isEmpty { members["Metadata"] = .object(metadata) }
            return .object(members)
        }
    }

    /// `DeletionPolicy` and `UpdateReplacePolicy` values.
    public enum RemovalPolicy: String, Sendable, Hashable {
        case delete = "Delete"
        case retain = "Retain"
    }

    /// A value supplied when the stack is created or updated.
    public struct Parameter: Sendable, Hashable {
        /// `String`, `Number`, ...
        public var type: String
        public var description: String
        /// A regular expression CloudFormation checks the value against before it changes anything.
        public var allowedPattern: String?
        public var minLength: Int?
        public var maxLength: Int?
        /// The value when a deploy gives none.
        public var defaultValue: String?

        public init(
            type: String = "String",
            description: String,
            allowedPattern: String? = nil,
            minLength: Int? = nil,
            maxLength: Int? = nil,
            defaultValue: String? = nil
        ) {
            self.type = type
            self.description = description
            self.allowedPattern = allowedPattern
            self.minLength = minLength
            self.maxLength = maxLength
            self.defaultValue = defaultValue
        }

        var document: Value {
            var members: [String: Value] = ["Type": .string(type), "Description": .string(description)]
            if let allowedPattern { members["AllowedPattern"] = .string(allowedPattern) }
            if let minLength { members["MinLength"] = .integer(minLength) }
            if let maxLength { members["MaxLength"] = .integer(maxLength) }
            if let defaultValue { members["Default"] = .string(defaultValue) }
            return .object(members)
        }
    }

    /// A value the stack reports once it is deployed.
    public struct Output: Sendable, Hashable {
        public var value: Value
        public var description: String

        public init(value: Value, description: String) {
            self.value = value
            self.description = description
        }

        var document: Value {
            ["Value": value, "Description": .string(description)]
        }
    }
}
