import Foundation
import NIOCore
import Testing

@testable import AWSClients
@testable import FerryAWS
import FerryTestSupport

/// The sample events in `../shared/aws/lambda-events`, captured from real invocations or AWS's docs.
@Suite("Lambda events")
struct LambdaEventTests {
    static func decode<Event: Decodable>(_ type: Event.Type, _ name: String) throws -> Event {
        try LambdaJSON.decode(Event.self, from: ByteBuffer(bytes: try SharedData.lambdaEvent(name)))
    }

    @Test("an SQS FIFO record carries its group, deduplication id, receive count and a sequence number beyond UInt64")
    func sqsFIFO() throws {
        let event = try Self.decode(SQSEvent.self, "01-sqs-fifo-sns-fanout.powertools.json")
        let record = try #require(event.records.first)
        #expect(event.records.count == 1)
        #expect(record.message.messageID == "69bc4bbd-ed69-4325-a434-85c3b428ceab")
        #expect(record.message.receiptHandle.hasPrefix("AQEBbfAqjhrgIdW3HGWYPz57"))
        #expect(record.message.body.hasPrefix("{\n  \"Type\" : \"Notification\""))
        #expect(record.message.approximateReceiveCount == 1)
        #expect(record.message.messageGroupID == "powertools-test")
        #expect(record.message.messageDeduplicationID == "4e0a0f61eed277a4b9e4c01d5722b07b0725e42fe782102abee5711adfac701f")
        #expect(record.message.sequenceNumber == "18873177232222703872")
        #expect(record.message.sentTimestamp == 1_665_754_525_442)
        #expect(record.message.messageAttributes.isEmpty)
        #expect(record.eventSourceARN == "arn:aws:sqs:eu-west-1:231436140809:Test.fifo")
        #expect(record.awsRegion == "eu-west-1")
    }

    @Test("message attributes of every data type decode, binary ones from base64")
    func sqsMessageAttributes() throws {
        let event = try Self.decode(SQSEvent.self, "03-sqs-standard-message-attributes.aws-lambda-go.json")
        let message = try #require(event.records.first).message
        #expect(message.approximateReceiveCount == 2)
        #expect(message.messageGroupID == nil)
        #expect(message.body == "Message Body")
        #expect(message.messageAttributes["Attribute1"] == .string("AttributeValue1"))
        #expect(message.messageAttributes["Attribute2"] == SQSMessageAttribute(dataType: "Number", stringValue: "123"))
        #expect(message.messageAttributes["Attribute3"] == .binary(Array("1100".utf8)))
    }

    @Test("a batch response encodes and decodes in the documented shape")
    func batchResponse() throws {
        let sample = try Self.decode(SQSBatchResponse.self, "04-sqs-batch-response.aws-lambda-rust-runtime.json")
        #expect(sample == SQSBatchResponse(failedMessageIDs: ["id2", "id4"]))

        let encoded = String(buffer: try LambdaJSON.encode(SQSBatchResponse(failedMessageIDs: ["m-3"])))
        #expect(encoded == #"{"batchItemFailures":[{"itemIdentifier":"m-3"}]}"#)
        #expect(String(buffer: try LambdaJSON.encode(SQSBatchResponse())) == #"{"batchItemFailures":[]}"#)
    }

    @Test("a function URL POST with a JSON body: lower-case headers, text body, request context")
    func functionURLJSONBody() throws {
        let request = try Self.decode(FunctionURLRequest.self, "05-function-url-post-json-body.aws-lambda-go.json")
        #expect(request.version == "2.0")
        #expect(request.requestContext.http.method == "POST")
        #expect(request.rawPath == "/hello")
        #expect(request.rawQueryString == "hello=world&foo=bar")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.headers["header2"] == "h1,h2")
        #expect(request.cookies == ["foo=bar", "hello=hello"])
        #expect(request.queryStringParameters == ["foo": "bar", "hello": "world"])
        #expect(request.requestContext.requestID == "5bbd0e3e-fe7a-4299-9076-32d4de45391b")
        #expect(request.requestContext.timeEpoch == 1_681_837_306_806)
        #expect(request.requestContext.http.sourceIP == "127.0.0.1")
        #expect(!request.isBase64Encoded)
        #expect(try request.bodyBytes() == Array(#"{"hello": "world"}"#.utf8))
    }

    @Test("a base64 body is decoded to its bytes")
    func functionURLBase64Body() throws {
        let request = try Self.decode(FunctionURLRequest.self, "06-function-url-post-base64-body.aws-lambda-go.json")
        #expect(request.isBase64Encoded)
        #expect(try request.bodyBytes() == Array("<idk/>".utf8))
        #expect(request.cookies.isEmpty)
        #expect(request.queryStringParameters.isEmpty)

        var broken = request
        broken.body = "not base64!"
        #expect(throws: FunctionURLRequestError.invalidBase64Body) { try broken.bodyBytes() }
    }

    @Test(
        "every function URL and HTTP API 2.0 sample decodes",
        arguments: [
            "07-function-url-docs-example.aws-lambda-go.json",
            "08-function-url-get-browser.powertools.json",
            "09-function-url-get-real-world.swift-aws-lambda-events.json",
            "10-apigw-http-api-v2.powertools.json",
            "11-apigw-http-api-v2-no-authorizer.aws-lambda-go.json",
        ]
    )
    func functionURLSamples(name: String) throws {
        let request = try Self.decode(FunctionURLRequest.self, name)
        #expect(request.version == "2.0")
        #expect(!request.requestContext.requestID.isEmpty)
        #expect(["GET", "POST"].contains(request.requestContext.http.method))
        #expect(request.headers.keys.allSatisfy { $0 == $0.lowercased() })
    }

    @Test("mixed-case header names are folded to lower case")
    func headerCaseFolding() throws {
        let request = try Self.decode(FunctionURLRequest.self, "10-apigw-http-api-v2.powertools.json")
        #expect(request.headers == ["header1": "value1", "header2": "value1,value2"])
        #expect(request.header("HEADER2") == "value1,value2")
        #expect(try request.bodyBytes() == Array(#"{"message": "hello world", "username": "tom"}"#.utf8))
    }

    @Test("an anonymous GET has no body")
    func browserGet() throws {
        let request = try Self.decode(FunctionURLRequest.self, "08-function-url-get-browser.powertools.json")
        #expect(request.requestContext.accountID == "anonymous")
        #expect(request.body == nil)
        #expect(try request.bodyBytes() == [])
    }

    @Test("a function URL response encodes the payload 2.0 fields")
    func functionURLResponse() throws {
        let text = try JSONSerialization.jsonObject(with: Data(try LambdaJSON.encode(FunctionURLResponse.text(200, "ok")).readableBytesView)) as? NSDictionary
        #expect(text == ["statusCode": 200, "headers": ["content-type": "text/plain; charset=utf-8"], "body": "ok", "isBase64Encoded": false])

        let empty = try JSONSerialization.jsonObject(with: Data(try LambdaJSON.encode(FunctionURLResponse.text(503)).readableBytesView)) as? NSDictionary
        #expect(empty == ["statusCode": 503, "isBase64Encoded": false])

        let binary = FunctionURLResponse.bytes(200, [0, 255], contentType: "application/octet-stream")
        #expect(binary.body == "AP8=" && binary.isBase64Encoded)
    }
}
