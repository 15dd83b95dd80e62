import Ferry

/// Several photos sent at once (an album) are answered once, not once per photo.
enum AlbumFeature {
    static func register(on bot: Bot, store: any SessionStore) {
        // Before the other handlers: an album in progress is handed over before the chat's next
        // update reaches them, and a survey waiting for an answer does not take the photos one by one.
        bot.album(store: store) { ctx, album in
            let what = album.photos.count == album.count ? "\(album.count) photos" : "\(album.count) items"
            let caption = album.caption.map { ": \"\($0)\"" } ?? ""
            try await ctx.reply("Got an album of \(what)\(caption).")
        }
    }
}
