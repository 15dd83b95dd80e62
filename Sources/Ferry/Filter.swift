/// Decides whether an update concerns a handler and extracts what the handler works with:
/// `Filter<String>.text` matches text messages and hands over the text as a non-optional `String`.
///
/// Filters compose: `.text.and(.chatType(.private))` keeps the text of private messages,
/// `.photo.or(.document.map { _ in [] })` needs both sides to agree on the value, `.not()` inverts.
// The combinators are inlinable so the closures they build are specialized for the caller's value
// types: generic, each test of `.text.where { ... }` looked up `Optional<String>`'s metadata.
public struct Filter<Value: Sendable>: Sendable {
    /// The value the update yields, or `nil` when the filter does not match.
    public let extract: @Sendable (Context) -> Value?
    /// The kinds of update `extract` can match: what a bot whose handlers use this filter asks
    /// Telegram for. A filter built from a closure alone might match anything.
    public let updateKinds: UpdateKindSet

    @inlinable
    public init(updateKinds: UpdateKindSet = .every, _ extract: @escaping @Sendable (Context) -> Value?) {
        self.updateKinds = updateKinds
        self.extract = extract
    }

    /// Matches when both match; keeps this filter's value (the other one only narrows).
    @inlinable
    public func and<Other>(_ other: Filter<Other>) -> Filter<Value> {
        Filter(updateKinds: updateKinds.intersection(other.updateKinds)) { ctx in
            guard let value = extract(ctx), other.extract(ctx) != nil else { return nil }
            return value
        }
    }

    /// Matches when either matches, preferring this filter's value.
    @inlinable
    public func or(_ other: Filter<Value>) -> Filter<Value> {
        Filter(updateKinds: updateKinds.union(other.updateKinds)) { ctx in extract(ctx) ?? other.extract(ctx) }
    }

    /// Matches exactly the updates this filter rejects: updates of any kind.
    @inlinable
    public func not() -> Filter<Void> {
        Filter<Void> { ctx in extract(ctx) == nil ? () : nil }
    }

    /// Narrows by a condition on the value: `.text.where { $0.count < 100 }`.
    @inlinable
    public func `where`(_ condition: @escaping @Sendable (Value) -> Bool) -> Filter<Value> {
        Filter(updateKinds: updateKinds) { ctx in extract(ctx).flatMap { condition($0) ? $0 : nil } }
    }

    /// Transforms the value; returning `nil` rejects the update.
    @inlinable
    public func map<NewValue: Sendable>(_ transform: @escaping @Sendable (Value) -> NewValue?) -> Filter<NewValue> {
        Filter<NewValue>(updateKinds: updateKinds) { ctx in extract(ctx).flatMap(transform) }
    }

    /// Matches when both match and hands over both values.
    @inlinable
    public func with<Other>(_ other: Filter<Other>) -> Filter<(Value, Other)> {
        Filter<(Value, Other)>(updateKinds: updateKinds.intersection(other.updateKinds)) { ctx in
            guard let value = extract(ctx), let otherValue = other.extract(ctx) else { return nil }
            return (value, otherValue)
        }
    }
}

extension Filter where Value == Void {
    /// Matches every update; what `onAny` registers.
    public static var any: Filter<Void> { Filter(updateKinds: .every) { _ in () } }
}
