#include "lake_allocator.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc systems
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void lake_configure_allocator(void) {
#if defined(__GLIBC__)
    // One brk-grown arena: per-thread arenas are 64 MiB heaps that cannot hold column buffers.
    mallopt(M_ARENA_MAX, 1);
    // No mmap (and its page faults on every reuse) for buffers below 1 GiB.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    // Keep freed memory for the next operation instead of returning it to the kernel.
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
