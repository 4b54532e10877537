#ifndef LAKE_ALLOCATOR_H
#define LAKE_ALLOCATOR_H

/// Tunes glibc's malloc for large column buffers (see Allocator.swift in the lake executable).
/// Does nothing where the C library is not glibc.
void lake_configure_allocator(void);

#endif
