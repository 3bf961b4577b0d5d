#pragma once
// Page compression codecs for Parquet (the CompressionCodec enum of
// parquet.thrift). Stateless free functions: safe to call from any number of
// threads at once; per-thread decoder/encoder contexts are reused internally so
// decoding hundreds of small pages does not pay a context set-up per page.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Our own numbering: NOT the CompressionCodec values of parquet.thrift; convert
// with CodecFromParquet / CodecToParquet.
enum class Codec : uint8_t {
  kUncompressed,
  kSnappy,
  kGzip,  // zlib deflate in a gzip wrapper; concatenated members are accepted
  kZstd,
  kLz4Raw,  // LZ4_RAW: one bare LZ4 block
  // Legacy LZ4: Hadoop framing ([u32 BE raw size][u32 BE compressed size][LZ4
  // block], repeated); falls back to a bare LZ4 block when the framing does not
  // parse, as Arrow does, because old writers used either.
  kLz4Hadoop,
  kBrotli,  // NotSupported unless built with libbrotli (CodecIsSupported says)
  kLzo,     // not supported: always NotSupported
};

// "snappy", "lz4_hadoop", ... for messages.
std::string_view CodecName(Codec codec);

// parquet.thrift CompressionCodec (UNCOMPRESSED=0, SNAPPY=1, GZIP=2, LZO=3,
// BROTLI=4, LZ4=5 (Hadoop framing), ZSTD=6, LZ4_RAW=7) to Codec; any other
// value is Corruption.
Result<Codec> CodecFromParquet(int32_t thrift_value);
int32_t CodecToParquet(Codec codec);

// True when this build can compress and decompress `codec`.
bool CodecIsSupported(Codec codec);

// Decompresses `in` into `out`, which holds exactly `uncompressed_size` bytes
// (the caller sized it from the page header and has bounded that size).
// Never writes past out + uncompressed_size. Malformed input, or a stream that
// decodes to fewer or more bytes than `uncompressed_size`, is Corruption
// ("zstd: frame decodes to 70000 bytes, page header says 65536"); a stream
// that would produce more stops as soon as the buffer is full (no
// decompression bombs). Empty input with uncompressed_size 0 is accepted for
// every supported codec. Unsupported codecs give NotSupported.
Status Decompress(Codec codec, const uint8_t* in, size_t in_size, uint8_t* out,
                  size_t uncompressed_size);

// Appends the compressed form of `in` to `*out` (existing contents are kept).
// `level` is codec-specific; < 0 means the codec's default (zstd 3, gzip 6,
// brotli 8); it is ignored by snappy and lz4. An out-of-range level is
// InvalidArgument.
Status Compress(Codec codec, const uint8_t* in, size_t in_size, std::vector<uint8_t>* out,
                int level = -1);

// Upper bound of the bytes Compress appends for `in_size` input bytes
// (0 for unsupported codecs).
size_t MaxCompressedSize(Codec codec, size_t in_size);

}  // namespace edgepipe::parquet
