import FerryDeploy
import Foundation
import Testing

/// The stack's optional features: the webhook's fast lane and the consumer's idempotency records.
@Suite("Stack options")
struct BotStackOptionsTests {
    typealias ID = BotStack.LogicalID

    @Test("a fast lane gives the webhook the kinds, the bot token's name, the sessions table, and read access to both")
    func fastLane() throws {
        var stack = BotStack(bot: "shop", stage: "prod")
        stack.fastLaneUpdates = ["pre_checkout_query", "callback_query"]
        let json = try TemplateJSON(stack)
        let environment = try #require(try json.properties(ID.function(.webhook))["Environment"] as? [String: Any])
        let variables = try #require(environment["Variables"] as? [String: Any])
        #expect(variables["FERRY_FAST_LANE"] as? String == "callback_query,pre_checkout_query")
        #expect(variables["TELEGRAM_BOT_TOKEN_PARAMETER"] as? String == "/ferry/shop/prod/telegram-bot-token")
        #expect(jsonEqual(variables["SESSIONS_TABLE"], ref(ID.sessionsTable)))

        let statements = try json.policyStatements(ofRole: ID.role(.webhook))
        let sids = statements.compactMap { $0["Sid"] as? String }
        #expect(Set(sids) == ["EnqueueUpdates", "ReadWebhookSecret", "UseSessions", "ReadBotToken", "WriteOwnLogs"])
        let sessions = try #require(statements.first { $0["Sid"] as? String == "UseSessions" })
        #expect(jsonEqual(sessions["Resource"], getAtt(ID.sessionsTable, "Arn")) || jsonEqual(sessions["Resource"], [getAtt(ID.sessionsTable, "Arn")]))
    }

    @Test("without a fast lane the webhook can neither read the bot token nor touch sessions")
    func noFastLane() throws {
        let json = try TemplateJSON(BotStack(bot: "shop", stage: "prod"))
        let sids = try json.policyStatements(ofRole: ID.role(.webhook)).compactMap { $0["Sid"] as? String }
        #expect(Set(sids) == ["EnqueueUpdates", "ReadWebhookSecret", "WriteOwnLogs"])
        #expect(!json.text.contains("FERRY_FAST_LANE"))
        #expect(!json.text.contains("FERRY_IDEMPOTENCY"))
    }

    @Test("idempotency records switch the consumer's FERRY_IDEMPOTENCY on")
    func idempotency() throws {
        var stack = BotStack(bot: "shop", stage: "prod")
        stack.idempotencyRecords = true
        let json = try TemplateJSON(stack)
        let environment = try #require(try json.properties(ID.function(.consumer))["Environment"] as? [String: Any])
        #expect((environment["Variables"] as? [String: Any])?["FERRY_IDEMPOTENCY"] as? String == "on")
    }

    @Test("a fast-lane kind that is not an update kind name is refused", arguments: ["", "Pre-Checkout", "pre_checkout_query;x"])
    func invalidKind(kind: String) {
        var stack = BotStack(bot: "shop", stage: "prod")
        stack.fastLaneUpdates = [kind]
        #expect(throws: BotStackError.self) { try stack.validate() }
    }
}
