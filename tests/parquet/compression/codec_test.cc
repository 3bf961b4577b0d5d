#include "parquet/compression/codec.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <zstd.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "edgepipe/core/subprocess.h"

namespace edgepipe::parquet {
namespace {

constexpr size_t kGuard = 64;
constexpr uint8_t kGuardByte = 0xA5;

const size_t kSizes[] = {0,    1,    7,    8,     15,    16,    31,    32,      127, 128, 129,
                         1023, 1024, 1025, 4095, 65535, 65536, 65537, 1u << 20};

enum class DataKind { kRandom, kText, kZeros };

std::vector<uint8_t> MakeData(DataKind kind, size_t size, uint32_t seed) {
  std::vector<uint8_t> data(size);
  std::mt19937 rng(seed);
  switch (kind) {
    case DataKind::kRandom:
      for (auto& b : data) b = static_cast<uint8_t>(rng());
      break;
    case DataKind::kText: {
      // Words from a small vocabulary: compressible but not trivially so.
      static const char* kWords[] = {"imu ", "accel ", "gyro ", "1.2345 ", "-0.5 ", "sensor_7 ",
                                     "\n", "temp ", "9.81 "};
      size_t pos = 0;
      while (pos < size) {
        const char* w = kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
        for (size_t i = 0; w[i] != '\0' && pos < size; ++i) data[pos++] = static_cast<uint8_t>(w[i]);
      }
      break;
    }
    case DataKind::kZeros:
      break;
  }
  return data;
}

const char* KindName(DataKind kind) {
  switch (kind) {
    case DataKind::kRandom: return "random";
    case DataKind::kText: return "text";
    case DataKind::kZeros: return "zeros";
  }
  return "?";
}

// The codecs this build supports (brotli only with libbrotli).
std::vector<Codec> SupportedCodecs() {
  std::vector<Codec> codecs;
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw,
                  Codec::kLz4Hadoop, Codec::kBrotli}) {
    if (CodecIsSupported(c)) codecs.push_back(c);
  }
  return codecs;
}

// An output buffer of `size` bytes with guard bytes on both sides, to catch
// writes past either end.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t size) : size_(size), storage_(size + 2 * kGuard, kGuardByte) {}
  uint8_t* data() { return storage_.data() + kGuard; }
  size_t size() const { return size_; }
  bool GuardsIntact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (storage_[i] != kGuardByte || storage_[kGuard + size_ + i] != kGuardByte) return false;
    }
    return true;
  }
  std::vector<uint8_t> Contents() const {
    return std::vector<uint8_t>(storage_.begin() + kGuard, storage_.begin() + kGuard + size_);
  }

 private:
  size_t size_;
  std::vector<uint8_t> storage_;
};

std::vector<uint8_t> CompressOrDie(Codec codec, const std::vector<uint8_t>& in, int level = -1) {
  std::vector<uint8_t> out;
  Status st = Compress(codec, in.data(), in.size(), &out, level);
  EXPECT_TRUE(st.ok()) << CodecName(codec) << ": " << st.ToString();
  return out;
}

Status DecompressInto(Codec codec, const std::vector<uint8_t>& in, GuardedBuffer* buf) {
  return Decompress(codec, in.data(), in.size(), buf->data(), buf->size());
}

// ------------------------------------------------------------ round trips

TEST(CodecTest, RoundTripEveryCodecSizeAndKind) {
  for (Codec codec : SupportedCodecs()) {
    for (DataKind kind : {DataKind::kRandom, DataKind::kText, DataKind::kZeros}) {
      for (size_t size : kSizes) {
        const uint32_t seed = static_cast<uint32_t>(size * 31 + static_cast<size_t>(kind));
        SCOPED_TRACE(std::string(CodecName(codec)) + " " + KindName(kind) + " size=" +
                     std::to_string(size) + " seed=" + std::to_string(seed));
        const std::vector<uint8_t> data = MakeData(kind, size, seed);
        const std::vector<uint8_t> compressed = CompressOrDie(codec, data);
        EXPECT_LE(compressed.size(), MaxCompressedSize(codec, size));
        GuardedBuffer buf(size);
        Status st = DecompressInto(codec, compressed, &buf);
        ASSERT_TRUE(st.ok()) << st.ToString();
        EXPECT_TRUE(buf.GuardsIntact());
        EXPECT_EQ(buf.Contents(), data);
      }
    }
  }
}

