/// Checkov findings the stack does not fix, each with the reason, recorded in the resource's `Metadata` where
/// checkov reads them (`checkov.skip`), so anyone scanning the rendered template sees the same justification.
enum ScannerExceptions {
    struct Exception {
        var id: String
        var reason: String
    }

    static func metadata(_ exceptions: [Exception]) -> [String: CloudFormation.Value] {
        guard !exceptions.isEmpty else { return [:] }
        let skips = exceptions.map { exception -> CloudFormation.Value in
            ["id": .string(exception.id), "comment": .string(exception.reason)]
        }
        return ["checkov": ["skip": .list(skips)]]
    }

    static func function(_ function: BotStack.Function) -> [String: CloudFormation.Value] {
        metadata([])
    }

    static var logGroup: [String: CloudFormation.Value] {
        metadata([])
    }

    static var publicWebhook: [String: CloudFormation.Value] {
        metadata([])
    }

    static var alarmTopic: [String: CloudFormation.Value] {
        metadata([])
    }
}
