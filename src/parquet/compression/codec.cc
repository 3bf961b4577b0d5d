#include "parquet/compression/codec.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#ifdef EDGEPIPE_WITH_BROTLI
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif

namespace edgepipe::parquet {
namespace {

constexpr int kZstdDefaultLevel = 3;
constexpr int kGzipDefaultLevel = 6;
constexpr int kBrotliDefaultLevel = 8;  // Arrow's default: good ratio, tolerable speed
// gzip wrapper: windowBits 15, +16 writes a gzip header, +32 auto-detects gzip or zlib.
constexpr int kGzipWriteWindowBits = 16 + 15;
constexpr int kGzipReadWindowBits = 32 + 15;
// zlib counts in uInt (32 bits): feed it at most this much per call.
constexpr size_t kZlibMaxChunk = size_t{1} << 30;
// Bytes decoded past a full output buffer to prove a stream is too long.
constexpr size_t kProbeSize = 64;

std::string Sizes(size_t actual, size_t expected) {
  return std::to_string(actual) + " bytes, page header says " + std::to_string(expected);
}

Status SizeMismatch(Codec codec, size_t actual, size_t expected) {
  return Status::Corruption(std::string(CodecName(codec)) + ": stream decodes to " +
                            Sizes(actual, expected));
}

Status TooLong(Codec codec, size_t expected) {
  return Status::Corruption(std::string(CodecName(codec)) +
                            ": stream decodes to more than the " + std::to_string(expected) +
                            " bytes the page header says");
}

Status Unsupported(Codec codec) {
  return Status::NotSupported(std::string("compression codec ") +
                              std::string(CodecName(codec)) +
                              " is not supported by this build");
}

uint32_t LoadBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void StoreBigEndian32(uint32_t v, uint8_t* p) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// ---------------------------------------------------------------- contexts
// One context of each kind per thread: creating a zstd context costs more
// than decoding a small page, and readers decode hundreds of pages per file.

struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};
struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* ctx) const { ZSTD_freeCCtx(ctx); }
};

ZSTD_DCtx* ThreadZstdDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

ZSTD_CCtx* ThreadZstdCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}

class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (initialized_) inflateEnd(&stream_);
  }
  // A stream ready for a new gzip member, or nullptr when out of memory.
  z_stream* Reset() {
    if (!initialized_) {
      std::memset(&stream_, 0, sizeof(stream_));
      if (inflateInit2(&stream_, kGzipReadWindowBits) != Z_OK) return nullptr;
      initialized_ = true;
    } else if (inflateReset(&stream_) != Z_OK) {
      return nullptr;
    }
    return &stream_;
  }

 private:
  z_stream stream_;
  bool initialized_ = false;
};

class Deflater {
 public:
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    if (level_ >= 0) deflateEnd(&stream_);
  }
  z_stream* Reset(int level) {
    if (level_ == level) {
      if (deflateReset(&stream_) == Z_OK) return &stream_;
    }
    if (level_ >= 0) deflateEnd(&stream_);
    level_ = -1;
    std::memset(&stream_, 0, sizeof(stream_));
    if (deflateInit2(&stream_, level, Z_DEFLATED, kGzipWriteWindowBits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return nullptr;
    }
    level_ = level;
    return &stream_;
  }

 private:
  z_stream stream_;
  int level_ = -1;  // -1: not initialized
};

// ------------------------------------------------------------- decompress

Status DecompressUncompressed(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  if (in_size != expected) return SizeMismatch(Codec::kUncompressed, in_size, expected);
  std::memcpy(out, in, in_size);
  return Status::OK();
}

