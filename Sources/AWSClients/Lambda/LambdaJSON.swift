public import NIOCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes events from and encodes results to the `ByteBuffer`s a ``LambdaRuntime/Handler`` works on.
public enum LambdaJSON {
    public static func decode<Event: Decodable>(_ type: Event.Type, from buffer: ByteBuffer) throws -> Event {
        try JSONDecoder().decode(Event.self, from: Data(buffer.readableBytesView))
    }

    public static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(value))
    }
}