TEST(CodecTest, CompressedTextIsSmaller) {
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 65536, 7);
  for (Codec codec : SupportedCodecs()) {
    if (codec == Codec::kUncompressed) continue;
    EXPECT_LT(CompressOrDie(codec, data).size(), data.size() / 2) << CodecName(codec);
  }
}

TEST(CodecTest, CompressAppendsAfterExistingBytes) {
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 5000, 3);
  for (Codec codec : SupportedCodecs()) {
    SCOPED_TRACE(std::string(CodecName(codec)));
    std::vector<uint8_t> out = {1, 2, 3};
    ASSERT_TRUE(Compress(codec, data.data(), data.size(), &out).ok());
    ASSERT_GT(out.size(), 3u);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 2);
    EXPECT_EQ(out[2], 3);
    GuardedBuffer buf(data.size());
    ASSERT_TRUE(Decompress(codec, out.data() + 3, out.size() - 3, buf.data(), buf.size()).ok());
    EXPECT_EQ(buf.Contents(), data);
  }
}

TEST(CodecTest, LevelsRoundTripAndOutOfRangeIsInvalidArgument) {
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 70000, 11);
  struct Case {
    Codec codec;
    std::vector<int> good;
    std::vector<int> bad;
  };
  std::vector<Case> cases = {{Codec::kZstd, {0, 1, 3, 19, ZSTD_maxCLevel()}, {ZSTD_maxCLevel() + 1}},
                             {Codec::kGzip, {0, 1, 6, 9}, {10, 100}}};
  if (CodecIsSupported(Codec::kBrotli)) cases.push_back({Codec::kBrotli, {0, 5, 11}, {12}});
  for (const Case& c : cases) {
    for (int level : c.good) {
      SCOPED_TRACE(std::string(CodecName(c.codec)) + " level " + std::to_string(level));
      const std::vector<uint8_t> compressed = CompressOrDie(c.codec, data, level);
      GuardedBuffer buf(data.size());
      ASSERT_TRUE(DecompressInto(c.codec, compressed, &buf).ok());
      EXPECT_EQ(buf.Contents(), data);
    }
    for (int level : c.bad) {
      std::vector<uint8_t> out;
      Status st = Compress(c.codec, data.data(), data.size(), &out, level);
      EXPECT_TRUE(st.IsInvalidArgument()) << CodecName(c.codec) << " level " << level << ": "
                                          << st.ToString();
    }
  }
  // A higher zstd level must actually be used: it compresses text better.
  EXPECT_LT(CompressOrDie(Codec::kZstd, data, 19).size(), CompressOrDie(Codec::kZstd, data, 1).size());
  EXPECT_LT(CompressOrDie(Codec::kGzip, data, 9).size(), CompressOrDie(Codec::kGzip, data, 0).size());
}

TEST(CodecTest, LzoIsNotSupported) {
  const std::vector<uint8_t> data = {1, 2, 3};
  std::vector<uint8_t> out;
  EXPECT_FALSE(CodecIsSupported(Codec::kLzo));
  EXPECT_TRUE(Compress(Codec::kLzo, data.data(), data.size(), &out).IsNotSupported());
  uint8_t dst[3];
  EXPECT_TRUE(Decompress(Codec::kLzo, data.data(), data.size(), dst, 3).IsNotSupported());
  EXPECT_EQ(MaxCompressedSize(Codec::kLzo, 100), 0u);
}

TEST(CodecTest, ParquetThriftNumbering) {
  const std::pair<int32_t, Codec> kMap[] = {
      {0, Codec::kUncompressed}, {1, Codec::kSnappy}, {2, Codec::kGzip},     {3, Codec::kLzo},
      {4, Codec::kBrotli},       {5, Codec::kLz4Hadoop}, {6, Codec::kZstd}, {7, Codec::kLz4Raw}};
  for (const auto& [value, codec] : kMap) {
    Result<Codec> c = CodecFromParquet(value);
    ASSERT_TRUE(c.ok()) << value;
    EXPECT_EQ(*c, codec) << value;
    EXPECT_EQ(CodecToParquet(codec), value);
  }
  for (int32_t bad : {-1, 8, 1000}) EXPECT_TRUE(CodecFromParquet(bad).status().IsCorruption()) << bad;
}