Status DecompressSnappy(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  const char* src = reinterpret_cast<const char*>(in);
  size_t declared = 0;
  if (!snappy::GetUncompressedLength(src, in_size, &declared)) {
    return Status::Corruption("snappy: malformed length preamble at byte 0");
  }
  // Checked before decoding: snappy writes exactly the length it declares.
  if (declared != expected) {
    return Status::Corruption("snappy: stream declares " + Sizes(declared, expected));
  }
  if (!snappy::RawUncompress(src, in_size, reinterpret_cast<char*>(out))) {
    return Status::Corruption("snappy: malformed or truncated stream of " +
                              std::to_string(in_size) + " bytes");
  }
  return Status::OK();
}

Status DecompressGzip(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  thread_local Inflater inflater;
  z_stream* zs = inflater.Reset();
  if (zs == nullptr) return Status::OutOfMemory("gzip: cannot allocate an inflate stream");

  const uint8_t* ip = in;
  size_t in_left = in_size;
  uint8_t* op = out;
  size_t out_left = expected;
  uint8_t probe[kProbeSize];
  for (;;) {
    const bool probing = out_left == 0;
    const uInt in_chunk = static_cast<uInt>(std::min(in_left, kZlibMaxChunk));
    const uInt out_chunk =
        probing ? static_cast<uInt>(kProbeSize) : static_cast<uInt>(std::min(out_left, kZlibMaxChunk));
    zs->next_in = const_cast<Bytef*>(ip);
    zs->avail_in = in_chunk;
    zs->next_out = probing ? probe : op;
    zs->avail_out = out_chunk;
    const int rc = inflate(zs, Z_NO_FLUSH);
    const size_t consumed = in_chunk - zs->avail_in;
    const size_t produced = out_chunk - zs->avail_out;
    ip += consumed;
    in_left -= consumed;
    if (probing) {
      if (produced > 0) return TooLong(Codec::kGzip, expected);
    } else {
      op += produced;
      out_left -= produced;
    }
    if (rc == Z_STREAM_END) {
      if (in_left == 0) break;
      // Another gzip member follows (concatenated members are one stream).
      if (inflateReset(zs) != Z_OK) return Status::Internal("gzip: inflateReset failed");
      continue;
    }
    if (rc == Z_OK) continue;  // zlib made progress
    if (rc == Z_BUF_ERROR && in_left == 0) {
      return Status::Corruption("gzip: stream truncated after " +
                                std::to_string(expected - out_left) + " decoded bytes (" +
                                std::to_string(in_size) + " input bytes, page header says " +
                                std::to_string(expected) + ")");
    }
    if (rc == Z_MEM_ERROR) return Status::OutOfMemory("gzip: out of memory while inflating");
    return Status::Corruption(std::string("gzip: ") + (zs->msg ? zs->msg : "invalid stream") +
                              " at input byte " + std::to_string(in_size - in_left));
  }
  if (out_left != 0) return SizeMismatch(Codec::kGzip, expected - out_left, expected);
  return Status::OK();
}

Status DecompressZstd(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  ZSTD_DCtx* dctx = ThreadZstdDCtx();
  if (dctx == nullptr) return Status::OutOfMemory("zstd: cannot allocate a decompression context");
  // Decodes every frame of the input into [out, out+expected) and fails rather
  // than write past it, so a frame declaring a huge size cannot expand.
  const size_t n = ZSTD_decompressDCtx(dctx, out, expected, in, in_size);
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
      const unsigned long long declared = ZSTD_getFrameContentSize(in, in_size);
      if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
          declared > expected) {
        return Status::Corruption("zstd: frame decodes to " +
                                  Sizes(static_cast<size_t>(declared), expected));
      }
      return TooLong(Codec::kZstd, expected);
    }
    return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n) + " (" +
                              std::to_string(in_size) + " input bytes)");
  }
  if (n != expected) return SizeMismatch(Codec::kZstd, n, expected);
  return Status::OK();
}

Status CheckLz4Sizes(Codec codec, size_t in_size, size_t expected) {
  if (in_size > static_cast<size_t>(INT_MAX) || expected > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument(std::string(CodecName(codec)) +
                                   ": blocks over 2 GiB are not supported");
  }
  return Status::OK();
}

