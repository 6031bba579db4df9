#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM ≥ 11). SwiftPM links an executable's `main` to
/// `<Module>_main`, so each fuzz target defines that symbol and hands control to this driver;
/// libFuzzer's own `main` object is then never pulled from the archive.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
