public import TelegramBotAPI

/// The items of one album (a media group: photos, videos, documents or audios sent together),
/// which Telegram delivers as one message each. ``Composing/album(store:quiet:_:)`` hands them
/// over together.
public struct Album: Sendable, Hashable {
    /// The `media_group_id` every item carries.
    public let mediaGroupID: String
    /// The items, by `message_id`: the order the sender put them in. Never empty.
    public let messages: [Message]

    init(mediaGroupID: String, messages: [Message]) {
        self.mediaGroupID = mediaGroupID
        var seen = Set<Int>()
        // A part delivered twice (a retried update) is one item.
        self.messages = messages.sorted { $0.messageID < $1.messageID }.filter { seen.insert($0.messageID).inserted }
    }

    public var count: Int { messages.count }

    /// The chat the album was sent in.
    public var chat: Chat { messages[messages.count - 1].chat }

    /// The album's caption: Telegram shows one per album, carried by the item the sender captioned
    /// (usually the first).
    public var caption: String? { captioned?.caption }

    /// The formatting of ``caption``.
    public var captionEntities: [MessageEntity]? { captioned?.captionEntities }

    private var captioned: Message? { messages.first { $0.caption != nil } }

    /// Each photo item's largest size, in album order.
    public var photos: [PhotoSize] {
        messages.compactMap { message in message.photo?.max { $0.width * $0.height < $1.width * $1.height } }
    }

    public var videos: [Video] { messages.compactMap(\.video) }
    public var documents: [Document] { messages.compactMap(\.document) }
    public var audios: [Audio] { messages.compactMap(\.audio) }
}