TEST(CodecTest, CodecNames) {
  EXPECT_EQ(CodecName(Codec::kZstd), "zstd");
  EXPECT_EQ(CodecName(Codec::kLz4Hadoop), "lz4_hadoop");
  EXPECT_EQ(CodecName(Codec::kLzo), "lzo");
}

// -------------------------------------------------------------- corruption

std::vector<uint8_t> CorruptionInput() {
  // Text with a random stretch, so every codec emits literals and matches.
  std::vector<uint8_t> data = MakeData(DataKind::kText, 3000, 99);
  const std::vector<uint8_t> noise = MakeData(DataKind::kRandom, 200, 100);
  std::copy(noise.begin(), noise.end(), data.begin() + 1000);
  return data;
}

TEST(CodecTest, TruncationAtEveryOffsetIsCorruption) {
  const std::vector<uint8_t> data = CorruptionInput();
  for (Codec codec : SupportedCodecs()) {
    const std::vector<uint8_t> compressed = CompressOrDie(codec, data);
    for (size_t cut = 0; cut < compressed.size(); ++cut) {
      GuardedBuffer buf(data.size());
      Status st = Decompress(codec, compressed.data(), cut, buf.data(), buf.size());
      EXPECT_TRUE(st.IsCorruption()) << CodecName(codec) << " cut at " << cut << " of "
                                     << compressed.size() << ": " << st.ToString();
      ASSERT_TRUE(buf.GuardsIntact()) << CodecName(codec) << " cut at " << cut;
    }
  }
}

TEST(CodecTest, WrongUncompressedSizeIsCorruption) {
  const std::vector<uint8_t> data = CorruptionInput();
  for (Codec codec : SupportedCodecs()) {
    const std::vector<uint8_t> compressed = CompressOrDie(codec, data);
    for (size_t size : {size_t{0}, size_t{1}, data.size() - 1, data.size() + 1, data.size() * 2}) {
      GuardedBuffer buf(size);
      Status st = DecompressInto(codec, compressed, &buf);
      EXPECT_TRUE(st.IsCorruption()) << CodecName(codec) << " size " << size << ": " << st.ToString();
      EXPECT_TRUE(buf.GuardsIntact()) << CodecName(codec) << " size " << size;
    }
  }
}

TEST(CodecTest, EmptyInputWithNonZeroSizeIsCorruption) {
  for (Codec codec : SupportedCodecs()) {
    GuardedBuffer buf(10);
    Status st = Decompress(codec, nullptr, 0, buf.data(), buf.size());
    EXPECT_TRUE(st.IsCorruption()) << CodecName(codec) << ": " << st.ToString();
    EXPECT_TRUE(Decompress(codec, nullptr, 0, nullptr, 0).ok()) << CodecName(codec);
  }
}

TEST(CodecTest, ByteFlipsGiveOkOrCorruptionAndNeverOverrun) {
  const std::vector<uint8_t> data = CorruptionInput();
  for (Codec codec : SupportedCodecs()) {
    const std::vector<uint8_t> compressed = CompressOrDie(codec, data);
    size_t corrupt_count = 0;
    for (size_t pos = 0; pos < compressed.size(); ++pos) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        std::vector<uint8_t> bad = compressed;
        bad[pos] ^= mask;
        GuardedBuffer buf(data.size());
        Status st = DecompressInto(codec, bad, &buf);
        ASSERT_TRUE(st.ok() || st.IsCorruption())
            << CodecName(codec) << " flip " << int{mask} << " at " << pos << ": " << st.ToString();
        ASSERT_TRUE(buf.GuardsIntact()) << CodecName(codec) << " flip at " << pos;
        corrupt_count += st.IsCorruption();
      }
    }
    // Flipping header bytes must be noticed by every real codec.
    if (codec != Codec::kUncompressed) {
      EXPECT_GT(corrupt_count, 0u) << CodecName(codec);
    }
  }
}

// Garbage of every short length must be rejected cleanly (or, for the rare
// valid stream, decoded within bounds).
TEST(CodecTest, RandomGarbageNeverOverruns) {
  std::mt19937 rng(12345);
  for (Codec codec : SupportedCodecs()) {
    for (int iter = 0; iter < 2000; ++iter) {
      const size_t in_size = rng() % 64;
      std::vector<uint8_t> in(in_size);
      for (auto& b : in) b = static_cast<uint8_t>(rng());
      GuardedBuffer buf(rng() % 300);
      Status st = DecompressInto(codec, in, &buf);
      ASSERT_TRUE(st.ok() || st.IsCorruption())
          << CodecName(codec) << " iter " << iter << " (seed 12345): " << st.ToString();
      ASSERT_TRUE(buf.GuardsIntact()) << CodecName(codec) << " iter " << iter;
    }
  }
}

