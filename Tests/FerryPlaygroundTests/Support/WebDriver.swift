import FerryTestSupport
import AsyncHTTPClient
import FerryTesting
import Foundation
import NIOCore

/// Headless Chromium driven through the Debian `chromedriver` over the W3C WebDriver protocol, on
/// 127.0.0.1. Only the few commands the browser test needs; nothing is downloaded.
final class Browser: Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    private let driver: ChildProcess
    private let http: HTTPClient
    private let session: String
    private let baseURL: String

    private init(driver: ChildProcess, http: HTTPClient, session: String, baseURL: String) {
        self.driver = driver
        self.http = http
        self.session = session
        self.baseURL = baseURL
    }

    /// Starts chromedriver on a free port and a headless browser session in a window of `width` x `height`.
    static func launch(width: Int = 1280, height: Int = 800) async throws -> Browser {
        let output = ChildOutput()
        // chromedriver and Chromium find their libraries and fonts through the environment.
        let driver = try ChildProcess(
            executable: chromedriver, arguments: ["--port=0"], environment: ProcessInfo.processInfo.environment,
            standardOutput: output, standardError: output
        )
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let port: Int
            do {
                port = try await eventuallyValue(within: .seconds(120), "chromedriver to start") {
                    output.text.firstMatch(of: /started successfully on port (\d+)/).flatMap { Int($0.1) }
                }
            } catch {
                throw TestFailure("\(error):\n\(output.text)")
            }
            let baseURL = "http://127.0.0.1:\(port)"
            let capabilities: [String: Any] = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": chromium,
                            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
                        ],
                    ]
                ]
            ]
            let answer = try await Self.call(http, "POST", baseURL + "/session", capabilities)
            guard let session = (answer as? [String: Any])?["sessionId"] as? String else {
                throw TestFailure("chromedriver gave no session: \(answer)")
            }
            return Browser(driver: driver, http: http, session: session, baseURL: baseURL)
        } catch {
            driver.signal(SIGKILL)
            try? await http.shutdown()
            throw error
        }
    }

    /// Ends the session (the browser quits) and chromedriver. chromedriver does not end on SIGTERM
    /// here, so it is asked to shut down, and killed if it has not within 5 seconds.
    func close() async {
        _ = try? await command("DELETE", "")
        // Its answer is not WebDriver JSON; only that it stops matters.
        _ = try? await Self.call(http, "GET", baseURL + "/shutdown", nil)
        await Self.stop(driver)
        try? await http.shutdown()
    }

    private static func stop(_ driver: ChildProcess) async {
        // Killed if it has not ended within 5 seconds of being asked to.
        _ = try? await driver.waitForExit(within: .seconds(5))
    }

    func open(_ url: String) async throws {
        _ = try await command("POST", "/url", ["url": url])
    }

    /// The first element `selector` finds whose text passes `condition`, waiting until there is one.
    /// The page re-renders what changed, so an element found may be gone a moment later: that is retried.
    @discardableResult
    func element(_ selector: String, within limit: Duration = .seconds(30), where condition: (String) -> Bool = { _ in true }) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var lastTexts: [String] = []
        while clock.now < deadline {
            let found = try await command("POST", "/elements", ["using": "css selector", "value": selector]) as? [[String: Any]] ?? []
            lastTexts = []
            for element in found {
                guard let id = element.values.first as? String else { continue }
                guard let text = try await retryingStale({ try await command("GET", "/element/\(id)/text") as? String ?? "" }) else { continue }
                lastTexts.append(text)
                if condition(text) { return id }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no element \(selector) matched within \(limit); texts seen: \(lastTexts)")
    }

    func type(_ text: String, into selector: String) async throws {
        let id = try await element(selector)
        _ = try await command("POST", "/element/\(id)/value", ["text": text])
    }

    func click(_ selector: String, where condition: (String) -> Bool = { _ in true }) async throws {
        for _ in 0..<20 {
            let id = try await element(selector, where: condition)
            if try await retryingStale({ try await command("POST", "/element/\(id)/click", [String: Any]()) }) != nil { return }
        }
        throw TestFailure("\(selector) kept being replaced before it could be clicked")
    }

    /// The call's result, or `nil` when the element it names is no longer in the page.
    private func retryingStale<Result>(_ call: () async throws -> Result) async throws -> Result? {
        do {
            return try await call()
        } catch let error as WebDriverError where error.code == "stale element reference" {
            return nil
        }
    }

    func screenshot(to path: String) async throws {
        guard let base64 = try await command("GET", "/screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw TestFailure("chromedriver returned no screenshot")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        try await Self.call(http, method, baseURL + "/session/" + session + path, body)
    }

    /// One WebDriver call: its `value`, or the WebDriver error as a test failure.
    private static func call(_ http: HTTPClient, _ method: String, _ url: String, _ body: [String: Any]?) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let answer = try JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [.fragmentsAllowed])
        let value = (answer as? [String: Any])?["value"] ?? NSNull()
        guard response.status.code == 200 else {
            let code = (value as? [String: Any])?["error"] as? String ?? "HTTP \(response.status.code)"
            let message = (value as? [String: Any])?["message"] as? String ?? ""
            throw WebDriverError(code: code, message: "\(method) \(url): \(message)")
        }
        return value
    }
}

/// An error chromedriver answered with: its WebDriver error code (`no such element`, ...) and message.
struct WebDriverError: Error, CustomStringConvertible {
    var code: String
    var message: String
    var description: String { "WebDriver \(code): \(message)" }
}
