/* libc calls for the Swift targets; see include/CWinBackup.h. */
#define _GNU_SOURCE
#include "CWinBackup.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int ofd(int fd, int cmd, short type) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0; /* the whole file */
    for (;;) {
        if (fcntl(fd, cmd, &fl) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

int wb_ofd_lock(int fd, int exclusive, int wait) {
    return ofd(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, exclusive ? F_WRLCK : F_RDLCK);
}

int wb_ofd_unlock(int fd) { return ofd(fd, F_OFD_SETLK, F_UNLCK); }

int wb_ofd_is_locked(int fd, int exclusive) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) return -errno;
    return fl.l_type != F_UNLCK;
}

int wb_crypt_matches(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data) return 0;
    const char *got = crypt_r(password, hash, data);
    int ok = got && got[0] != '*' && strcmp(got, hash) == 0;
    free(data);
    return ok;
}

int wb_crypt_hash(const char *password, char *out, size_t cbOut) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt)) return errno ? errno : EINVAL;
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data) return ENOMEM;
    const char *got = crypt_r(password, salt, data);
    int err = 0;
    if (!got || got[0] == '*') err = EINVAL;
    else if (strlen(got) + 1 > cbOut) err = ERANGE;
    else strcpy(out, got);
    free(data);
    return err;
}

uint64_t wb_atomic_load_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
uint64_t wb_atomic_add_u64(uint64_t *p, uint64_t v) { return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }

void wb_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

int wb_call_flags;

static pthread_once_t calls_once = PTHREAD_ONCE_INIT;

void wb_calls_once(void (*init)(void)) { pthread_once(&calls_once, init); }

void wb_set_calls(int flags) { __atomic_store_n(&wb_call_flags, flags, __ATOMIC_RELEASE); }

static _Thread_local int call_depth;
static _Thread_local const char *current_call;

int wb_call_enter(const char *fn) {
    if (call_depth++ > 0) return 0;
    current_call = fn;
    return 1;
}

void wb_call_leave(void) {
    if (--call_depth == 0) current_call = NULL;
}

const char *wb_current_call(void) { return current_call; }

int wb_gettid(void) { return (int)syscall(SYS_gettid); }
