import CAllocator

/// Tunes glibc's allocator for a columnar engine, once, before any work.
///
/// Column buffers are tens of megabytes. With glibc's defaults every buffer over 32 MiB is a fresh
/// `mmap` (zeroed by the kernel and page-faulted in on first write) and every buffer a worker thread
/// allocates lives in a 64 MiB per-thread arena, which cannot hold such buffers either, so they are
/// mmapped too. Profiles of filter, scan and checkpoint loads spent 30–50% of their time in those page
/// faults. One arena that grows with `brk`, no mmap below 1 GiB and no trimming keep freed buffers in
/// the process for the next operation, as jemalloc and mimalloc (which polars and delta-rs use) do.
/// Small allocations still go through glibc's per-thread caches, so threads rarely meet on the lock.
enum Allocator {
    /// Applies the settings; call first in `main`.
    static func configure() {
        lake_configure_allocator()
    }
}
