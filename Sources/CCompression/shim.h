// The C APIs of the codecs Parquet uses: zstd, snappy, lz4, zlib (gzip) and brotli.
#include <zstd.h>
#include <snappy-c.h>
#include <lz4.h>
#include <zlib.h>
#include <brotli/decode.h>
#include <brotli/encode.h>
