/*
 * SHA-256 compression (FIPS 180-4) for BackupEngine's SHA256 (Sources/BackupEngine/Util/SHA256.swift
 * keeps the padding and the interface). C, as checksum.c is, so it can use the x86 SHA
 * extensions where the CPU has them, chosen at run time; the portable version elsewhere.
 * Manifests, content digests and server creation hash every byte of a database.
 */
#include "CWinBackup.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_portable(uint32_t state[8], const unsigned char *data, size_t blocks) {
    for (; blocks > 0; blocks--, data += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++) {
            w[i] = (uint32_t)data[4 * i] << 24 | (uint32_t)data[4 * i + 1] << 16 | (uint32_t)data[4 * i + 2] << 8
                 | (uint32_t)data[4 * i + 3];
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HAVE_SHA_NI 1
#define SHA_NI __attribute__((target("sha,sse4.1,ssse3")))

/* The SHA extensions keep the state as ABEF and CDGH; four rounds at a time take four message
 * words W[4j..4j+3] plus the round constants. Words 16..63 come from the last four vectors:
 * M[j] = msg2(msg1(M[j-4], M[j-3]) + alignr(M[j-1], M[j-2], 4), M[j-1]). */
SHA_NI static void sha256_ni(uint32_t state[8], const unsigned char *data, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; blocks > 0; blocks--, data += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i m[4];
        for (int j = 0; j < 16; j++) {
            __m128i w;
            if (j < 4) {
                w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * j)), byteswap);
            } else {
                __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(m[(j - 4) & 3], m[(j - 3) & 3]),
                                          _mm_alignr_epi8(m[(j - 1) & 3], m[(j - 2) & 3], 4));
                w = _mm_sha256msg2_epu32(t, m[(j - 1) & 3]);
            }
            m[j & 3] = w;
            __m128i k = _mm_loadu_si128((const __m128i *)&K[4 * j]);
            __m128i wk = _mm_add_epi32(w, k);
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    /* Back to A..H order. */
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

typedef void (*sha256_fn)(uint32_t *, const unsigned char *, size_t);

static sha256_fn choose(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3")
               ? sha256_ni : sha256_portable;
}
#endif

void wb_sha256_blocks(uint32_t state[8], const void *data, size_t blocks) {
#ifdef HAVE_SHA_NI
    static sha256_fn chosen; /* a benign race: every thread computes the same value */
    sha256_fn fn = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (!fn) {
        fn = choose();
        __atomic_store_n(&chosen, fn, __ATOMIC_RELAXED);
    }
    fn(state, (const unsigned char *)data, blocks);
#else
    sha256_portable(state, (const unsigned char *)data, blocks);
#endif
}

int wb_sha256_blocks_kernel(int kernel, uint32_t state[8], const void *data, size_t blocks) {
    if (kernel == 0) {
        sha256_portable(state, (const unsigned char *)data, blocks);
        return 1;
    }
#ifdef HAVE_SHA_NI
    if (kernel == 1 && choose() == sha256_ni) {
        sha256_ni(state, (const unsigned char *)data, blocks);
        return 1;
    }
#endif
    return 0;
}
