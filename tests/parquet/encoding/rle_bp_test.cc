#include "parquet/encoding/rle_bp.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"

namespace edgepipe::parquet {
namespace {

std::vector<uint8_t> Encode(const std::vector<uint32_t>& values, int bit_width) {
  RleBpEncoder encoder(bit_width);
  encoder.Put(values.data(), static_cast<int64_t>(values.size()));
  std::vector<uint8_t> out;
  encoder.Flush(&out);
  return out;
}

TEST(RleBpTest, SpecBitPackedExample) {
  // One bit-packed run of one group: header (1 << 1 | 1), then the spec's
  // packing of 0..7 at width 3.
  const std::vector<uint8_t> data = {0x03, 0b10001000, 0b11000110, 0b11111010};
  RleBpDecoder decoder(data.data(), data.size(), 3);
  uint32_t out[8];
  ASSERT_TRUE(decoder.GetBatch(out, 8).ok());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  EXPECT_EQ(decoder.position(), data.size());
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), data);
}

TEST(RleBpTest, HandComputedRleRunAndMixed) {
  // 10 x value 5 at width 3: RLE header 10 << 1 = 0x14, value in 1 byte.
  // Then 3 literals 1,2,3 padded to a group: header 0x03 and
  // 1 | 2 << 3 | 3 << 6 = 0xD1, bits 8.. = 0 (3 >> 2 = 0) -> 0xD1 0x00 0x00.
  const std::vector<uint8_t> expected = {0x14, 0x05, 0x03, 0xD1, 0x00, 0x00};
  const std::vector<uint32_t> values = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 2, 3};
  EXPECT_EQ(Encode(values, 3), expected);
  RleBpDecoder decoder(expected.data(), expected.size(), 3);
  std::vector<int16_t> out(values.size());
  ASSERT_TRUE(decoder.GetBatch(out.data(), static_cast<int64_t>(out.size())).ok());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], static_cast<int16_t>(values[i]));
}

TEST(RleBpTest, MultiByteRleValueAndVarintHeader) {
  // 300 x 0x1234 at width 13: header varint(600) = 0xD8 0x04, value LE in 2 bytes.
  const std::vector<uint8_t> data = {0xD8, 0x04, 0x34, 0x12};
  EXPECT_EQ(Encode(std::vector<uint32_t>(300, 0x1234), 13), data);
  RleBpDecoder decoder(data.data(), data.size(), 13);
  std::vector<uint32_t> out(300);
  ASSERT_TRUE(decoder.GetBatch(out.data(), 300).ok());
  for (uint32_t v : out) ASSERT_EQ(v, 0x1234u);
}

TEST(RleBpTest, RoundTripEveryWidthAndSize) {
  for (int w = 0; w <= 32; ++w) {
    for (int64_t n : testing::SweepSizes()) {
      const uint64_t seed = static_cast<uint64_t>(w) * 1000003 + static_cast<uint64_t>(n);
      SCOPED_TRACE(testing::SeedTrace(seed) + " width=" + std::to_string(w) +
                   " n=" + std::to_string(n));
      std::mt19937_64 rng(seed);
      const auto values = testing::RandomLevels(rng, n, w);
      const auto encoded = Encode(values, w);
      RleBpDecoder decoder(encoded.data(), encoded.size(), w);
      std::vector<uint32_t> out(values.size());
      ASSERT_TRUE(decoder.GetBatch(out.data(), n).ok());
      ASSERT_EQ(out, values);
      // Nothing more was encoded than asked for (except group padding).
      if (w > 0 && n > 0) {
        // At most 7 zero-padding values follow the last one.
        uint32_t extra[8];
        Status st = decoder.GetBatch(extra, 8);
        EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      }
    }
  }
}

