import FerryDeploy
import Foundation
import Testing

@Suite("CloudFormation model")
struct CloudFormationModelTests {
    private func template(_ resources: [String: CloudFormation.Resource], outputs: [String: CloudFormation.Output] = [:])
        -> CloudFormation.Template
    {
        CloudFormation.Template(
            description: "test",
            parameters: ["Bucket": .init(description: "a bucket")],
            resources: resources,
            outputs: outputs
        )
    }

    @Test("intrinsic functions render as CloudFormation spells them")
    func intrinsics() throws {
        let queue = CloudFormation.Resource(type: "AWS::SQS::Queue", properties: ["QueueName": "q"])
        let topic = CloudFormation.Resource(
            type: "AWS::SNS::Topic",
            properties: [
                "A": .ref("Queue"),
                "B": .getAtt("Queue", "Arn"),
                "C": .sub("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}"),
                "D": .join(",", ["x", .ref("Bucket")]),
                "E": [1, true, "text"],
            ]
        )
        let json = try TemplateJSON(text: template(["Queue": queue, "Topic": topic]).renderedJSON())
        let properties = try json.properties("Topic")
        #expect(jsonEqual(properties["A"], ["Ref": "Queue"]))
        #expect(jsonEqual(properties["B"], ["Fn::GetAtt": ["Queue", "Arn"]]))
        #expect(jsonEqual(properties["C"], ["Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}"]))
        #expect(jsonEqual(properties["D"], ["Fn::Join": [",", ["x", ["Ref": "Bucket"]]]]))
        #expect(jsonEqual(properties["E"], [1, true, "text"] as [Any]))
        #expect(json.root["AWSTemplateFormatVersion"] as? String == "2010-09-09")
    }

    @Test("rendering is deterministic: keys sorted, the same text every time")
    func deterministic() throws {
        let resources: [String: CloudFormation.Resource] = [
            "Zeta": .init(type: "AWS::SQS::Queue", properties: ["Zed": 1, "Alpha": 2, "Mid": ["b": 1, "a": 2]]),
            "Alpha": .init(type: "AWS::SQS::Queue", properties: [:]),
        ]
        let first = try template(resources).renderedJSON()
        for _ in 0..<20 {
            #expect(try template(resources).renderedJSON() == first)
        }
        let alpha = try #require(first.range(of: "\"Alpha\""))
        let zeta = try #require(first.range(of: "\"Zeta\""))
        #expect(alpha.lowerBound < zeta.lowerBound)
        let mid = try #require(first.range(of: "\"Mid\""))
        let zed = try #require(first.range(of: "\"Zed\""))
        #expect(mid.lowerBound < zed.lowerBound)
        #expect(first.contains("\n  "), "pretty printed")
        #expect(!first.contains("\\/"), "slashes are not escaped")
    }

    @Test("a reference to something the template does not declare refuses to render")
    func undeclaredReferences() throws {
        let cases: [(CloudFormation.Value, String)] = [
            (.ref("Missing"), "Missing"),
            (.getAtt("Missing", "Arn"), "Missing"),
            (.getAtt("Bucket", "Arn"), "Bucket"),  // a parameter has no attributes
            (.sub("prefix-${Missing}-suffix"), "Missing"),
            (.sub("${Missing.Arn}"), "Missing"),
            (.join("", [.ref("Missing")]), "Missing"),
            (["nested": [.ref("Missing")]], "Missing"),
        ]
        for (value, name) in cases {
            let broken = template(["Thing": .init(type: "AWS::SQS::Queue", properties: ["P": value])])
            #expect(throws: CloudFormation.TemplateError.undeclaredReference(name, in: "Thing")) {
                try broken.renderedJSON()
            }
        }
        let dependsOnMissing = template(["Thing": .init(type: "AWS::SQS::Queue", properties: [:], dependsOn: ["Gone"])])
        #expect(throws: CloudFormation.TemplateError.undeclaredReference("Gone", in: "Thing")) {
            try dependsOnMissing.renderedJSON()
        }
        let outputToMissing = template([:], outputs: ["Out": .init(value: .ref("Gone"), description: "x")])
        #expect(throws: CloudFormation.TemplateError.undeclaredReference("Gone", in: "output Out")) {
            try outputToMissing.renderedJSON()
        }
    }

    @Test("pseudo parameters, declared names and escaped placeholders are fine")
    func declaredReferences() throws {
        let queue = CloudFormation.Resource(type: "AWS::SQS::Queue", properties: ["QueueName": "q"])
        let user = CloudFormation.Resource(
            type: "AWS::SNS::Topic",
            properties: [
                "A": .sub("${AWS::Region}:${AWS::AccountId}:${Bucket}:${Queue}:${Queue.Arn}:${!Queue.Nope}:${!Nothing}"),
                "B": .ref("Bucket"),
                "C": .region,
            ],
            dependsOn: ["Queue"]
        )
        let valid = template(["Queue": queue, "User": user])
        #expect(valid.undeclaredReferences().isEmpty)
        _ = try valid.renderedJSON()
    }

    @Test("resource attributes: DependsOn, policies and metadata sit beside the properties")
    func resourceAttributes() throws {
        let table = CloudFormation.Resource(
            type: "AWS::DynamoDB::Table",
            properties: ["TableName": "t"],
            dependsOn: ["Other"],
            deletionPolicy: .retain,
            updateReplacePolicy: .retain,
            metadata: ["note": "kept"]
        )
        let other = CloudFormation.Resource(type: "AWS::SQS::Queue", properties: [:])
        let json = try TemplateJSON(text: template(["Table": table, "Other": other]).renderedJSON())
        let resource = try json.resource("Table")
        #expect(jsonEqual(resource["DependsOn"], ["Other"]))
        #expect(resource["DeletionPolicy"] as? String == "Retain")
        #expect(resource["UpdateReplacePolicy"] as? String == "Retain")
        #expect(jsonEqual(resource["Metadata"], ["note": "kept"]))
        #expect(try json.resource("Other")["Properties"] == nil, "empty properties are left out")
    }

    @Test("a policy document carries the current version and each statement's parts")
    func policyDocument() throws {
        let document = CloudFormation.PolicyDocument([
            .assumeRole(by: "lambda.amazonaws.com"),
            .init(
                sid: "Read",
                actions: ["ssm:GetParameter"],
                resources: ["arn:aws:ssm:eu-west-1:123456789012:parameter/x"],
                conditions: ["StringEquals": ["kms:ViaService": "ssm.eu-west-1.amazonaws.com"]]
            ),
        ])
        let queue = CloudFormation.Resource(type: "AWS::SQS::QueuePolicy", properties: ["PolicyDocument": document.value])
        let json = try TemplateJSON(text: template(["P": queue]).renderedJSON())
        let rendered = try #require(try json.properties("P")["PolicyDocument"] as? [String: Any])
        #expect(rendered["Version"] as? String == "2012-10-17")
        let statements = try #require(rendered["Statement"] as? [[String: Any]])
        #expect(jsonEqual(statements[0]["Principal"], ["Service": "lambda.amazonaws.com"]))
        #expect(jsonEqual(statements[0]["Action"], ["sts:AssumeRole"]))
        #expect(statements[0]["Resource"] == nil)
        #expect(statements[1]["Sid"] as? String == "Read")
        #expect(statements[1]["Effect"] as? String == "Allow")
        #expect(jsonEqual(statements[1]["Condition"], ["StringEquals": ["kms:ViaService": "ssm.eu-west-1.amazonaws.com"]]))
    }
}
