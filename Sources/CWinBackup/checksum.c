/*
 * The XE page checksum's inner loop (reference/ESE-FORMAT.md §3.2), in C because it is the one
 * hot loop of a backup read and C can compile it for AVX2 where the CPU has it, chosen at run
 * time (Swift has no per-function target features). Sources/BackupEngine/Format/ESEChecksum.swift
 * documents the algorithm and keeps the bit-by-bit definition the tests compare these with.
 *
 * X (the xor of the indices of the set bits) is assembled from parities: bits 0-4 from the xor
 * of all dwords; each bit of a dword's index from the xor of the dwords whose index has that bit
 * set. With rows of one vector, a dword's index is (row * lanes + lane): the lane bits come from
 * the column sum, the row bits from a reduction tree, inside each group of 8 rows as the rows
 * stream in (r0, r1, r2), then over the group sums, level by level.
 */
#include "CWinBackup.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline uint32_t parity32(uint32_t v) { return (uint32_t)__builtin_parity(v); }

/* The ECC from X's low bits, the row and lane bits already in `index`, and the xor. */
static inline uint32_t finish(uint32_t x, uint32_t index, size_t n) {
    index |= parity32(x & 0xAAAAAAAAu) | parity32(x & 0xCCCCCCCCu) << 1 | parity32(x & 0xF0F0F0F0u) << 2
           | parity32(x & 0xFF00FF00u) << 3 | parity32(x & 0xFFFF0000u) << 4;
    uint32_t complement = parity32(x) ? 0xFFFFu : 0;
    return (index | (index ^ complement) << 16) & (uint32_t)(((uint64_t)n << 19) - 1);
}

/* ---- 16-byte rows (SSE2 on x86-64; plain vector code elsewhere) ----------------------------- */

typedef uint32_t vec16 __attribute__((vector_size(16)));

static inline uint32_t parity128(vec16 v) {
#if defined(__x86_64__)
    __m128i m = (__m128i)v;
    uint64_t q = (uint64_t)_mm_cvtsi128_si64(m) ^ (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(m, m));
    return (uint32_t)__builtin_parityll(q);
#else
    return parity32(v[0] ^ v[1] ^ v[2] ^ v[3]);
#endif
}

static void xe_parts_128(const unsigned char *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc) {
    vec16 r0 = {0}, r1 = {0}, r2 = {0}, group[64]; /* 8 KiB: 64 groups of 8 rows */
    size_t groups = n / 128;
    for (size_t gi = 0; gi < groups; gi++) {
        const unsigned char *p = block + gi * 128;
        vec16 a, b, t, u, s, odd;
        memcpy(&a, p, 16);
        if (gi == 0 && header_block) { a[0] = 0; a[1] = 0; } /* the stored checksum counts as zero */
        memcpy(&b, p + 16, 16);
        t = a ^ b;
        odd = b;
        memcpy(&a, p + 32, 16);
        memcpy(&b, p + 48, 16);
        u = a ^ b;
        odd ^= b;
        r1 ^= u;
        s = t ^ u; /* rows 0-3 */
        memcpy(&a, p + 64, 16);
        memcpy(&b, p + 80, 16);
        t = a ^ b;
        odd ^= b;
        memcpy(&a, p + 96, 16);
        memcpy(&b, p + 112, 16);
        u = a ^ b;
        odd ^= b;
        r1 ^= u;         /* rows 2, 3, 6, 7 */
        r0 ^= odd;       /* rows 1, 3, 5, 7 */
        r2 ^= t ^ u;     /* rows 4-7 */
        group[gi] = s ^ t ^ u;
    }
    uint32_t index = 0;
    int level = 0;
    for (size_t m = groups; m > 1; m /= 2, level++) {
        vec16 high = {0};
        for (size_t i = 0; i < m / 2; i++) {
            high ^= group[2 * i + 1];
            group[i] = group[2 * i] ^ group[2 * i + 1];
        }
        index |= parity128(high) << (10 + level);
    }
    vec16 column = group[0];
    uint32_t x = column[0] ^ column[1] ^ column[2] ^ column[3];
    index |= parity32(column[1] ^ column[3]) << 5 | parity32(column[2] ^ column[3]) << 6;
    index |= parity128(r0) << 7 | parity128(r1) << 8 | parity128(r2) << 9;
    *out_xor = x;
    *out_ecc = finish(x, index, n);
}