// ------------------------------------------------------- decompression bombs

TEST(CodecTest, BombStopsAtTheBufferEnd) {
  const std::vector<uint8_t> zeros(1 << 20, 0);
  for (Codec codec : SupportedCodecs()) {
    const std::vector<uint8_t> compressed = CompressOrDie(codec, zeros);
    GuardedBuffer buf(1000);
    Status st = DecompressInto(codec, compressed, &buf);
    EXPECT_TRUE(st.IsCorruption()) << CodecName(codec) << ": " << st.ToString();
    EXPECT_TRUE(buf.GuardsIntact()) << CodecName(codec);
  }
}

TEST(CodecTest, ZstdBombMessageNamesBothSizes) {
  const std::vector<uint8_t> zeros(1 << 20, 0);
  const std::vector<uint8_t> compressed = CompressOrDie(Codec::kZstd, zeros);
  GuardedBuffer buf(1000);
  Status st = DecompressInto(Codec::kZstd, compressed, &buf);
  ASSERT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("1048576"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("1000"), std::string::npos) << st.message();
}

// A streamed zstd frame has no content size, so only the decoder's own bound
// stops it.
TEST(CodecTest, ZstdBombWithoutContentSize) {
  const std::vector<uint8_t> zeros(1 << 20, 0);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_NE(cctx, nullptr);
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
  std::vector<uint8_t> compressed(ZSTD_compressBound(zeros.size()));
  const size_t n = ZSTD_compress2(cctx, compressed.data(), compressed.size(), zeros.data(), zeros.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n));
  compressed.resize(n);
  ASSERT_EQ(ZSTD_getFrameContentSize(compressed.data(), compressed.size()), ZSTD_CONTENTSIZE_UNKNOWN);

  GuardedBuffer small(1000);
  Status st = DecompressInto(Codec::kZstd, compressed, &small);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_TRUE(small.GuardsIntact());
  GuardedBuffer exact(zeros.size());
  ASSERT_TRUE(DecompressInto(Codec::kZstd, compressed, &exact).ok());
  EXPECT_EQ(exact.Contents(), zeros);
}

// A second gzip member that pushes the total past the buffer is a bomb too.
TEST(CodecTest, GzipSecondMemberOverflowIsCorruption) {
  const std::vector<uint8_t> a = MakeData(DataKind::kText, 800, 1);
  const std::vector<uint8_t> b(100000, 0);
  std::vector<uint8_t> compressed = CompressOrDie(Codec::kGzip, a);
  ASSERT_TRUE(Compress(Codec::kGzip, b.data(), b.size(), &compressed).ok());
  GuardedBuffer buf(a.size());
  Status st = DecompressInto(Codec::kGzip, compressed, &buf);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_TRUE(buf.GuardsIntact());
}

// ------------------------------------------------------ multi-member / frame

TEST(CodecTest, GzipConcatenatedMembers) {
  const std::vector<uint8_t> a = MakeData(DataKind::kText, 3000, 1);
  const std::vector<uint8_t> b = MakeData(DataKind::kRandom, 500, 2);
  std::vector<uint8_t> compressed = CompressOrDie(Codec::kGzip, a);
  ASSERT_TRUE(Compress(Codec::kGzip, b.data(), b.size(), &compressed).ok());
  ASSERT_TRUE(Compress(Codec::kGzip, nullptr, 0, &compressed).ok());  // empty member
  std::vector<uint8_t> expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  GuardedBuffer buf(expected.size());
  Status st = DecompressInto(Codec::kGzip, compressed, &buf);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(buf.Contents(), expected);

  // Trailing bytes that are no gzip member are corruption, not ignored.
  compressed.push_back(0x42);
  compressed.push_back(0x17);
  GuardedBuffer buf2(expected.size());
  EXPECT_TRUE(DecompressInto(Codec::kGzip, compressed, &buf2).IsCorruption());
  EXPECT_TRUE(buf2.GuardsIntact());
}

