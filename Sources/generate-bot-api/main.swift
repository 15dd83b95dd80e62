import BotAPIGenerator
import Foundation

// Regenerates the Bot API layer. Run from the package root:
//   swift run generate-bot-api                      # Spec/bot-api.json -> Sources/TelegramBotAPI/Generated
//   swift run generate-bot-api --spec path/api.json # first refresh Spec/bot-api.json from a full scraped spec

let arguments = CommandLine.arguments.dropFirst()
let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let specURL = root.appendingPathComponent("Spec/bot-api.json")

do {
    if let flag = arguments.firstIndex(of: "--spec") {
        guard arguments.index(after: flag) < arguments.endIndex else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "--spec needs the path of a full api.json"])
        }
        let source = URL(fileURLWithPath: arguments[arguments.index(after: flag)])
        let spec = try SpecExtractor.extract(fromFullSpec: Data(contentsOf: source))
        try spec.jsonText().write(to: specURL, atomically: true, encoding: .utf8)
        print("wrote \(specURL.path): \(spec.version), \(spec.types.count) types, \(spec.methods.count) methods")
    }
    let spec = try BotAPISpec.load(from: specURL)
    let output = root.appendingPathComponent(SwiftGenerator.outputDirectory)
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let files = try SwiftGenerator(spec: spec).generate()
    // The folder is the generator's alone: a file it no longer writes (a types file whose first type
    // changed) would otherwise stay and be compiled beside its successor.
    for name in try FileManager.default.contentsOfDirectory(atPath: output.path) where name.hasSuffix(".swift") && files[name] == nil {
        try FileManager.default.removeItem(at: output.appendingPathComponent(name))
        print("removed \(name), which the generator no longer writes")
    }
    for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
        try contents.write(to: output.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    print("wrote \(files.count) files to \(output.path)")
} catch {
    FileHandle.standardError.write(Data("generate-bot-api: \(error)\n".utf8))
    exit(1)
}
