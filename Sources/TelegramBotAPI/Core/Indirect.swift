/// Holds a value on the heap, so that a type can contain itself (`Message.reply_to_message`)
/// and large, rarely present payloads do not bloat every copy of their parent.
/// The generator decides which fields use it; their public properties read and write the plain value.
public struct Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    // A class gives the indirection; it is immutable, so sharing it is safe and value semantics hold.
    private final class Storage: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let storage: Storage

    public init(_ value: Value) { storage = Storage(value) }

    public var value: Value { storage.value }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.storage === rhs.storage || lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