TEST(CodecTest, ZstdConcatenatedFrames) {
  const std::vector<uint8_t> a = MakeData(DataKind::kText, 3000, 1);
  const std::vector<uint8_t> b = MakeData(DataKind::kText, 7000, 2);
  std::vector<uint8_t> compressed = CompressOrDie(Codec::kZstd, a);
  ASSERT_TRUE(Compress(Codec::kZstd, b.data(), b.size(), &compressed).ok());
  std::vector<uint8_t> expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  GuardedBuffer buf(expected.size());
  ASSERT_TRUE(DecompressInto(Codec::kZstd, compressed, &buf).ok());
  EXPECT_EQ(buf.Contents(), expected);
}

// ------------------------------------------------------------ LZ4 (Hadoop)

std::vector<uint8_t> RawLz4Block(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(in.data()),
                                     reinterpret_cast<char*>(out.data()), static_cast<int>(in.size()),
                                     static_cast<int>(out.size()));
  EXPECT_GT(n, 0);
  out.resize(static_cast<size_t>(n));
  return out;
}

void AppendBigEndian32(uint32_t v, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(v >> 24));
  out->push_back(static_cast<uint8_t>(v >> 16));
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

void AppendHadoopBlock(const std::vector<uint8_t>& raw, std::vector<uint8_t>* out) {
  const std::vector<uint8_t> block = RawLz4Block(raw);
  AppendBigEndian32(static_cast<uint32_t>(raw.size()), out);
  AppendBigEndian32(static_cast<uint32_t>(block.size()), out);
  out->insert(out->end(), block.begin(), block.end());
}

TEST(CodecTest, Lz4HadoopHandAssembledFrames) {
  const std::vector<uint8_t> a = MakeData(DataKind::kText, 4000, 5);
  const std::vector<uint8_t> b = MakeData(DataKind::kRandom, 300, 6);
  std::vector<uint8_t> framed;
  AppendHadoopBlock(a, &framed);
  AppendHadoopBlock(b, &framed);
  std::vector<uint8_t> expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  GuardedBuffer buf(expected.size());
  Status st = DecompressInto(Codec::kLz4Hadoop, framed, &buf);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(buf.Contents(), expected);

  // Our own writer uses the same framing: one block, header sizes big-endian.
  const std::vector<uint8_t> ours = CompressOrDie(Codec::kLz4Hadoop, a);
  ASSERT_GE(ours.size(), 8u);
  EXPECT_EQ(ours[0], 0x00);
  EXPECT_EQ(ours[1], 0x00);
  EXPECT_EQ(ours[2], 0x0F);  // 4000 = 0x0FA0
  EXPECT_EQ(ours[3], 0xA0);
  const uint32_t block_size = (uint32_t{ours[4]} << 24) | (uint32_t{ours[5]} << 16) |
                              (uint32_t{ours[6]} << 8) | uint32_t{ours[7]};
  EXPECT_EQ(block_size, ours.size() - 8);
}

TEST(CodecTest, Lz4HadoopFallsBackToRawBlock) {
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 4000, 8);
  const std::vector<uint8_t> raw = RawLz4Block(data);
  GuardedBuffer buf(data.size());
  Status st = DecompressInto(Codec::kLz4Hadoop, raw, &buf);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(buf.Contents(), data);
}

TEST(CodecTest, Lz4HadoopBadFramingIsCorruption) {
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 4000, 9);
  std::vector<uint8_t> framed;
  AppendHadoopBlock(data, &framed);
  // Inner raw size off by one: neither the framing nor a raw block parses.
  std::vector<uint8_t> bad = framed;
  bad[3] ^= 0x01;
  GuardedBuffer buf(data.size());
  EXPECT_TRUE(DecompressInto(Codec::kLz4Hadoop, bad, &buf).IsCorruption());
  EXPECT_TRUE(buf.GuardsIntact());
  // Block size pointing past the input.
  bad = framed;
  bad[4] = 0x7F;
  GuardedBuffer buf2(data.size());
  EXPECT_TRUE(DecompressInto(Codec::kLz4Hadoop, bad, &buf2).IsCorruption());
  EXPECT_TRUE(buf2.GuardsIntact());
  // Extra bytes after the last frame.
  bad = framed;
  bad.insert(bad.end(), {1, 2, 3});
  GuardedBuffer buf3(data.size());
  EXPECT_TRUE(DecompressInto(Codec::kLz4Hadoop, bad, &buf3).IsCorruption());
  EXPECT_TRUE(buf3.GuardsIntact());
}

