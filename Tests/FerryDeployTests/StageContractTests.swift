import FerryDeploy
import FerryStageContract
import Foundation
import Testing

/// The template and the bot binary agree on each function's environment. The bot binary reads only what
/// `FunctionRole.reads` lists for its role (it checks each read), so holding the template to that list
/// means a variable added on one side only fails here: one the template sets that no role reads, or one a
/// role reads that no deployed function is given.
@Suite("Stage contract")
struct StageContractTests {
    typealias ID = BotStack.LogicalID

    /// What the template may set although the role does not read it: the secrets' version, whose change
    /// replaces warm instances.
    static let unread: Set<String> = ["FERRY_SECRETS_VERSION"]
    /// What a role may read that the template does not set: `_HANDLER` (Lambda sets it from the function's
    /// `Handler`), and what only a person sets, to run the binary outside a stage or to change its logging.
    static let notFromTheStack: Set<String> = [
        "_HANDLER", "LOG_LEVEL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_URL",
    ]

    /// A stack with every optional feature on, so the template sets every variable it ever sets.
    static var everyFeature: BotStack {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.fastLaneUpdates = ["pre_checkout_query"]
        stack.idempotencyRecords = true
        return stack
    }

    func variables(of role: FunctionRole, in stack: BotStack) throws -> Set<String> {
        let json = try TemplateJSON(stack)
        let environment = try #require(try json.properties(ID.function(role))["Environment"] as? [String: Any])
        return Set(try #require(environment["Variables"] as? [String: Any]).keys)
    }

    @Test("with every feature on, each function is given exactly what its role reads, besides the explicit exceptions",
          arguments: FunctionRole.allCases)
    func everyVariableIsReadAndGiven(role: FunctionRole) throws {
        let given = try variables(of: role, in: Self.everyFeature)
        let read = Set(role.reads.map(\.name))
        #expect(given.subtracting(read) == Self.unread, "set by the template, read by no \(role.handler) function")
        #expect(read.subtracting(given).isSubset(of: Self.notFromTheStack), "read by the \(role.handler) function, never given")
        // A variable may skip the template only by being declared as one the stack does not set, and the reverse.
        for variable in role.reads {
            #expect(given.contains(variable.name) == (variable.source == .stack), "\(variable) in \(role.handler)")
        }
    }

    @Test("the exceptions are what the contract says no role reads and what the stack never sets")
    func exceptionsMatchTheContract() {
        #expect(Set(EnvironmentVariable.unreadOnEveryFunction.map(\.name)) == Self.unread)
        let notFromTheStack = FunctionRole.allCases.flatMap(\.reads).filter { $0.source != .stack }.map(\.name)
        #expect(Set(notFromTheStack) == Self.notFromTheStack)
    }

    @Test("with the features off, each function is given a part of what its role reads, and the handler that names the role",
          arguments: FunctionRole.allCases)
    func defaultsGiveASubset(role: FunctionRole) throws {
        let stack = BotStack(bot: "echo", stage: "dev")
        let given = try variables(of: role, in: stack)
        #expect(given.subtracting(Self.unread).isSubset(of: Set(role.reads.map(\.name))))
        let properties = try TemplateJSON(stack).properties(ID.function(role))
        #expect(FunctionRole(handler: try #require(properties["Handler"] as? String)) == role)
    }
}
