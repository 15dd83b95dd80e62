import FerryRuntime
import FerrySQLite
import Logging
import TelegramBotAPI
import TelegramClient

/// Telegram refusing the bot, said as what to do about it: the commands stop with these instead of
/// retrying what cannot succeed.
enum TelegramRefusals {
    static let tokenRefused = CommandError(
        "Telegram refused the bot token in TELEGRAM_BOT_TOKEN (Unauthorized): copy the token @BotFather gave for this bot "
            + "(in Telegram, @BotFather > /mybots > the bot > API Token), or take a new one there if it was revoked"
    )

    static let webhookIsSet = CommandError(
        "Telegram sends this bot's updates to its webhook, so it refuses to hand them out by polling (Conflict): "
            + "run `webhook delete` first, or `poll --delete-webhook`, which deletes it when it starts"
    )

    /// The sentence for `error`, when it is one of Telegram's refusals; `nil` otherwise.
    static func explain(_ error: any Error) -> CommandError? {
        if let refusal = error as? LongPollingIngress.Refusal {
            switch refusal {
            case .tokenRefused: return tokenRefused
            case .webhookIsSet: return webhookIsSet
            }
        }
        if let apiError = error as? TelegramAPIError, apiError.refusesToken { return tokenRefused }
        return nil
    }

    /// Asks Telegram who the bot is (`getMe`), once, before anything is started: a refused token stops the
    /// command here rather than failing every update later. When Telegram cannot be reached the command goes
    /// on (it may be a passing outage) with a warning.
    static func checkToken(_ client: TelegramClient, logger: Logger) async throws {
        do {
            let me = try await client.getMe()
            logger.info("Telegram knows the bot", metadata: ["username": "\(me.username.map { "@" + $0 } ?? me.firstName)"])
        } catch {
            if let explained = explain(error) { throw explained }
            logger.warning("could not ask Telegram who the bot is (getMe); going on", metadata: ["error": "\(error)"])
        }
    }
}

/// The secret `serve` checks on `/webhook` when it talks to the real Telegram.
enum ServedWebhookSecret {
    /// `TELEGRAM_WEBHOOK_SECRET` when set; else the data directory's own (made on first start), which
    /// `webhook set --data-dir` gives Telegram; `nil` only with `--open-webhook`, said loudly.
    static func resolve(environment: BotEnvironment, dataDirectory: String, open: Bool, logger: Logger) throws -> String? {
        if open {
            guard environment.webhookSecret == nil else {
                throw CommandError("--open-webhook turns the secret check off, but TELEGRAM_WEBHOOK_SECRET sets one: drop one of the two")
            }
            logger.warning(
                "the webhook is open (--open-webhook): every POST to /webhook is taken as an update from Telegram, so whoever reaches this address can speak as any user of the bot. Run without --open-webhook to have a secret checked"
            )
            return nil
        }
        if let secret = environment.webhookSecret { return secret }
        let secret = try WebhookSecretFile.loadOrCreate(in: dataDirectory)
        logger.notice(
            "checking the webhook secret kept in the data directory: point Telegram here with `webhook set --url <https URL>/webhook --data-dir <this data directory>`",
            metadata: ["file": "\(WebhookSecretFile.path(in: dataDirectory))"]
        )
        return secret
    }
}
