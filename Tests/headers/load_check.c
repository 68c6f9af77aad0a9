/* Loads the library given on the command line and calls one export: run from `env -i`, it
 * shows the .so needs no Swift toolchain on the library path (scripts/test-all.sh). */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    const char *(*version)(void) = (const char *(*)(void))dlsym(lib, "WbGetVersionString");
    if (!version) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        return 1;
    }
    printf("loaded %s from a clean environment: winbackup %s\n", argv[1], version());
    return 0;
}
