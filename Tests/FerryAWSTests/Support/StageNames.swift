/// Six letters a-z for a stage name no other test on the same moto uses. (Keeping only a UUID's letters could
/// leave none: two removal tests then deployed one stack at once and met each other's log group.)
func randomLetters(_ count: Int) -> String {
    String((0..<count).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
}