// ------------------------------------------------------- reference tools

// "zstd -q -c -19" as an argv (the commands below have no quoted words).
std::vector<std::string> Words(const std::string& command) {
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Runs argv with the path of a temp file holding `input` appended, and
// returns its stdout; a failure carries the command line and its stderr.
::testing::AssertionResult RunTool(std::vector<std::string> argv, const std::vector<uint8_t>& input,
                                   std::vector<uint8_t>* output) {
  char dir_template[] = "/tmp/edgepipe_codec_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return ::testing::AssertionFailure() << "mkdtemp: " << std::strerror(errno);
  const std::string path = std::string(dir) + "/input.bin";
  {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size()));
  }
  argv.push_back(path);
  auto printed = RunSubprocessForOutput(argv);
  std::remove(path.c_str());
  rmdir(dir);
  output->clear();
  if (!printed.ok()) return ::testing::AssertionFailure() << printed.status().ToString();
  output->assign(printed->begin(), printed->end());
  return ::testing::AssertionSuccess();
}

// True when argv starts and exits 0.
bool Succeeds(const std::vector<std::string>& argv) {
  auto run = RunSubprocess(argv);
  return run.ok() && run->ok();
}

// `command -v` is a shell builtin: PATH lookup as the shell does it.
bool HaveCommand(const std::string& name) { return Succeeds({"/bin/sh", "-c", "command -v \"$0\"", name}); }

std::vector<uint8_t> ReferenceInput() { return MakeData(DataKind::kText, 200000, 2024); }

void ExpectDecodes(Codec codec, const std::vector<uint8_t>& compressed, const std::vector<uint8_t>& data) {
  GuardedBuffer buf(data.size());
  Status st = DecompressInto(codec, compressed, &buf);
  ASSERT_TRUE(st.ok()) << CodecName(codec) << ": " << st.ToString();
  EXPECT_TRUE(buf.GuardsIntact());
  EXPECT_EQ(buf.Contents(), data);
}

TEST(CodecReferenceTest, ZstdCli) {
  if (!HaveCommand("zstd")) GTEST_SKIP() << "zstd CLI not installed (Debian package zstd)";
  const std::vector<uint8_t> data = ReferenceInput();
  for (const char* flags : {"-1", "-19", "-3 --no-check", "-3 --check"}) {
    std::vector<uint8_t> compressed;
    ASSERT_TRUE(RunTool(Words(std::string("zstd -q -c ") + flags), data, &compressed)) << flags;
    SCOPED_TRACE(flags);
    ExpectDecodes(Codec::kZstd, compressed, data);
  }
  // From a pipe the CLI cannot know the size: a frame without content size.
  std::vector<uint8_t> streamed;
  ASSERT_TRUE(RunTool({"/bin/sh", "-c", "zstd -q -c - < \"$0\""}, data, &streamed));
  ExpectDecodes(Codec::kZstd, streamed, data);
}

TEST(CodecReferenceTest, GzipCli) {
  if (!HaveCommand("gzip")) GTEST_SKIP() << "gzip CLI not installed";
  const std::vector<uint8_t> data = ReferenceInput();
  for (const char* flags : {"-1", "-6", "-9", "-n -9"}) {
    std::vector<uint8_t> compressed;
    ASSERT_TRUE(RunTool(Words(std::string("gzip -c ") + flags), data, &compressed)) << flags;
    SCOPED_TRACE(flags);
    ExpectDecodes(Codec::kGzip, compressed, data);
  }
  // Two members, as `cat a.gz b.gz` produces.
  std::vector<uint8_t> twice;
  ASSERT_TRUE(RunTool({"/bin/sh", "-c", "gzip -c \"$0\"; gzip -c \"$0\""}, data, &twice));
  std::vector<uint8_t> expected = data;
  expected.insert(expected.end(), data.begin(), data.end());
  ExpectDecodes(Codec::kGzip, twice, expected);
}

