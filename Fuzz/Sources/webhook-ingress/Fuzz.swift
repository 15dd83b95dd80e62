import Dispatch
import FerryQueue
import FerryRuntime
import FuzzDriver

/// Any body through the webhook's checks (size, JSON, `update_id`, ordering key) into a queue that takes
/// everything: an answer of 200, 400 or 413 for each, and an accepted body is a body whose keys were read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let done = DispatchSemaphore(value: 0)
    Task {
        let response = await ingress.accept(body: body, secretHeader: nil)
        precondition([200, 400, 413].contains(response.status), "unexpected \(response.status): \(response.message)")
        done.signal()
    }
    done.wait()
    return 0
}

/// Small, so that the fuzzer also reaches the size check.
private let ingress = WebhookIngress(configuration: .init(maximumBodySize: 4096), queue: AcceptingQueue())

/// Takes every update and keeps none.
private struct AcceptingQueue: UpdateQueue {
    func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] {
        for update in updates {
            precondition(!update.groupID.isEmpty && update.groupID.utf8.count <= 128, "bad group \(update.groupID)")
        }
        return updates.map { _ in .enqueued }
    }
    func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] { [] }
    func acknowledge(_ receipts: [QueueReceipt]) async throws {}
    func release(_ receipt: QueueReceipt, after delay: Duration, error: String, countingAttempt: Bool) async throws {}
    func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {}
}

@_cdecl("webhook_ingress_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
