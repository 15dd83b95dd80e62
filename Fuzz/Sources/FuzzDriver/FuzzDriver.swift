/// One input's check: libFuzzer's `LLVMFuzzerTestOneInput`.
public typealias FuzzCheck = @convention(c) (UnsafePointer<UInt8>, Int) -> Int32

/// Runs libFuzzer on `check` with the process's arguments. SwiftPM links every executable with its entry
/// point renamed (`<module>_main`, for `main` to point at), so each target calls this from there instead of
/// using libFuzzer's own `main`.
public func runFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ check: FuzzCheck
) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, check)
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ check: FuzzCheck
) -> Int32
