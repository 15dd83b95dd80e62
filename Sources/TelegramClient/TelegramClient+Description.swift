// A client is easily printed, dumped or captured in a crash report; none of that may reveal its token.
extension TelegramClient: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "TelegramClient(baseURL: \(configuration.baseURL), token: \(BotToken.placeholder))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": configuration.baseURL,
                "token": BotToken.placeholder,
                "timeout": configuration.timeout,
                "retryPolicy": configuration.retryPolicy,
                "ownsHTTPClient": ownsHTTPClient,
            ],
            displayStyle: .struct
        )
    }
}
