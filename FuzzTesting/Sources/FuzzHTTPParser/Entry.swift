import CFuzzDriver

/// SwiftPM links `main` to `FuzzHTTPParser_main`; hand control to libFuzzer's driver from there.
/// (Plain `swiftc -sanitize=fuzzer -parse-as-library` builds would use libFuzzer's own `main`.)
@_cdecl("FuzzHTTPParser_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) }
}