Status DecompressLz4Raw(Codec codec, const uint8_t* in, size_t in_size, uint8_t* out,
                        size_t expected) {
  RETURN_NOT_OK(CheckLz4Sizes(codec, in_size, expected));
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                    static_cast<int>(in_size), static_cast<int>(expected));
  if (n < 0) {
    // LZ4 returns -(position of the failing input byte) - 1 and cannot tell a
    // malformed block from one that decodes past the buffer.
    return Status::Corruption(std::string(CodecName(codec)) +
                              ": malformed block, or it decodes to more than " +
                              std::to_string(expected) + " bytes (page header size); error at input byte " +
                              std::to_string(-(n + 1)) + " of " + std::to_string(in_size));
  }
  if (static_cast<size_t>(n) != expected) {
    return SizeMismatch(codec, static_cast<size_t>(n), expected);
  }
  return Status::OK();
}

// Hadoop's BlockCompressorStream framing: repeated [u32 BE raw size][u32 BE
// compressed size][LZ4 block]. True only if the whole input parses as such
// frames and they fill the buffer exactly.
bool TryDecompressLz4Hadoop(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  size_t pos = 0;
  size_t produced = 0;
  while (in_size - pos >= 8) {
    const uint32_t raw_size = LoadBigEndian32(in + pos);
    const uint32_t block_size = LoadBigEndian32(in + pos + 4);
    pos += 8;
    if (block_size > in_size - pos || raw_size > expected - produced ||
        block_size > static_cast<uint32_t>(INT_MAX) || raw_size > static_cast<uint32_t>(INT_MAX)) {
      return false;
    }
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in + pos),
                                      reinterpret_cast<char*>(out + produced),
                                      static_cast<int>(block_size), static_cast<int>(raw_size));
    if (n < 0 || static_cast<uint32_t>(n) != raw_size) return false;
    pos += block_size;
    produced += raw_size;
  }
  return pos == in_size && produced == expected;
}

Status DecompressLz4Hadoop(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  RETURN_NOT_OK(CheckLz4Sizes(Codec::kLz4Hadoop, in_size, expected));
  if (TryDecompressLz4Hadoop(in, in_size, out, expected)) return Status::OK();
  // Some writers labelled bare LZ4 blocks as LZ4; the failed attempt may have
  // written part of `out`, which the fallback overwrites.
  return DecompressLz4Raw(Codec::kLz4Hadoop, in, in_size, out, expected);
}

#ifdef EDGEPIPE_WITH_BROTLI
Status DecompressBrotli(const uint8_t* in, size_t in_size, uint8_t* out, size_t expected) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!state) return Status::OutOfMemory("brotli: cannot allocate a decoder");
  const uint8_t* next_in = in;
  size_t avail_in = in_size;
  uint8_t* next_out = out;
  size_t avail_out = expected;
  uint8_t probe[kProbeSize];
  bool probing = false;
  for (;;) {
    const BrotliDecoderResult r =
        BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    if (probing && avail_out != kProbeSize) return TooLong(Codec::kBrotli, expected);
    if (r == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      // The buffer is full and the decoder wants to go on: one probe round
      // tells whether it really has more bytes.
      if (probing) return TooLong(Codec::kBrotli, expected);
      probing = true;
      next_out = probe;
      avail_out = kProbeSize;
      continue;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
      return Status::Corruption("brotli: stream truncated after " +
                                std::to_string(expected - (probing ? 0 : avail_out)) +
                                " decoded bytes (" + std::to_string(in_size) +
                                " input bytes, page header says " + std::to_string(expected) + ")");
    }
    return Status::Corruption(std::string("brotli: ") +
                              BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())) +
                              " at input byte " + std::to_string(in_size - avail_in));
  }
  if (avail_in != 0) {
    return Status::Corruption("brotli: " + std::to_string(avail_in) +
                              " bytes of trailing data after the end of the stream at input byte " +
                              std::to_string(in_size - avail_in));
  }
  const size_t produced = probing ? expected : expected - avail_out;
  if (produced != expected) return SizeMismatch(Codec::kBrotli, produced, expected);
  return Status::OK();
}
#endif

