#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import TelegramBotAPI

/// The file a simulator keeps its world in (``BotAPISimulator/Configuration/worldFile``): read once when
/// the simulator starts, written shortly after every change and once more when it stops.
///
/// Each write goes to a temporary file that then replaces the old one, so a crash mid-write leaves the
/// previous world, never half of one.
struct WorldFile: Sendable {
    let path: String

    /// The saved world, or `nil` when there is none yet. A file that does not read as a world is an
    /// error rather than a fresh start: starting afresh would overwrite the conversation it holds.
    func load() throws(SimulatorError) -> WorldSnapshot? {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { return nil }
            throw .unreadableWorldFile(path: path, reason: "\(error)")
        }
        let snapshot: WorldSnapshot
        do {
            snapshot = try JSONDecoder().decode(WorldSnapshot.self, from: data)
        } catch {
            throw .unreadableWorldFile(path: path, reason: "it is not a saved simulator world (\(error))")
        }
        guard snapshot.format == WorldSnapshot.currentFormat else {
            throw .unreadableWorldFile(path: path, reason: "it was written in format \(snapshot.format), this version reads \(WorldSnapshot.currentFormat)")
        }
        return snapshot
    }

    func save(_ snapshot: WorldSnapshot) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try encoder.encode(snapshot).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension SimulatorEngine {
    /// Takes over the world saved in `file`, if there is one.
    func restore(from file: WorldFile) throws(SimulatorError) {
        guard let saved = try file.load() else { return }
        mutate { world in world.restore(saved, firstUpdateID: configuration.firstUpdateID) }
    }

    /// Writes the world to `file` after every change, at most every `interval`, until the engine closes or
    /// the task is cancelled. The simulator writes it once more when it has stopped (``save(to:)``).
    func keepSaving(to file: WorldFile, every interval: Duration) async {
        var saved: Int? = nil
        while !Task.isCancelled {
            let changed = await changes.wait(until: nil) { () -> Int? in
                let revision = read { $0.revision }
                return revision == saved ? nil : revision
            }
            guard changed != nil else { break }
            saved = save(to: file)
            try? await Task.sleep(for: interval)
        }
    }

    /// Writes the world as it is now; returns the revision written, or `nil` when writing failed (logged).
    @discardableResult
    func save(to file: WorldFile) -> Int? {
        let (revision, snapshot) = read { ($0.revision, $0.snapshot()) }
        do {
            try file.save(snapshot)
            return revision
        } catch {
            configuration.logger.error(
                "the simulated world could not be saved; a restart would lose what changed since the last save",
                metadata: ["file": "\(file.path)", "error": "\(error)"]
            )
            return nil
        }
    }
}
