extension CloudFormation {
    /// An IAM policy document: what a role may do (identity policies) or who may assume it (trust policies).
    public struct PolicyDocument: Sendable, Hashable {
        /// The current policy language version; without it IAM falls back to 2008 semantics.
        public static let version = "2012-10-17"

        public var statements: [PolicyStatement]

        public init(_ statements: [PolicyStatement]) {
            self.statements = statements
        }

        public var value: Value {
            ["Version": .string(Self.version), "Statement": .list(statements.map(\.value))]
        }
    }

    /// One statement: an effect on actions over resources, optionally for a principal and under conditions.
    public struct PolicyStatement: Sendable, Hashable {
        public enum Effect: String, Sendable, Hashable {
            case allow = "Allow"
            case deny = "Deny"
        }

        /// A statement ID, unique within its document.
        public var sid: String?
        public var effect: Effect
        /// The principal the statement applies to; only trust and resource policies have one.
        public var principal: Value?
        public var actions: [String]
        /// The resources acted on; empty only in trust policies, which name no resource.
        public var resources: [Value]
        /// Condition operator (`StringEquals`, ...) to condition key to value.
        public var conditions: [String: [String: Value]]

        public init(
            sid: String? = nil,
            effect: Effect = .allow,
            principal: Value? = nil,
            actions: [String],
            resources: [Value] = [],
            conditions: [String: [String: Value]] = [:]
        ) {
            self.sid = sid
            self.effect = effect
            self.principal = principal
            self.actions = actions
            self.resources = resources
            self.conditions = conditions
        }

        /// Lets an AWS service assume the role, as the trust policy of a role that service uses.
        public static func assumeRole(by service: String) -> Self {
            PolicyStatement(principal: ["Service": .string(service)], actions: ["sts:AssumeRole"])
        }

        public var value: Value {
            var members: [String: Value] = [
                "Effect": .string(effect.rawValue),
                "Action": .list(actions.map(Value.string)),
            ]
            if let sid { members["Sid"] = .string(sid) }
            if let principal { members["Principal"] = principal }
            if !resources.isEmpty { members["Resource"] = .list(resources) }
            if !conditions.isEmpty { members["Condition"] = .object(conditions.mapValues(Value.object)) }
            return .object(members)
        }
    }
}