/* ---- 32-byte rows, AVX2 ------------------------------------------------------------------------ */

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_AVX2_KERNEL 1
#define AVX2 __attribute__((target("avx2,popcnt")))

typedef uint32_t vec32 __attribute__((vector_size(32)));

AVX2 static inline uint32_t parity256(vec32 v) {
    __m256i m = (__m256i)v;
    __m128i h = _mm_xor_si128(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    uint64_t q = (uint64_t)_mm_cvtsi128_si64(h) ^ (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(h, h));
    return (uint32_t)__builtin_popcountll(q) & 1;
}

AVX2 static inline uint32_t fold256(vec32 v) {
    __m256i m = (__m256i)v;
    __m128i h = _mm_xor_si128(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    h = _mm_xor_si128(h, _mm_shuffle_epi32(h, 0x4E));
    h = _mm_xor_si128(h, _mm_shuffle_epi32(h, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(h);
}

AVX2 static void xe_parts_256(const unsigned char *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc) {
    vec32 r0 = {0}, r1 = {0}, r2 = {0}, group[32]; /* 8 KiB: 32 groups of 8 rows */
    size_t groups = n / 256;
    for (size_t gi = 0; gi < groups; gi++) {
        const unsigned char *p = block + gi * 256;
        vec32 a, b, t, u, s, odd;
        memcpy(&a, p, 32);
        if (gi == 0 && header_block) { a[0] = 0; a[1] = 0; }
        memcpy(&b, p + 32, 32);
        t = a ^ b;
        odd = b;
        memcpy(&a, p + 64, 32);
        memcpy(&b, p + 96, 32);
        u = a ^ b;
        odd ^= b;
        r1 ^= u;
        s = t ^ u;
        memcpy(&a, p + 128, 32);
        memcpy(&b, p + 160, 32);
        t = a ^ b;
        odd ^= b;
        memcpy(&a, p + 192, 32);
        memcpy(&b, p + 224, 32);
        u = a ^ b;
        odd ^= b;
        r1 ^= u;
        r0 ^= odd;
        r2 ^= t ^ u;
        group[gi] = s ^ t ^ u;
    }
    uint32_t index = 0;
    int level = 0;
    for (size_t m = groups; m > 1; m /= 2, level++) {
        vec32 high = {0};
        for (size_t i = 0; i < m / 2; i++) {
            high ^= group[2 * i + 1];
            group[i] = group[2 * i] ^ group[2 * i + 1];
        }
        index |= parity256(high) << (11 + level);
    }
    vec32 column = group[0];
    const vec32 odd_lanes = {0, ~0u, 0, ~0u, 0, ~0u, 0, ~0u};
    const vec32 lanes_2367 = {0, 0, ~0u, ~0u, 0, 0, ~0u, ~0u};
    const vec32 lanes_4567 = {0, 0, 0, 0, ~0u, ~0u, ~0u, ~0u};
    uint32_t x = fold256(column);
    index |= parity256(column & odd_lanes) << 5 | parity256(column & lanes_2367) << 6
           | parity256(column & lanes_4567) << 7;
    index |= parity256(r0) << 8 | parity256(r1) << 9 | parity256(r2) << 10;
    *out_xor = x;
    *out_ecc = finish(x, index, n);
}

typedef void (*xe_parts_fn)(const unsigned char *, size_t, int, uint32_t *, uint32_t *);

static xe_parts_fn choose(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") ? xe_parts_256 : xe_parts_128;
}
#endif

void wb_xe_parts(const void *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc) {
#ifdef HAVE_AVX2_KERNEL
    static xe_parts_fn chosen; /* a benign race: every thread computes the same value */
    xe_parts_fn fn = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (!fn) {
        fn = choose();
        __atomic_store_n(&chosen, fn, __ATOMIC_RELAXED);
    }
    fn((const unsigned char *)block, n, header_block, out_xor, out_ecc);
#else
    xe_parts_128((const unsigned char *)block, n, header_block, out_xor, out_ecc);
#endif
}

int wb_xe_parts_kernel(int kernel, const void *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc) {
    if (kernel == 0) {
        xe_parts_128((const unsigned char *)block, n, header_block, out_xor, out_ecc);
        return 1;
    }
#ifdef HAVE_AVX2_KERNEL
    if (kernel == 1 && choose() == xe_parts_256) {
        xe_parts_256((const unsigned char *)block, n, header_block, out_xor, out_ecc);
        return 1;
    }
#endif
    return 0;
}