// --------------------------------------------------------------- compress

Status CheckLevel(Codec codec, int level, int lo, int hi) {
  if (level < lo || level > hi) {
    return Status::InvalidArgument(std::string(CodecName(codec)) + ": compression level " +
                                   std::to_string(level) + " is outside [" + std::to_string(lo) +
                                   ", " + std::to_string(hi) + "]");
  }
  return Status::OK();
}

Status CompressSnappy(const uint8_t* in, size_t in_size, std::vector<uint8_t>* out) {
  const size_t base = out->size();
  out->resize(base + snappy::MaxCompressedLength(in_size));
  size_t n = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(in), in_size,
                      reinterpret_cast<char*>(out->data() + base), &n);
  out->resize(base + n);
  return Status::OK();
}

Status CompressGzip(const uint8_t* in, size_t in_size, std::vector<uint8_t>* out, int level) {
  if (level < 0) level = kGzipDefaultLevel;
  RETURN_NOT_OK(CheckLevel(Codec::kGzip, level, 0, 9));
  thread_local Deflater deflater;
  z_stream* zs = deflater.Reset(level);
  if (zs == nullptr) return Status::OutOfMemory("gzip: cannot allocate a deflate stream");
  const size_t base = out->size();
  const size_t bound = deflateBound(zs, static_cast<uLong>(in_size));
  out->resize(base + bound);
  const uint8_t* ip = in;
  size_t in_left = in_size;
  uint8_t* op = out->data() + base;
  size_t out_left = bound;
  for (;;) {
    const uInt in_chunk = static_cast<uInt>(std::min(in_left, kZlibMaxChunk));
    const uInt out_chunk = static_cast<uInt>(std::min(out_left, kZlibMaxChunk));
    zs->next_in = const_cast<Bytef*>(ip);
    zs->avail_in = in_chunk;
    zs->next_out = op;
    zs->avail_out = out_chunk;
    const int rc = deflate(zs, in_left == in_chunk ? Z_FINISH : Z_NO_FLUSH);
    ip += in_chunk - zs->avail_in;
    in_left -= in_chunk - zs->avail_in;
    op += out_chunk - zs->avail_out;
    out_left -= out_chunk - zs->avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out->resize(base);
      return Status::Internal("gzip: deflate failed with code " + std::to_string(rc));
    }
    if (out_left == 0) {
      out->resize(base);
      return Status::Internal("gzip: output exceeded deflateBound");
    }
  }
  out->resize(base + (bound - out_left));
  return Status::OK();
}

Status CompressZstd(const uint8_t* in, size_t in_size, std::vector<uint8_t>* out, int level) {
  if (level < 0) level = kZstdDefaultLevel;
  RETURN_NOT_OK(CheckLevel(Codec::kZstd, level, 0, ZSTD_maxCLevel()));
  ZSTD_CCtx* cctx = ThreadZstdCCtx();
  if (cctx == nullptr) return Status::OutOfMemory("zstd: cannot allocate a compression context");
  const size_t base = out->size();
  out->resize(base + ZSTD_compressBound(in_size));
  const size_t n = ZSTD_compressCCtx(cctx, out->data() + base, out->size() - base, in, in_size, level);
  if (ZSTD_isError(n)) {
    out->resize(base);
    return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out->resize(base + n);
  return Status::OK();
}

// Appends one bare LZ4 block; returns its size through *block_size.
Status AppendLz4Block(Codec codec, const uint8_t* in, size_t in_size, std::vector<uint8_t>* out,
                      size_t* block_size) {
  if (in_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::InvalidArgument(std::string(CodecName(codec)) + ": input of " +
                                   std::to_string(in_size) + " bytes exceeds LZ4's block limit");
  }
  const int bound = LZ4_compressBound(static_cast<int>(in_size));
  const size_t base = out->size();
  out->resize(base + static_cast<size_t>(bound));
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(in),
                                     reinterpret_cast<char*>(out->data() + base),
                                     static_cast<int>(in_size), bound);
  if (n <= 0) {
    out->resize(base);
    return Status::Internal(std::string(CodecName(codec)) + ": LZ4_compress_default failed");
  }
  out->resize(base + static_cast<size_t>(n));
  *block_size = static_cast<size_t>(n);
  return Status::OK();
}

