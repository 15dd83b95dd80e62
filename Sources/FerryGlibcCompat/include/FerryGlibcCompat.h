// FerryGlibcCompat has no API: it only pins glibc symbol versions when linked (see GlibcCompat.c).
// This header exists because a C target needs a public header directory.
#ifndef FERRY_GLIBC_COMPAT_H
#define FERRY_GLIBC_COMPAT_H
#endif
