// Keeps a bot binary loadable on Amazon Linux 2023, whose glibc is 2.34.
//
// glibc 2.35 added new versions of hypot and hypotf (hypot@@GLIBC_2.35). A binary linked here against
// a newer glibc (Debian 12 has 2.36) with the static Swift standard library references those versions,
// and the loader on an older glibc refuses to start it ("version `GLIBC_2.35' not found").
//
// The definitions below take those references instead: the static linker resolves `hypot` to an object
// file's definition before it looks at libm.so, so the binary never asks for the 2.35 version. Each one
// calls the version every glibc since the architecture's first release has, pinned with `.symver`.
// They are hidden, so they stay out of the binary's dynamic symbol table: exported, they would interpose
// on libm's own `hypot`, and the pinned call would come back to them.
//
// Only glibc on x86_64 and aarch64 (Lambda's two architectures) is affected; elsewhere this file is empty.

#if defined(__linux__)
#include <features.h>
#endif

#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))

#if defined(__x86_64__)
#define FERRY_GLIBC_BASE_VERSION "GLIBC_2.2.5"
#else
#define FERRY_GLIBC_BASE_VERSION "GLIBC_2.17"
#endif

double ferry_glibc_base_hypot(double x, double y);
float ferry_glibc_base_hypotf(float x, float y);
__asm__(".symver ferry_glibc_base_hypot, hypot@" FERRY_GLIBC_BASE_VERSION);
__asm__(".symver ferry_glibc_base_hypotf, hypotf@" FERRY_GLIBC_BASE_VERSION);

__attribute__((visibility("hidden"))) double hypot(double x, double y) {
    return ferry_glibc_base_hypot(x, y);
}

__attribute__((visibility("hidden"))) float hypotf(float x, float y) {
    return ferry_glibc_base_hypotf(x, y);
}

#endif
