/*
 * CWinBackup - the C side of the Swift targets: the Windows types (include/wbtypes.h), a few
 * libc calls Swift's Glibc module does not expose (open-file-description locks, crypt_r, atomics
 * on shared memory), and the page-checksum loop (checksum.c), which needs per-function CPU
 * features.
 */
#ifndef CWINBACKUP_H
#define CWINBACKUP_H

#include "../../../include/wbtypes.h"
#include "../../../include/ntdsbcli.h" /* EDB_RSTMAPA/W for DsRestoreRegister */
#include "../../../include/certbcli.h" /* CSEDB_RSTMAPW for CertSrvRestoreRegister */
#include "../../../include/esent.h"    /* JET_RSTMAP_A/W, JET_LOGINFO_A/W, JET_SNPROG */

/* Open-file-description locks over the whole file (fcntl F_OFD_*). Owned by the open file
 * description, so two opens in one process conflict, and the lock dies with the last fd. */
/* Returns 0 on success, else an errno value (EAGAIN/EACCES: held by someone else). */
int wb_ofd_lock(int fd, int exclusive, int wait);
int wb_ofd_unlock(int fd);
/* 1 if another description holds a conflicting lock, 0 if not, -errno on failure. */
int wb_ofd_is_locked(int fd, int exclusive);

/* crypt(3) through crypt_r, so it is thread-safe. */
/* 1 if password matches hash, 0 if not (or hash malformed). */
int wb_crypt_matches(const char *password, const char *hash);
/* Writes a "$6$..." SHA-512 hash of password into out (size cbOut). 0 on success, else errno. */
int wb_crypt_hash(const char *password, char *out, size_t cbOut);

/* The XE checksum of one block of n bytes (1, 2, 4 or 8 KiB): the xor of its dwords and its ECC;
 * in a header block the first 8 bytes (the stored checksum) count as zero. checksum.c. */
void wb_xe_parts(const void *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc);
/* The same with a given kernel (0: 16-byte rows, 1: AVX2), for tests; 0 if the CPU lacks it. */
int wb_xe_parts_kernel(int kernel, const void *block, size_t n, int header_block, uint32_t *out_xor, uint32_t *out_ecc);

/* SHA-256: runs the compression function over `blocks` 64-byte blocks (sha256.c); the
 * _kernel form picks one (0: portable, 1: SHA extensions), for tests; 0 if the CPU lacks it. */
void wb_sha256_blocks(uint32_t state[8], const void *data, size_t blocks);
int wb_sha256_blocks_kernel(int kernel, uint32_t state[8], const void *data, size_t blocks);

/* A spin-wait hint (PAUSE on x86). */
void wb_cpu_relax(void);

/* Atomic 64-bit load and add on shared (mmap'ed) memory. */
uint64_t wb_atomic_load_u64(const uint64_t *p);
uint64_t wb_atomic_add_u64(uint64_t *p, uint64_t v);

/* The call seam's switches (Sources/WinBackup/Trace): 0 until the first exported call reads
 * WINBACKUP_TRACE and WINBACKUP_STRICT, then WB_CALLS_READY plus what they turned on. The hot
 * path of every export is one load of this word. */
#define WB_CALLS_READY 1
#define WB_CALLS_TRACE 2
#define WB_CALLS_STRICT 4
extern int wb_call_flags;
static inline int wb_calls(void) { return __atomic_load_n(&wb_call_flags, __ATOMIC_ACQUIRE); }
/* Runs init once per process (pthread_once); init publishes the flags with wb_set_calls. */
void wb_calls_once(void (*init)(void));
void wb_set_calls(int flags);
/* The exported call this thread is in, so an export that forwards to another (JetTerm to
 * JetTerm2) is observed once, under the name the caller called. wb_call_enter returns 1 for
 * the outermost call (and remembers fn, a static NUL-terminated name), 0 for a nested one. */
int wb_call_enter(const char *fn);
void wb_call_leave(void);
/* The outermost export this thread is in, or NULL. */
const char *wb_current_call(void);
/* The kernel's id of the calling thread. */
int wb_gettid(void);

#endif
