import Ferry
import FerryTesting
import Foundation
import TelegramBotAPI
import Testing

/// The queue and the handlers agree on whom an update belongs to. Ingress reads the update's group off the
/// raw body (`UpdateRoutingKeys`); handlers see `ctx.chat` and `ctx.from`. Where the key names a chat,
/// `ctx.chat` must be that chat, or a per-chat session would be used by updates the queue runs side by
/// side; where it names a user, the update must have no `ctx.chat` and `ctx.from` must be that user.
@Suite struct UpdateGroupContextTests {
    /// Updates of shapes the shared samples lack: in a group, so a chat and a user never share an id.
    static let built: [(name: String, json: String)] = [
        (
            "message in a group",
            #"{"update_id":9001,"message":{"message_id":1,"date":1,"chat":{"id":-100777,"type":"supergroup","title":"G"},"from":{"id":42,"is_bot":false,"first_name":"Ada"},"text":"hi"}}"#
        ),
        (
            "button press in a group",
            #"{"update_id":9002,"callback_query":{"id":"c1","from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat_instance":"i","data":"yes","message":{"message_id":2,"date":1,"chat":{"id":-100777,"type":"supergroup","title":"G"},"text":"Choose:"}}}"#
        ),
        (
            "vote of a user",
            #"{"update_id":9004,"poll_answer":{"poll_id":"p2","user":{"id":42,"is_bot":false,"first_name":"Ada"},"option_ids":[0],"option_persistent_ids":["a"]}}"#
        ),
        (
            "a poll's new state",
            #"{"update_id":9005,"poll":{"id":"p3","question":"Tea?","options":[{"persistent_id":"a","text":"Yes","voter_count":1}],"total_voter_count":1,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false,"allows_revoting":false,"members_only":false}}"#
        ),
        (
            "a member joins a group",
            #"{"update_id":9006,"chat_member":{"chat":{"id":-100777,"type":"supergroup","title":"G"},"from":{"id":42,"is_bot":false,"first_name":"Ada"},"date":1,"old_chat_member":{"status":"left","user":{"id":43,"is_bot":false,"first_name":"Bo"}},"new_chat_member":{"status":"member","user":{"id":43,"is_bot":false,"first_name":"Bo"}}}}"#
        ),
        (
            "a request to join a group",
            #"{"update_id":9007,"chat_join_request":{"chat":{"id":-100777,"type":"supergroup","title":"G"},"from":{"id":43,"is_bot":false,"first_name":"Bo"},"user_chat_id":43,"date":1}}"#
        ),
        (
            "anonymous vote of a channel, no user",
            #"{"update_id":9003,"poll_answer":{"poll_id":"p1","voter_chat":{"id":-100888,"type":"channel","title":"C"},"option_ids":[0],"option_persistent_ids":["a"]}}"#
        ),
    ]

    static func updates() throws -> [(name: String, data: Data)] {
        try SharedData.updateSamples() + built.map { ($0.name, Data($0.json.utf8)) }
    }

    @Test func theGroupNamesTheChatOrUserTheHandlersSee() throws {
        let api = BotAPIRecorder()
        var kinds: Set<UpdateKind> = []
        for (name, data) in try Self.updates() {
            let keys = try UpdateRoutingKeys.extract(from: Array(data))
            let update = try BotAPIDecoder().decode(Update.self, from: data)
            #expect(keys.kind == update.kind, "\(name)")
            // A payload this version cannot type (a sample from an older server, without a field now required)
            // reaches handlers only as `raw`: they see no chat or user to disagree about.
            guard update.raw == nil else { continue }
            kinds.insert(update.kind)
            let ctx = Context(update: update, api: api)
            switch keys.group {
            case .chat(let id):
                #expect(ctx.chat?.id == id, "\(name): queued as chat:\(id), ctx.chat is \(String(describing: ctx.chat?.id))")
            case .user(let id):
                #expect(ctx.chat == nil, "\(name): queued as user:\(id), yet ctx.chat is \(String(describing: ctx.chat?.id))")
                #expect(Self.orderingUser(update, ctx) == id, "\(name): queued as user:\(id), ctx.from is \(String(describing: ctx.from?.id))")
            case .poll, .kind:
                #expect(ctx.chat == nil && ctx.from == nil, "\(name): queued as \(keys.group), yet it has a chat or user")
            }
        }
        let missing = UpdateKind.allKnown.filter { !kinds.contains($0) }
        #expect(missing.isEmpty, "no sample or built update of \(missing): add one")
    }

    /// The user a `user:` key names. The one exception to `ctx.from`: a `managed_bot` update is ordered by the
    /// managed bot, so a change of its owner cannot overtake the change before it; `ctx.from` is the owner.
    static func orderingUser(_ update: Update, _ ctx: Context) -> Int? {
        update.kind == .managedBot ? update.managedBot?.bot.id : ctx.from?.id
    }

    @Test func anAnonymousVoteBelongsToTheChatThatCastIt() throws {
        let data = Data(try #require(Self.built.first { $0.name.hasPrefix("anonymous vote") }).json.utf8)
        let ctx = Context(update: try BotAPIDecoder().decode(Update.self, from: data), api: BotAPIRecorder())
        #expect(ctx.chat?.id == -100888)
        #expect(SessionKey.chat(ctx) == "-100888", "a vote on behalf of a chat uses that chat's session")
        #expect(try UpdateRoutingKeys.extract(from: Array(data)).group == .chat(-100888))
    }

    @Test func aManagedBotUpdateComesFromItsOwner() throws {
        let data = Data(#"{"update_id":1,"managed_bot":{"bot":{"id":7001,"is_bot":true,"first_name":"Managed"},"user":{"id":63,"is_bot":false,"first_name":"Owner"}}}"#.utf8)
        let ctx = Context(update: try BotAPIDecoder().decode(Update.self, from: data), api: BotAPIRecorder())
        #expect(ctx.from?.id == 63)
        #expect(ctx.chat == nil)
        #expect(try UpdateRoutingKeys.extract(from: Array(data)).group == .user(7001))
    }
}
