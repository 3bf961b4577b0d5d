#include "parquet/encoding/byte_stream_split.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"

namespace edgepipe::parquet {
namespace {

TEST(ByteStreamSplitTest, SpecExample) {
  // Three floats AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6 (bytes in memory order).
  const uint8_t raw[12] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
  const std::vector<uint8_t> expected = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4,
                                         0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  float values[3];
  std::memcpy(values, raw, 12);
  std::vector<uint8_t> encoded;
  EncodeByteStreamSplit(values, 3, &encoded);
  EXPECT_EQ(encoded, expected);
  float out[3];
  ASSERT_TRUE(DecodeByteStreamSplit(expected.data(), expected.size(), 3, out).ok());
  EXPECT_EQ(std::memcmp(out, raw, 12), 0);
}

template <typename T>
void RoundTrip(int64_t n, uint64_t seed) {
  SCOPED_TRACE(testing::SeedTrace(seed) + " n=" + std::to_string(n) +
               " width=" + std::to_string(sizeof(T)));
  std::mt19937_64 rng(seed);
  std::vector<T> values(static_cast<size_t>(n));
  for (auto& v : values) {
    const uint64_t bits = rng();
    std::memcpy(&v, &bits, sizeof(T));
  }
  if (n > 2) {
    if constexpr (std::is_floating_point_v<T>) {
      values[0] = std::numeric_limits<T>::quiet_NaN();
      values[1] = -T{0};
    } else {
      values[0] = std::numeric_limits<T>::min();
      values[1] = std::numeric_limits<T>::max();
    }
  }
  std::vector<uint8_t> encoded = {0x42};  // encoders append
  EncodeByteStreamSplit(values.data(), n, &encoded);
  ASSERT_EQ(encoded.size(), 1 + values.size() * sizeof(T));
  // Against the scalar reference.
  std::vector<uint8_t> reference;
  EncodeByteStreamSplitWidth(reinterpret_cast<const uint8_t*>(values.data()),
                             static_cast<int>(sizeof(T)), n, &reference);
  ASSERT_TRUE(std::equal(reference.begin(), reference.end(), encoded.begin() + 1));
  // Exact-size copy so ASan catches over-reads.
  std::vector<uint8_t> section(encoded.begin() + 1, encoded.end());
  std::vector<T> out(values.size());
  ASSERT_TRUE(DecodeByteStreamSplit(section.data(), section.size(), n, out.data()).ok());
  if (n == 0) return;  // memcmp on the null data() of empty vectors is UB
  ASSERT_EQ(std::memcmp(out.data(), values.data(), section.size()), 0);
  std::vector<uint8_t> out_ref(section.size());
  ASSERT_TRUE(DecodeByteStreamSplitWidth(section.data(), section.size(),
                                         static_cast<int>(sizeof(T)), n, out_ref.data())
                  .ok());
  ASSERT_EQ(std::memcmp(out_ref.data(), values.data(), section.size()), 0);
  // Partial decode: the first half with the full section's stride.
  if (n > 1) {
    std::vector<T> half(static_cast<size_t>(n / 2));
    ASSERT_TRUE(DecodeByteStreamSplit(section.data(), section.size(), n / 2, half.data()).ok());
    ASSERT_EQ(std::memcmp(half.data(), values.data(), half.size() * sizeof(T)), 0);
  }
}

TEST(ByteStreamSplitTest, RoundTripAllTypesAndSizes) {
  for (int64_t n : testing::SweepSizes()) {
    RoundTrip<float>(n, 10 + n);
    RoundTrip<double>(n, 20 + n);
    RoundTrip<int32_t>(n, 30 + n);
    RoundTrip<int64_t>(n, 40 + n);
  }
}

TEST(ByteStreamSplitTest, OddWidthsScalar) {
  for (int width : {1, 2, 3, 5, 16}) {
    std::vector<uint8_t> values(static_cast<size_t>(width) * 37);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint8_t>(i * 7);
    std::vector<uint8_t> encoded;
    EncodeByteStreamSplitWidth(values.data(), width, 37, &encoded);
    std::vector<uint8_t> out(values.size());
    ASSERT_TRUE(DecodeByteStreamSplitWidth(encoded.data(), encoded.size(), width, 37, out.data()).ok());
    EXPECT_EQ(out, values) << width;
  }
}

TEST(ByteStreamSplitTest, Corruption) {
  std::vector<uint8_t> data(4 * 10, 1);
  float out[11];
  // Size not a multiple of the width (a truncated section).
  for (size_t size = 1; size < data.size(); ++size) {
    if (size % 4 == 0) continue;
    EXPECT_TRUE(DecodeByteStreamSplit(data.data(), size, 1, out).IsCorruption()) << size;
  }
  EXPECT_TRUE(DecodeByteStreamSplit(data.data(), data.size(), 11, out).IsCorruption());
  double dout[6];
  EXPECT_TRUE(DecodeByteStreamSplit(data.data(), data.size(), 6, dout).IsCorruption());
  EXPECT_TRUE(DecodeByteStreamSplit(data.data(), data.size(), 5, dout).ok());
  uint8_t bytes[40];
  EXPECT_TRUE(DecodeByteStreamSplitWidth(data.data(), 40, 3, 1, bytes).IsCorruption());
  EXPECT_TRUE(DecodeByteStreamSplitWidth(data.data(), 40, 0, 1, bytes).IsInvalidArgument());
}

}  // namespace
}  // namespace edgepipe::parquet