// The lz4 CLI writes the LZ4 frame format; its data blocks are the bare LZ4
// blocks Parquet stores, so one is cut out of a single-block frame.
TEST(CodecReferenceTest, Lz4CliBlock) {
  if (!HaveCommand("lz4")) GTEST_SKIP() << "lz4 CLI not installed (Debian package lz4)";
  const std::vector<uint8_t> data = MakeData(DataKind::kText, 60000, 77);  // < one 64 KiB block
  std::vector<uint8_t> frame;
  ASSERT_TRUE(RunTool(Words("lz4 -q -c -B4 --no-frame-crc"), data, &frame));
  ASSERT_GE(frame.size(), 7u + 4u);
  ASSERT_EQ(frame[0], 0x04);  // magic 0x184D2204, little-endian
  ASSERT_EQ(frame[3], 0x18);
  const uint8_t flg = frame[4];
  size_t pos = 4 + 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1;
  ASSERT_LE(pos + 4, frame.size());
  const uint32_t word = uint32_t{frame[pos]} | (uint32_t{frame[pos + 1]} << 8) |
                        (uint32_t{frame[pos + 2]} << 16) | (uint32_t{frame[pos + 3]} << 24);
  ASSERT_EQ(word & 0x80000000u, 0u) << "lz4 stored the block uncompressed";
  pos += 4;
  ASSERT_LE(pos + word, frame.size());
  const std::vector<uint8_t> block(frame.begin() + static_cast<std::ptrdiff_t>(pos),
                                   frame.begin() + static_cast<std::ptrdiff_t>(pos + word));
  ExpectDecodes(Codec::kLz4Raw, block, data);
  std::vector<uint8_t> framed;
  AppendBigEndian32(static_cast<uint32_t>(data.size()), &framed);
  AppendBigEndian32(word, &framed);
  framed.insert(framed.end(), block.begin(), block.end());
  ExpectDecodes(Codec::kLz4Hadoop, framed, data);
}

TEST(CodecReferenceTest, SnappyTool) {
  if (!HaveCommand("snzip")) {
    GTEST_SKIP() << "no snappy reference tool installed (snzip); snappy is covered by round trips "
                    "and by the DuckDB/Polars interop tests";
  }
  const std::vector<uint8_t> data = ReferenceInput();
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(RunTool(Words("snzip -t raw -c"), data, &compressed));
  ExpectDecodes(Codec::kSnappy, compressed, data);
}

TEST(CodecReferenceTest, BrotliPython) {
  if (!CodecIsSupported(Codec::kBrotli)) GTEST_SKIP() << "built without libbrotli";
  if (!Succeeds({"/usr/bin/python3", "-c", "import brotli"})) {
    GTEST_SKIP() << "no brotli reference tool (Debian package python3-brotli)";
  }
  const std::vector<uint8_t> data = ReferenceInput();
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(RunTool({"/usr/bin/python3", "-c",
                       "import brotli,sys; "
                       "sys.stdout.buffer.write(brotli.compress(open(sys.argv[1],\"rb\").read(), quality=9))"},
                      data, &compressed));
  ExpectDecodes(Codec::kBrotli, compressed, data);
}

// ------------------------------------------------------------- threading

TEST(CodecTest, ConcurrentDecodesShareNoState) {
  std::vector<std::vector<uint8_t>> inputs;
  for (uint32_t i = 0; i < 16; ++i) inputs.push_back(MakeData(DataKind::kText, 1000 + i * 777, i));
  const std::vector<Codec> codecs = SupportedCodecs();
  std::vector<std::vector<std::vector<uint8_t>>> compressed(codecs.size());
  for (size_t c = 0; c < codecs.size(); ++c) {
    for (const auto& in : inputs) compressed[c].push_back(CompressOrDie(codecs[c], in));
  }
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int iter = 0; iter < 100; ++iter) {
        for (size_t c = 0; c < codecs.size(); ++c) {
          const size_t i = static_cast<size_t>(iter * 7 + t) % inputs.size();
          std::vector<uint8_t> out(inputs[i].size());
          Status st = Decompress(codecs[c], compressed[c][i].data(), compressed[c][i].size(), out.data(),
                                 out.size());
          if (!st.ok() || out != inputs[i]) ++failures[static_cast<size_t>(t)];
          // Compress from several threads too (thread-local encoder contexts).
          std::vector<uint8_t> again;
          if (!Compress(codecs[c], inputs[i].data(), inputs[i].size(), &again).ok()) {
            ++failures[static_cast<size_t>(t)];
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[static_cast<size_t>(t)], 0) << "thread " << t;
}

}  // namespace
}  // namespace edgepipe::parquet
