public import TelegramBotAPI
import Synchronization

/// An inline menu whose buttons run handlers, open submenus and go back, with labels computed for each user,
/// as grammY's menu plugin does. Built on typed callback data: each button carries its menu's id and its place.
///
/// ```swift
/// let settings = Menu("settings")
///     .text({ ctx in ctx.t("language.name") }) { ctx, menu in ... ; menu.update() }
///     .row()
///     .back("Back")
/// let main = Menu("main")
///     .text({ ctx in "Hello, \(ctx.from?.firstName ?? "you")" }) { ctx, menu in menu.toast("Hi!") }
///     .submenu("Settings", to: settings)
/// bot.use(main)                                        // before handlers that take callback queries
/// bot.command("menu") { ctx in try await ctx.reply("Menu:", replyMarkup: try await main.keyboard(for: ctx)) }
/// ```
///
/// A press answers the callback query (with the handler's toast, if any) and, when the handler asks or a
/// button navigates, edits the message's keyboard in place. A press on a button the menu no longer has
/// (the bot changed since the message was sent) shows the menu as it is now.
public final class Menu: Middleware, Sendable {
    public typealias Label = @Sendable (Context) async throws -> String
    public typealias Handler = @Sendable (Context, MenuControl) async throws -> Void

    /// The menu's name in callback data: keep it short, as Telegram allows 64 bytes per button.
    public let id: String
    private let state = Mutex(State())

    private struct State {
        var rows: [[Button]] = [[]]
        var submenus: [Menu] = []
        weak var parent: Menu?
    }

    struct Button: Sendable {
        enum Action: Sendable {
            case run(Handler)
            case open(Menu)
            case back
        }

        let label: Label
        let action: Action
    }

    /// The callback data prefix of every menu button.
    static let prefix = "menu:"

    struct Press: Codable, Sendable, Hashable {
        /// The menu's id.
        var m: String
        /// The button's place, counted over all rows.
        var b: Int
    }

    public init(_ id: String) {
        self.id = id
    }

    // MARK: Building

    /// A button labelled `label` for everyone, running `handler` when pressed.
    @discardableResult
    public func text(_ label: String, _ handler: @escaping Handler) -> Menu {
        text({ _ in label }, handler)
    }

    /// A button whose label is computed for each user as the menu is shown (a name, a check mark on the current choice).
    @discardableResult
    public func text(_ label: @escaping Label, _ handler: @escaping Handler) -> Menu {
        add(Button(label: label, action: .run(handler)))
    }

    /// A button that shows `menu` in place of this one; `menu` becomes this menu's submenu, and its ``back(_:)``
    /// buttons return here.
    @discardableResult
    public func submenu(_ label: String, to menu: Menu) -> Menu {
        submenu({ _ in label }, to: menu)
    }

    @discardableResult
    public func submenu(_ label: @escaping Label, to menu: Menu) -> Menu {
        menu.state.withLock { $0.parent = self }
        state.withLock { $0.submenus.append(menu) }
        return add(Button(label: label, action: .open(menu)))
    }

    /// A button that shows the menu this one is a submenu of.
    @discardableResult
    public func back(_ label: String) -> Menu {
        add(Button(label: { _ in label }, action: .back))
    }

    /// Ends the current row; the next button starts a new one.
    @discardableResult
    public func row() -> Menu {
        state.withLock { state in
            if state.rows.last?.isEmpty == false { state.rows.append([]) }
        }
        return self
    }

    private func add(_ button: Button) -> Menu {
        state.withLock { $0.rows[$0.rows.count - 1].append(button) }
        return self
    }

    // MARK: Showing

    /// The menu's keyboard as `ctx`'s user sees it, to send with a message: `replyMarkup: try await menu.keyboard(for: ctx)`.
    /// Throws ``CallbackDataTooLong`` when the menu's id makes a button's data longer than Telegram allows.
    public func keyboard(for ctx: Context) async throws -> InlineKeyboard {
        let rows = state.withLock { $0.rows }
        var keyboard = InlineKeyboard()
        var index = 0
        for row in rows where !row.isEmpty {
            for button in row {
                keyboard = try keyboard.button(try await button.label(ctx), payload: Press(m: id, b: index), prefix: Self.prefix)
                index += 1
            }
            keyboard = keyboard.row()
        }
        return keyboard
    }

    // MARK: Handling presses

    public func handle(_ ctx: Context, next: Next) async throws {
        guard let data = ctx.callbackData, let press = CallbackData.decode(Press.self, from: data, prefix: Self.prefix),
              let menu = find(press.m)
        else { return try await next() }
        try await menu.press(press.b, ctx: ctx)
    }

    /// Only button presses.
    public var updateKinds: UpdateKindSet { [.callbackQuery] }

    /// This menu or one of its submenus (at any depth) with `id`.
    private func find(_ id: String) -> Menu? {
        if id == self.id { return self }
        let submenus = state.withLock { $0.submenus }
        for submenu in submenus {
            if let found = submenu.find(id) { return found }
        }
        return nil
    }

    private func press(_ index: Int, ctx: Context) async throws {
        let buttons = state.withLock { Array($0.rows.joined()) }
        let control = MenuControl(menu: self)
        if index < buttons.count {
            switch buttons[index].action {
            case .run(let handler): try await handler(ctx, control)
            case .open(let submenu): control.navigate(to: submenu)
            case .back: control.navigate(to: state.withLock { $0.parent } ?? self)
            }
        } else {
            control.update()
        }
        let (toast, shown) = control.outcome
        try await ctx.answerCallbackQuery(text: toast)
        if let shown { try await shown.show(in: ctx) }
    }

    /// Replaces the pressed message's keyboard with this menu's, unless it already shows exactly that:
    /// Telegram refuses an edit that changes nothing.
    private func show(in ctx: Context) async throws {
        let markup = try await keyboard(for: ctx).markup
        if let inlineMessageID = ctx.callbackQuery?.inlineMessageID {
            _ = try await ctx.api.send(EditMessageReplyMarkup(inlineMessageID: inlineMessageID, replyMarkup: markup))
            return
        }
        guard let message = ctx.message else { return }
        if message.replyMarkup == markup { return }
        _ = try await ctx.api.send(EditMessageReplyMarkup(
            businessConnectionID: message.businessConnectionID, chatID: .id(message.chat.id), messageID: message.messageID, replyMarkup: markup
        ))
    }
}

/// What a menu button's handler asks of the menu: show a toast, redraw the menu (labels changed), or show another.
public final class MenuControl: Sendable {
    private let menu: Menu
    private let state = Mutex<(toast: String?, shown: Menu?)>((nil, nil))

    init(menu: Menu) {
        self.menu = menu
    }

    /// Shows `text` briefly over the chat as the press is answered.
    public func toast(_ text: String) {
        state.withLock { $0.toast = text }
    }

    /// Redraws the menu, for labels that changed with the press.
    public func update() {
        state.withLock { $0.shown = menu }
    }

    /// Shows `other` in place of the menu.
    public func navigate(to other: Menu) {
        state.withLock { $0.shown = other }
    }

    var outcome: (toast: String?, shown: Menu?) { state.withLock { $0 } }
}