TEST(RleBpTest, RoundTripSmallTypesAndOddBatches) {
  const uint64_t seed = 4242;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int w : {1, 2, 5, 8}) {
    const auto values = testing::RandomLevels(rng, 5000, w);
    const auto encoded = Encode(values, w);
    RleBpDecoder d8(encoded.data(), encoded.size(), w);
    RleBpDecoder d16(encoded.data(), encoded.size(), w);
    std::vector<uint8_t> out8(values.size());
    std::vector<int16_t> out16(values.size());
    // Batches of awkward sizes cross run and group boundaries.
    int64_t pos = 0;
    int64_t batch = 1;
    while (pos < static_cast<int64_t>(values.size())) {
      const int64_t k = std::min<int64_t>(batch, static_cast<int64_t>(values.size()) - pos);
      ASSERT_TRUE(d8.GetBatch(out8.data() + pos, k).ok());
      ASSERT_TRUE(d16.GetBatch(out16.data() + pos, k).ok());
      pos += k;
      batch = batch * 3 % 61 + 1;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(out8[i], values[i]) << i;
      ASSERT_EQ(out16[i], static_cast<int16_t>(values[i])) << i;
    }
  }
}

TEST(RleBpTest, EncoderChoosesRleForLongRepeats) {
  // 1000 equal values must become one RLE run: header (2 bytes) + 1 value byte.
  EXPECT_EQ(Encode(std::vector<uint32_t>(1000, 1), 1).size(), 3u);
  // A run of 8 after 3 literals: the literals are topped up to a group from
  // the run only if 8 repeats remain; 3 + 13 -> group of 8 then RLE of 8.
  std::vector<uint32_t> values = {1, 2, 3};
  values.insert(values.end(), 13, 7);
  const auto enc = Encode(values, 3);
  // literal header + 3 bytes, RLE header + 1 byte
  EXPECT_EQ(enc.size(), 1u + 3u + 1u + 1u);
  RleBpDecoder decoder(enc.data(), enc.size(), 3);
  std::vector<uint32_t> out(values.size());
  ASSERT_TRUE(decoder.GetBatch(out.data(), static_cast<int64_t>(out.size())).ok());
  EXPECT_EQ(out, values);
}

TEST(RleBpTest, BitWidthZeroIsAllZeros) {
  RleBpDecoder decoder(nullptr, 0, 0);
  std::vector<int16_t> out(100, 9);
  ASSERT_TRUE(decoder.GetBatch(out.data(), 100).ok());
  for (int16_t v : out) EXPECT_EQ(v, 0);
}

TEST(RleBpTest, BadBitWidthIsCorruption) {
  const uint8_t data[] = {0x02, 0x01};
  uint32_t out[1];
  for (int w : {33, 64, 255, -1}) {
    RleBpDecoder decoder(data, sizeof(data), w);
    EXPECT_TRUE(decoder.GetBatch(out, 1).IsCorruption()) << w;
  }
  RleBpDecoder narrow(data, sizeof(data), 9);
  uint8_t out8[1];
  EXPECT_TRUE(narrow.GetBatch(out8, 1).IsInvalidArgument());
}

TEST(RleBpTest, RleValueWiderThanBitWidthIsCorruption) {
  const uint8_t data[] = {0x10, 0x02};  // 8 x value 2 at width 1
  RleBpDecoder decoder(data, sizeof(data), 1);
  uint8_t out[8];
  EXPECT_TRUE(decoder.GetBatch(out, 8).IsCorruption());
}

TEST(RleBpTest, OverlongVarintHeaderIsCorruption) {
  std::vector<uint8_t> data(11, 0xFF);
  data.push_back(0x01);
  RleBpDecoder decoder(data.data(), data.size(), 4);
  uint32_t out[1];
  EXPECT_TRUE(decoder.GetBatch(out, 1).IsCorruption());
}