Status CompressLz4Hadoop(const uint8_t* in, size_t in_size, std::vector<uint8_t>* out) {
  const size_t base = out->size();
  out->resize(base + 8);
  size_t block_size = 0;
  Status st = AppendLz4Block(Codec::kLz4Hadoop, in, in_size, out, &block_size);
  if (!st.ok()) {
    out->resize(base);
    return st;
  }
  // Both sizes fit: AppendLz4Block bounds the input by LZ4_MAX_INPUT_SIZE.
  StoreBigEndian32(static_cast<uint32_t>(in_size), out->data() + base);
  StoreBigEndian32(static_cast<uint32_t>(block_size), out->data() + base + 4);
  return Status::OK();
}

#ifdef EDGEPIPE_WITH_BROTLI
Status CompressBrotli(const uint8_t* in, size_t in_size, std::vector<uint8_t>* out, int level) {
  if (level < 0) level = kBrotliDefaultLevel;
  RETURN_NOT_OK(CheckLevel(Codec::kBrotli, level, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY));
  const size_t base = out->size();
  size_t n = MaxCompressedSize(Codec::kBrotli, in_size);
  out->resize(base + n);
  if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in_size, in, &n,
                             out->data() + base)) {
    out->resize(base);
    return Status::Internal("brotli: BrotliEncoderCompress failed");
  }
  out->resize(base + n);
  return Status::OK();
}
#endif

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed: return "uncompressed";
    case Codec::kSnappy: return "snappy";
    case Codec::kGzip: return "gzip";
    case Codec::kZstd: return "zstd";
    case Codec::kLz4Raw: return "lz4_raw";
    case Codec::kLz4Hadoop: return "lz4_hadoop";
    case Codec::kBrotli: return "brotli";
    case Codec::kLzo: return "lzo";
  }
  return "unknown";
}

Result<Codec> CodecFromParquet(int32_t thrift_value) {
  switch (thrift_value) {
    case 0: return Codec::kUncompressed;
    case 1: return Codec::kSnappy;
    case 2: return Codec::kGzip;
    case 3: return Codec::kLzo;
    case 4: return Codec::kBrotli;
    case 5: return Codec::kLz4Hadoop;
    case 6: return Codec::kZstd;
    case 7: return Codec::kLz4Raw;
    default: break;
  }
  return Status::Corruption("unknown Parquet compression codec " + std::to_string(thrift_value) +
                            " (expected 0..7)");
}

int32_t CodecToParquet(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed: return 0;
    case Codec::kSnappy: return 1;
    case Codec::kGzip: return 2;
    case Codec::kLzo: return 3;
    case Codec::kBrotli: return 4;
    case Codec::kLz4Hadoop: return 5;
    case Codec::kZstd: return 6;
    case Codec::kLz4Raw: return 7;
  }
  return 0;
}

bool CodecIsSupported(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
    case Codec::kSnappy:
    case Codec::kGzip:
    case Codec::kZstd:
    case Codec::kLz4Raw:
    case Codec::kLz4Hadoop:
      return true;
    case Codec::kBrotli:
#ifdef EDGEPIPE_WITH_BROTLI
      return true;
#else
      return false;
#endif
    case Codec::kLzo:
      return false;
  }
  return false;
}

