import ArgumentParser
import FerryDeploy
import FoundationEssentials

/// `status --stage S`: one screen on how a deployed stage is doing. What cannot be read is shown as unknown,
/// with the reason, and the command still succeeds: a status that fails when something is wrong is no status.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a deployed stage: its stack, code, webhook, queue, dead letters and alarms.",
        discussion: """
            Reads the stack through the AWS CLI, the rest through AWS's APIs (AWS_REGION, AWS_ENDPOINT_URL and the \
            AWS_* credentials apply) and Telegram's getWebhookInfo (with TELEGRAM_BOT_TOKEN, else the stage's stored \
            token). Each part that cannot be read shows as unknown with the reason.
            """
    )

    @OptionGroup var options: DeployedStageOptions
    @Flag(help: "One JSON object instead of the screen.") var json = false

    func run() async throws {
        let stack = options.stack
        try stack.validate()
        let status = try await options.withAWS { configuration, httpClient in
            await StageStatusReader(stack: stack, aws: options.aws(), configuration: configuration, httpClient: httpClient).read()
        }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(StatusScreen(status: status, now: Date()).text)
        }
    }
}

/// The status as text, one labelled line (or a few) per part.
struct StatusScreen {
    var status: StageStatus
    var now: Date

    var text: String {
        var lines = ["Stage \(status.stage) of \(status.bot)"]
        func add(_ label: String, _ reading: Reading<some Sendable & Encodable>, _ show: () -> [String]) {
            let padded = label + String(repeating: " ", count: max(1, 14 - label.count))
            var shown: [String]
            if case .unknown(let reason) = reading { shown = ["unknown: \(oneLine(reason, limit: 300))"] } else { shown = show() }
            lines.append("  \(padded)\(shown.removeFirst())")
            lines += shown.map { "  " + String(repeating: " ", count: 14) + $0 }
        }
        add("stack", status.stack) {
            guard case .known(let stack) = status.stack else { return [] }
            return ["\(stack.name) \(stack.status), last updated \(when(stack.lastUpdated))"]
        }
        add("code", status.code) {
            guard case .known(let code) = status.code else { return [] }
            return ["sha256 \(code.sha256)", "deployed \(when(code.deployedAt))"]
        }
        add("webhook", status.webhook) {
            guard case .known(let webhook) = status.webhook else { return [] }
            var shown = [webhook.url.isEmpty ? "(none: Telegram has no webhook for the bot)" : webhook.url]
            if webhook.pointsAtStage == false { shown.append("not this stage's function URL: run deploy or webhook set") }
            shown.append("\(webhook.pendingUpdates) update\(webhook.pendingUpdates == 1 ? "" : "s") pending at Telegram")
            if let error = webhook.lastError {
                shown.append("last error \(webhook.lastErrorAt.map(when) ?? "(undated)"): \(oneLine(error, limit: 200))")
            } else {
                shown.append("no delivery error")
            }
            return shown
        }
        add("queue", status.queue) {
            guard case .known(let queue) = status.queue else { return [] }
            var shown = "\(queue.waiting) waiting, \(queue.inFlight) in flight"
            if queue.delayed > 0 { shown += ", \(queue.delayed) delayed" }
            return [shown]
        }
        add("oldest update", status.oldestUpdate) {
            guard case .known(let oldest) = status.oldestUpdate else { return [] }
            guard let seconds = oldest.seconds else { return ["unknown: CloudWatch has no value from the last 15 minutes (an idle queue reports none)"] }
            return ["\(span(seconds)) in the queue (CloudWatch's latest minute\(oldest.at.flatMap(ago).map { ", \($0)" } ?? ""))"]
        }
        add("dead letters", status.deadLetters) {
            guard case .known(let deadLetters) = status.deadLetters else { return [] }
            let parked = deadLetters.parked.map(String.init) ?? "more than \(StageStatus.deadLetterCountLimit)"
            var shown = ["\(parked) parked" + (deadLetters.parked == 0 ? "" : " (dlq list --stage \(status.stage))")]
            if deadLetters.waiting > 0 { shown.append("\(deadLetters.waiting) waiting to be parked") }
            return shown
        }
        add("alarms", status.alarms) {
            guard case .known(let alarms) = status.alarms else { return [] }
            guard alarms.total > 0 else { return ["none found (a stage on AWS has 7; the local-emulator template has none)"] }
            var shown = ["\(alarms.inAlarm.count) of \(alarms.total) in ALARM"
                + (alarms.insufficientData > 0 ? ", \(alarms.insufficientData) without data yet" : "")]
            for alarm in alarms.inAlarm {
                shown.append("\(alarm.name) since \(alarm.since.map(when) ?? "?"): \(oneLine(alarm.reason, limit: 160))")
            }
            return shown
        }
        add("alarm mail", status.alarmMail) {
            guard case .known(let mail) = status.alarmMail else { return [] }
            guard !mail.addresses.isEmpty else { return ["nobody: deploy with --alarm-email ADDRESS"] }
            return mail.addresses.map { address in
                address.confirmed
                    ? "\(address.address) (confirmed)"
                    : "\(address.address): not confirmed yet, so nothing is mailed; follow the link in AWS's mail"
            }
        }
        return lines.joined(separator: "\n")
    }

    /// An AWS or Telegram time, with how long ago it was when that can be told.
    private func when(_ text: String) -> String {
        ago(text).map { "\(text) (\($0))" } ?? text
    }

    /// `5 min ago`, when the time can be read.
    private func ago(_ text: String) -> String? {
        guard let date = parsedDate(text) else { return nil }
        let seconds = Int(now.timeIntervalSince(date).rounded())
        return seconds >= 0 ? span(seconds) + " ago" : "in the future"
    }

    private func parsedDate(_ text: String) -> Date? {
        // Lambda writes `2026-12-05T08:09:41.000+0000`; CloudFormation and this CLI write ISO 8601 with a Z.
        let normalized = text.hasSuffix("+0000") ? String(text.dropLast(5)) + "Z" : text
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? withFraction.parse(normalized)) ?? (try? Date.ISO8601FormatStyle().parse(normalized))
    }

    private func span(_ seconds: Int) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3600) h"
        default: "\(seconds / 86_400) days"
        }
    }
}