TEST(RleBpTest, HugeBitPackedRunCountIsBoundedByData) {
  // Claims 2^60 groups but has 2 bytes: the 16 values present decode, the
  // 17th is Corruption, and nothing is allocated from the count.
  std::vector<uint8_t> data = {0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0xAB, 0xCD};
  RleBpDecoder decoder(data.data(), data.size(), 1);
  uint32_t out[17];
  EXPECT_TRUE(decoder.GetBatch(out, 16).ok());
  EXPECT_TRUE(decoder.GetBatch(out, 1).IsCorruption());
}

TEST(RleBpTest, TruncationAtEveryOffset) {
  const uint64_t seed = 7;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int w : {1, 3, 8, 17, 32}) {
    const int64_t n = 300;
    const auto values = testing::RandomLevels(rng, n, w);
    const auto encoded = Encode(values, w);
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
      SCOPED_TRACE("width=" + std::to_string(w) + " cut=" + std::to_string(cut));
      // Exact-size copy so ASan sees any read past the cut.
      std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + static_cast<long>(cut));
      RleBpDecoder decoder(truncated.data(), truncated.size(), w);
      std::vector<uint32_t> out(values.size());
      Status st = decoder.GetBatch(out.data(), n);
      if (st.ok()) {
        // Only the zero padding of the last group may be missing.
        EXPECT_GE(cut + static_cast<size_t>(w), encoded.size());
        EXPECT_EQ(out, values);
      } else {
        EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      }
    }
  }
}

TEST(RleBpTest, ByteFlipsNeverCrash) {
  const uint64_t seed = 8;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const int w = 5;
  const auto values = testing::RandomLevels(rng, 2000, w);
  const auto encoded = Encode(values, w);
  for (int trial = 0; trial < 2000; ++trial) {
    auto copy = encoded;
    copy[rng() % copy.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    RleBpDecoder decoder(copy.data(), copy.size(), w);
    std::vector<uint32_t> out(values.size());
    Status st = decoder.GetBatch(out.data(), static_cast<int64_t>(out.size()));
    if (!st.ok()) {
      ASSERT_TRUE(st.IsCorruption()) << st.ToString();
    } else {
      for (uint32_t v : out) ASSERT_LT(v, 1u << w);
    }
  }
}

TEST(RleBpTest, LengthPrefixedRoundTrip) {
  const std::vector<uint32_t> values = {1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  std::vector<uint8_t> buf = {0xEE};  // appends after existing bytes
  EncodeLengthPrefixedRle(values.data(), static_cast<int64_t>(values.size()), 1, &buf);
  buf.push_back(0x77);  // trailing data (e.g. the values after the levels)
  std::vector<uint8_t> out(values.size());
  size_t consumed = 0;
  ASSERT_TRUE(DecodeLengthPrefixedRle(buf.data() + 1, buf.size() - 1, 1,
                                      static_cast<int64_t>(values.size()), out.data(), &consumed)
                  .ok());
  EXPECT_EQ(consumed, buf.size() - 2);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], values[i]);
  uint32_t length;
  std::memcpy(&length, buf.data() + 1, 4);
  EXPECT_EQ(length, consumed - 4);
}

TEST(RleBpTest, LengthPrefixedCorruption) {
  const uint8_t short_prefix[] = {0x01, 0x00};
  uint8_t out[8];
  size_t consumed;
  EXPECT_TRUE(DecodeLengthPrefixedRle(short_prefix, 2, 1, 1, out, &consumed).IsCorruption());
  const uint8_t too_long[] = {0x09, 0x00, 0x00, 0x00, 0x10, 0x01};
  EXPECT_TRUE(DecodeLengthPrefixedRle(too_long, sizeof(too_long), 1, 8, out, &consumed)
                  .IsCorruption());
  // The length bounds the decoder: the run after it is not visible.
  const uint8_t bounded[] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x01};
  EXPECT_TRUE(DecodeLengthPrefixedRle(bounded, sizeof(bounded), 1, 8, out, &consumed)
                  .IsCorruption());
}

}  // namespace
}  // namespace edgepipe::parquet
