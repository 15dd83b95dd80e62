import BotAPIGenerator
import Foundation
import Testing
import TelegramBotAPI
import FerryTestSupport

@Suite("Generated code matches the spec")
struct GeneratedCodeTests {
    static let specURL = SharedData.repositoryRoot.appendingPathComponent("Spec/bot-api.json")
    static let generatedURL = SharedData.repositoryRoot.appendingPathComponent(SwiftGenerator.outputDirectory)

    @Test("regenerating from Spec/bot-api.json gives exactly the committed files (run `swift run generate-bot-api` if not)")
    func noDrift() throws {
        let expected = try SwiftGenerator(spec: BotAPISpec.load(from: Self.specURL)).generate()
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.generatedURL.path).filter { $0.hasSuffix(".swift") }
        #expect(Set(committed) == Set(expected.keys), "Generated/ holds files the generator does not write, or lacks some")
        for (name, contents) in expected {
            let onDisk = try String(contentsOf: Self.generatedURL.appendingPathComponent(name), encoding: .utf8)
            #expect(onDisk == contents, "Generated/\(name) differs from what the generator writes")
        }
    }

    @Test("the committed structural spec is the extract of the shared Bot API spec")
    func structuralSpecUpToDate() throws {
        let full = try Data(contentsOf: SharedData.sharedRoot.appendingPathComponent("telegram/spec/api.json"))
        let extracted = try SpecExtractor.extract(fromFullSpec: full)
        let committed = try BotAPISpec.load(from: Self.specURL)
        #expect(extracted == committed)
        #expect(try extracted.jsonText() == String(contentsOf: Self.specURL, encoding: .utf8))
    }

    @Test("the structural spec keeps no description prose")
    func noProse() throws {
        func keys(_ value: Any) -> Set<String> {
            if let object = value as? [String: Any] { return Set(object.keys).union(object.values.flatMap(keys)) }
            if let array = value as? [Any] { return Set(array.flatMap(keys)) }
            return []
        }
        let tree = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.specURL))
        #expect(!keys(tree).contains("description"))
    }

    @Test("all 359 types and 180 methods of Bot API 10.1 have a Swift type")
    func completeness() throws {
        let spec = try BotAPISpec.load(from: Self.specURL)
        #expect(spec.version == "Bot API 10.1")
        #expect(spec.types.count == 359)
        #expect(spec.methods.count == 180)
        #expect(BotAPISchema.version == spec.version)
        #expect(BotAPISchema.types.map(\.key) == spec.types.map(\.name))
        #expect(BotAPISchema.methods.map { $0.name } == spec.methods.map(\.name))
    }

    @Test("every union member of the spec has a discriminator or a documented way to tell it apart")
    func discriminators() throws {
        let spec = try BotAPISpec.load(from: Self.specURL)
        let withoutDiscriminator = spec.types
            .filter { $0.subtypes != nil }
            .flatMap { union in (union.subtypes ?? []).compactMap { spec.type(named: $0) }.map { (union.name, $0) } }
            .filter { $0.1.discriminator == nil }
            .map(\.0)
        // MaybeInaccessibleMessage is told apart by `date == 0`; InputMessageContent by its required fields.
        #expect(Set(withoutDiscriminator) == ["MaybeInaccessibleMessage", "InputMessageContent"])
    }
}
