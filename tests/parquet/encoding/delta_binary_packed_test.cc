#include "parquet/encoding/delta_binary_packed.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"
#include "parquet/encoding/varint.h"

namespace edgepipe::parquet {
namespace {

template <typename T>
std::vector<uint8_t> Encode(const std::vector<T>& values) {
  std::vector<uint8_t> out;
  EncodeDeltaBinaryPacked(values.data(), static_cast<int64_t>(values.size()), &out);
  return out;
}

template <typename T>
Status DecodeAll(const std::vector<uint8_t>& data, std::vector<T>* out, size_t* consumed) {
  DeltaBinaryPackedDecoder<T> decoder;
  RETURN_NOT_OK(decoder.Init(data.data(), data.size()));
  out->resize(static_cast<size_t>(decoder.total_values()));
  RETURN_NOT_OK(decoder.Decode(out->data(), decoder.total_values()));
  *consumed = decoder.bytes_consumed();
  return Status::OK();
}

TEST(DeltaBinaryPackedTest, SpecExample1) {
  // 1,2,3,4,5; block size 8, 1 miniblock, count 5, first value zigzag(1) = 2;
  // block: min delta zigzag(1) = 2, bit width 0, no data.
  const std::vector<uint8_t> data = {8, 1, 5, 2, 2, 0};
  std::vector<int32_t> out;
  size_t consumed;
  ASSERT_TRUE(DecodeAll(data, &out, &consumed).ok());
  EXPECT_EQ(out, (std::vector<int32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(consumed, data.size());
}

TEST(DeltaBinaryPackedTest, SpecExample2) {
  // 7,5,3,1,2,3,4,5: first zigzag(7) = 14; min delta zigzag(-2) = 3; width 2;
  // relative deltas 0,0,0,3 | 3,3,3,pad -> 0b11000000, 0b00111111.
  const std::vector<uint8_t> data = {8, 1, 8, 14, 3, 2, 0xC0, 0x3F};
  std::vector<int64_t> out;
  size_t consumed;
  ASSERT_TRUE(DecodeAll(data, &out, &consumed).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(consumed, data.size());
}

TEST(DeltaBinaryPackedTest, EncoderWritesHandComputedBytes) {
  // Our writer's layout (block 128 = uleb 0x80 0x01, 4 miniblocks) for 1..5:
  // header, then min delta 2 (zigzag 1) and four zero widths; no data.
  EXPECT_EQ(Encode(std::vector<int32_t>{1, 2, 3, 4, 5}),
            (std::vector<uint8_t>{0x80, 0x01, 4, 5, 2, 2, 0, 0, 0, 0}));
  // 7,5,3,1,2,3,4,5: min delta -2 (zigzag 3), miniblock 0 at width 2 holds
  // 0,0,0,3,3,3,3 and 25 zero pads: 8 bytes, others width 0.
  EXPECT_EQ(Encode(std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}),
            (std::vector<uint8_t>{0x80, 0x01, 4, 8, 14, 3, 2, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0,
                                  0, 0}));
  // Single value: header only.
  EXPECT_EQ(Encode(std::vector<int32_t>{-1}), (std::vector<uint8_t>{0x80, 0x01, 4, 1, 1}));
  // No values.
  EXPECT_EQ(Encode(std::vector<int32_t>{}), (std::vector<uint8_t>{0x80, 0x01, 4, 0, 0}));
}

template <typename T>
void RoundTrip(const std::vector<T>& values) {
  const auto encoded = Encode(values);
  std::vector<T> out;
  size_t consumed = 0;
  Status st = DecodeAll(encoded, &out, &consumed);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out, values);
  EXPECT_EQ(consumed, encoded.size());
}

template <typename T>
std::vector<T> RandomValues(std::mt19937_64& rng, int64_t n, int kind) {
  std::vector<T> v(static_cast<size_t>(n));
  T acc = 0;
  for (auto& x : v) {
    switch (kind) {
      case 0:  // full range
        x = static_cast<T>(rng());
        break;
      case 1:  // random walk with small steps
        acc = static_cast<T>(acc + static_cast<T>(static_cast<int>(rng() % 201) - 100));
        x = acc;
        break;
      case 2:  // constant step (timestamps)
        acc = static_cast<T>(acc + 1000);
        x = acc;
        break;
      default:  // extremes only
        x = (rng() & 1) ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    }
  }
  return v;
}

TEST(DeltaBinaryPackedTest, RoundTripSizesAndDistributions) {
  for (int kind = 0; kind < 4; ++kind) {
    for (int64_t n : testing::SweepSizes()) {
      const uint64_t seed = static_cast<uint64_t>(kind) * 7919 + static_cast<uint64_t>(n);
      SCOPED_TRACE(testing::SeedTrace(seed) + " kind=" + std::to_string(kind) +
                   " n=" + std::to_string(n));
      std::mt19937_64 rng(seed);
      RoundTrip(RandomValues<int32_t>(rng, n, kind));
      RoundTrip(RandomValues<int64_t>(rng, n, kind));
    }
  }
}

TEST(DeltaBinaryPackedTest, ExtremeDeltasWrapAround) {
  RoundTrip(std::vector<int64_t>{INT64_MIN, INT64_MAX, INT64_MIN, 0, INT64_MAX, -1, INT64_MIN});
  RoundTrip(std::vector<int32_t>{INT32_MIN, INT32_MAX, INT32_MIN, 0, INT32_MAX, -1, INT32_MIN});
  // Deltas needing the full 64 bits after min-delta subtraction.
  std::vector<int64_t> v;
  for (int i = 0; i < 300; ++i) v.push_back(i % 2 ? INT64_MAX : INT64_MIN);
  RoundTrip(v);
}

TEST(DeltaBinaryPackedTest, EveryBitWidthAppears) {
  // Deltas of exactly w bits in consecutive blocks exercise widths 0..64.
  std::vector<int64_t> v = {0};
  for (int w = 0; w <= 63; ++w) {
    for (int i = 0; i < 128; ++i) {
      const uint64_t delta = (i % 2) ? ((uint64_t{1} << w) - 1) : 0;
      v.push_back(static_cast<int64_t>(static_cast<uint64_t>(v.back()) + delta));
    }
  }
  // Width 64: deltas INT64_MAX and INT64_MIN give a relative delta of 2^64 - 1.
  for (int i = 0; i < 128; ++i) {
    const uint64_t delta = (i % 2) ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    v.push_back(static_cast<int64_t>(static_cast<uint64_t>(v.back()) + delta));
  }
  RoundTrip(v);
}

TEST(DeltaBinaryPackedTest, ChunkedDecodeMatches) {
  const uint64_t seed = 555;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const auto values = RandomValues<int64_t>(rng, 5000, 1);
  const auto encoded = Encode(values);
  DeltaBinaryPackedDecoder<int64_t> decoder;
  ASSERT_TRUE(decoder.Init(encoded.data(), encoded.size()).ok());
  std::vector<int64_t> out(values.size());
  int64_t pos = 0;
  int64_t batch = 1;
  while (pos < 5000) {
    const int64_t k = std::min<int64_t>(batch, 5000 - pos);
    ASSERT_TRUE(decoder.Decode(out.data() + pos, k).ok()) << pos;
    pos += k;
    batch = batch * 7 % 97 + 1;
  }
  EXPECT_EQ(out, values);
  EXPECT_EQ(decoder.values_left(), 0);
  EXPECT_EQ(decoder.bytes_consumed(), encoded.size());
  int64_t extra;
  EXPECT_TRUE(decoder.Decode(&extra, 1).IsCorruption());
}

TEST(DeltaBinaryPackedTest, ConsumedStopsBeforeTrailingData) {
  std::vector<int32_t> values(200);
  for (int i = 0; i < 200; ++i) values[i] = i * i;
  auto encoded = Encode(values);
  const size_t size = encoded.size();
  encoded.insert(encoded.end(), {0xDE, 0xAD});
  std::vector<int32_t> out;
  size_t consumed;
  ASSERT_TRUE(DecodeAll(encoded, &out, &consumed).ok());
  EXPECT_EQ(consumed, size);
}

TEST(DeltaBinaryPackedTest, TruncationAtEveryOffset) {
  const uint64_t seed = 77;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const auto values = RandomValues<int64_t>(rng, 300, 1);
  const auto encoded = Encode(values);
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + static_cast<long>(cut));
    DeltaBinaryPackedDecoder<int64_t> decoder;
    Status st = decoder.Init(truncated.data(), truncated.size());
    if (st.ok()) {
      std::vector<int64_t> out(values.size());
      st = decoder.Decode(out.data(), static_cast<int64_t>(values.size()));
    }
    EXPECT_TRUE(st.IsCorruption()) << "cut=" << cut << " " << st.ToString();
  }
}

std::vector<uint8_t> Header(uint64_t block, uint64_t miniblocks, uint64_t count, int64_t first) {
  std::vector<uint8_t> h;
  WriteUleb128(block, &h);
  WriteUleb128(miniblocks, &h);
  WriteUleb128(count, &h);
  WriteUleb128(ZigZagEncode(first), &h);
  return h;
}

TEST(DeltaBinaryPackedTest, InvalidHeadersAreCorruption) {
  struct Case {
    uint64_t block, miniblocks;
  } cases[] = {{0, 1}, {128, 0}, {128, 3}, {128, 5}, {12, 1}, {128, 32}, {uint64_t{1} << 40, 4}};
  for (const auto& c : cases) {
    const auto h = Header(c.block, c.miniblocks, 10, 0);
    DeltaBinaryPackedDecoder<int32_t> decoder;
    EXPECT_TRUE(decoder.Init(h.data(), h.size()).IsCorruption())
        << c.block << "/" << c.miniblocks;
  }
}

TEST(DeltaBinaryPackedTest, BadMiniblockBitWidthIsCorruption) {
  for (int width : {33, 64, 65, 255}) {
    auto data = Header(128, 4, 10, 0);
    data.push_back(0);  // min delta 0
    data.insert(data.end(), {static_cast<uint8_t>(width), 0, 0, 0});
    data.resize(data.size() + 32 * 64 / 8 * 2, 0);  // plenty of bytes
    std::vector<int32_t> out32(10);
    std::vector<int64_t> out64(10);
    DeltaBinaryPackedDecoder<int32_t> d32;
    ASSERT_TRUE(d32.Init(data.data(), data.size()).ok());
    EXPECT_TRUE(d32.Decode(out32.data(), 10).IsCorruption()) << width;
    DeltaBinaryPackedDecoder<int64_t> d64;
    ASSERT_TRUE(d64.Init(data.data(), data.size()).ok());
    EXPECT_EQ(d64.Decode(out64.data(), 10).IsCorruption(), width > 64) << width;
  }
}

TEST(DeltaBinaryPackedTest, UnusedMiniblockWidthsAreIgnored) {
  // 3 values: only miniblock 0 is used; the others carry junk widths.
  auto data = Header(128, 4, 3, 10);
  data.push_back(2);  // min delta 1
  data.insert(data.end(), {0, 0xFF, 0xFF, 0xFF});
  std::vector<int32_t> out;
  size_t consumed;
  ASSERT_TRUE(DecodeAll(data, &out, &consumed).ok());
  EXPECT_EQ(out, (std::vector<int32_t>{10, 11, 12}));
}

TEST(DeltaBinaryPackedTest, HugeCountWithoutDataIsBoundedByRequest) {
  // Claims 2^62 values at width 0 with a tiny block: decoding a few works,
  // nothing is allocated from the count.
  auto data = Header(8, 1, uint64_t{1} << 62, 5);
  std::vector<int64_t> out(4);
  DeltaBinaryPackedDecoder<int64_t> decoder;
  ASSERT_TRUE(decoder.Init(data.data(), data.size()).ok());
  EXPECT_TRUE(decoder.Decode(out.data(), 4).IsCorruption());  // block header missing
}

TEST(DeltaBinaryPackedTest, ByteFlipsNeverCrash) {
  const uint64_t seed = 31337;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const auto values = RandomValues<int32_t>(rng, 1000, 1);
  const auto encoded = Encode(values);
  for (int trial = 0; trial < 3000; ++trial) {
    auto copy = encoded;
    copy[rng() % copy.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    DeltaBinaryPackedDecoder<int32_t> decoder;
    Status st = decoder.Init(copy.data(), copy.size());
    if (st.ok()) {
      std::vector<int32_t> out(static_cast<size_t>(std::min<int64_t>(decoder.total_values(), 2000)));
      st = decoder.Decode(out.data(), static_cast<int64_t>(out.size()));
    }
    if (!st.ok()) {
      ASSERT_TRUE(st.IsCorruption()) << st.ToString();
    }
  }
}

}  // namespace
}  // namespace edgepipe::parquet
