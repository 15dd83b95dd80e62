// The system zlib, for FerryDeploy's code packages. Bot binaries link zlib already (HTTP compression),
// so this adds no library to the Lambda bootstrap.
#ifndef FERRY_CZLIB_H
#define FERRY_CZLIB_H

#include <zlib.h>

// deflateInit2 is a macro, which Swift cannot call. Raw deflate (negative window bits: no zlib header
// or trailer) is what a zip entry of method 8 holds.
static inline int ferry_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
}

#endif