Status Decompress(Codec codec, const uint8_t* in, size_t in_size, uint8_t* out,
                  size_t uncompressed_size) {
  if (!CodecIsSupported(codec)) return Unsupported(codec);
  if ((in == nullptr && in_size > 0) || (out == nullptr && uncompressed_size > 0)) {
    return Status::InvalidArgument("Decompress: null buffer with a non-zero size");
  }
  if (in_size == 0) {
    if (uncompressed_size == 0) return Status::OK();
    return Status::Corruption(std::string(CodecName(codec)) +
                              ": empty compressed page, page header says " +
                              std::to_string(uncompressed_size) + " bytes");
  }
  switch (codec) {
    case Codec::kUncompressed: return DecompressUncompressed(in, in_size, out, uncompressed_size);
    case Codec::kSnappy: return DecompressSnappy(in, in_size, out, uncompressed_size);
    case Codec::kGzip: return DecompressGzip(in, in_size, out, uncompressed_size);
    case Codec::kZstd: return DecompressZstd(in, in_size, out, uncompressed_size);
    case Codec::kLz4Raw: return DecompressLz4Raw(Codec::kLz4Raw, in, in_size, out, uncompressed_size);
    case Codec::kLz4Hadoop: return DecompressLz4Hadoop(in, in_size, out, uncompressed_size);
#ifdef EDGEPIPE_WITH_BROTLI
    case Codec::kBrotli: return DecompressBrotli(in, in_size, out, uncompressed_size);
#endif
    default: break;
  }
  return Unsupported(codec);
}

Status Compress(Codec codec, const uint8_t* in, size_t in_size, std::vector<uint8_t>* out,
                int level) {
  if (!CodecIsSupported(codec)) return Unsupported(codec);
  if (out == nullptr || (in == nullptr && in_size > 0)) {
    return Status::InvalidArgument("Compress: null buffer");
  }
  switch (codec) {
    case Codec::kUncompressed:
      out->insert(out->end(), in, in + in_size);
      return Status::OK();
    case Codec::kSnappy: return CompressSnappy(in, in_size, out);
    case Codec::kGzip: return CompressGzip(in, in_size, out, level);
    case Codec::kZstd: return CompressZstd(in, in_size, out, level);
    case Codec::kLz4Raw: {
      size_t block_size = 0;
      return AppendLz4Block(Codec::kLz4Raw, in, in_size, out, &block_size);
    }
    case Codec::kLz4Hadoop: return CompressLz4Hadoop(in, in_size, out);
#ifdef EDGEPIPE_WITH_BROTLI
    case Codec::kBrotli: return CompressBrotli(in, in_size, out, level);
#endif
    default: break;
  }
  return Unsupported(codec);
}

size_t MaxCompressedSize(Codec codec, size_t in_size) {
  switch (codec) {
    case Codec::kUncompressed: return in_size;
    case Codec::kSnappy: return snappy::MaxCompressedLength(in_size);
    // compressBound covers a 6-byte zlib wrapper at any level; gzip's is 18.
    case Codec::kGzip: return compressBound(static_cast<uLong>(in_size)) + 12;
    case Codec::kZstd: return ZSTD_compressBound(in_size);
    case Codec::kLz4Raw:
    case Codec::kLz4Hadoop: {
      if (in_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return 0;
      const size_t block = static_cast<size_t>(LZ4_compressBound(static_cast<int>(in_size)));
      return codec == Codec::kLz4Hadoop ? block + 8 : block;
    }
    case Codec::kBrotli:
#ifdef EDGEPIPE_WITH_BROTLI
    {
      const size_t bound = BrotliEncoderMaxCompressedSize(in_size);
      // 0 means the bound overflows; brotli's worst case stays below this.
      return bound != 0 ? bound : in_size + (in_size >> 2) + 1024;
    }
#else
      return 0;
#endif
    case Codec::kLzo: return 0;
  }
  return 0;
}

}  // namespace edgepipe::parquet
