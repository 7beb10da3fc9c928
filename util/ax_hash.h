/* ax_hash.h — FNV-1a 64: the checksum of result bits in benchmarks and the
 * key of cached builds. Not for security. */
#ifndef AX_HASH_H
#define AX_HASH_H

#include <stddef.h>
#include <stdint.h>

#define AX_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/* Continues hash h over n more bytes. */
static inline uint64_t ax_fnv1a64_more(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* FNV-1a 64 of n bytes. */
static inline uint64_t ax_fnv1a64(const void *p, size_t n)
{
    return ax_fnv1a64_more(AX_FNV1A64_INIT, p, n);
}

#endif /* AX_HASH_H */
