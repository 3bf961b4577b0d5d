#include "parquet/encoding/plain.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"

namespace edgepipe::parquet {
namespace {

template <typename T>
void RoundTripFixed(const std::vector<T>& values) {
  std::vector<uint8_t> buf;
  EncodePlain(values.data(), static_cast<int64_t>(values.size()), &buf);
  ASSERT_EQ(buf.size(), values.size() * sizeof(T));
  std::vector<T> out(values.size());
  size_t consumed = 0;
  ASSERT_TRUE(DecodePlain(buf.data(), buf.size(), static_cast<int64_t>(values.size()), out.data(),
                          &consumed)
                  .ok());
  EXPECT_EQ(consumed, buf.size());
  // Bitwise comparison so NaN payloads and -0.0 count.
  EXPECT_TRUE(values.empty() || std::memcmp(out.data(), values.data(), buf.size()) == 0);
  if (!values.empty()) {
    // One byte short is Corruption.
    Status st = DecodePlain(buf.data(), buf.size() - 1, static_cast<int64_t>(values.size()),
                            out.data(), &consumed);
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  }
}

TEST(PlainTest, FixedWidthRoundTrip) {
  for (int64_t n : testing::SweepSizes()) {
    SCOPED_TRACE("n=" + std::to_string(n));
    std::mt19937_64 rng(static_cast<uint64_t>(n));
    std::vector<int32_t> i32(static_cast<size_t>(n));
    std::vector<int64_t> i64(static_cast<size_t>(n));
    std::vector<float> f32(static_cast<size_t>(n));
    std::vector<double> f64(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      i32[i] = static_cast<int32_t>(rng());
      i64[i] = static_cast<int64_t>(rng());
      f32[i] = std::bit_cast<float>(static_cast<uint32_t>(rng()));
      f64[i] = std::bit_cast<double>(rng());
    }
    if (n >= 4) {
      i32[0] = INT32_MIN;
      i64[0] = INT64_MIN;
      i64[1] = INT64_MAX;
      f32[0] = -0.0f;
      f32[1] = std::numeric_limits<float>::quiet_NaN();
      f64[0] = -0.0;
      f64[1] = std::bit_cast<double>(uint64_t{0x7FF0000000000001});  // signalling NaN payload
      f64[2] = std::numeric_limits<double>::infinity();
    }
    RoundTripFixed(i32);
    RoundTripFixed(i64);
    RoundTripFixed(f32);
    RoundTripFixed(f64);
  }
}

TEST(PlainTest, Int32IsLittleEndian) {
  const int32_t v = 0x01020304;
  std::vector<uint8_t> buf;
  EncodePlain(&v, 1, &buf);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0x04, 0x03, 0x02, 0x01}));
}

TEST(PlainTest, BooleanHandComputed) {
  // LSB first: values 1,0,1,1,0,0,0,0, 1 -> 0b00001101, 0b00000001.
  const std::vector<uint8_t> values = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  std::vector<uint8_t> buf;
  EncodePlainBoolean(values.data(), 9, &buf);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0x0D, 0x01}));
  std::vector<uint8_t> out(9);
  size_t consumed;
  ASSERT_TRUE(DecodePlainBoolean(buf.data(), buf.size(), 9, out.data(), &consumed).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(consumed, 2u);
  EXPECT_TRUE(DecodePlainBoolean(buf.data(), 1, 9, out.data(), &consumed).IsCorruption());
}

TEST(PlainTest, BooleanRoundTripSizes) {
  for (int64_t n : testing::SweepSizes()) {
    const uint64_t seed = 300 + static_cast<uint64_t>(n);
    SCOPED_TRACE(testing::SeedTrace(seed));
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> values(static_cast<size_t>(n));
    for (auto& v : values) v = rng() & 1;
    std::vector<uint8_t> buf;
    EncodePlainBoolean(values.data(), n, &buf);
    ASSERT_EQ(buf.size(), static_cast<size_t>((n + 7) / 8));
    std::vector<uint8_t> out(values.size());
    size_t consumed;
    ASSERT_TRUE(DecodePlainBoolean(buf.data(), buf.size(), n, out.data(), &consumed).ok());
    ASSERT_EQ(out, values);
  }
}

TEST(PlainTest, ByteArrayRoundTripAndHandBytes) {
  const std::string long_string(100000, 'x');
  const std::vector<std::string_view> values = {"", "a", "hello", long_string, ""};
  std::vector<uint8_t> buf;
  EncodePlainByteArray(values.data(), 3, &buf);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0, 0, 0, 0, 1, 0, 0, 0, 'a', 5, 0, 0, 0, 'h', 'e', 'l',
                                       'l', 'o'}));
  buf.clear();
  EncodePlainByteArray(values.data(), static_cast<int64_t>(values.size()), &buf);
  std::vector<std::string_view> out(values.size());
  size_t consumed;
  ASSERT_TRUE(DecodePlainByteArray(buf.data(), buf.size(), static_cast<int64_t>(values.size()),
                                   out.data(), &consumed)
                  .ok());
  EXPECT_EQ(consumed, buf.size());
  EXPECT_EQ(out, values);
}

TEST(PlainTest, ByteArrayTruncationAtEveryOffset) {
  const std::vector<std::string_view> values = {"abc", "", "defgh", "i"};
  std::vector<uint8_t> buf;
  EncodePlainByteArray(values.data(), 4, &buf);
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    std::vector<uint8_t> truncated(buf.begin(), buf.begin() + static_cast<long>(cut));
    std::vector<std::string_view> out(4);
    size_t consumed;
    Status st = DecodePlainByteArray(truncated.data(), truncated.size(), 4, out.data(), &consumed);
    EXPECT_TRUE(st.IsCorruption()) << "cut=" << cut << " " << st.ToString();
  }
}

TEST(PlainTest, ByteArrayLengthPastEnd) {
  const uint8_t data[] = {0xFF, 0xFF, 0xFF, 0xFF, 'a'};
  std::string_view out[1];
  size_t consumed;
  EXPECT_TRUE(DecodePlainByteArray(data, sizeof(data), 1, out, &consumed).IsCorruption());
}

TEST(PlainTest, FixedLenByteArray) {
  const uint8_t data[] = {'a', 'b', 'c', 'd', 'e', 'f', 'g'};
  std::string_view out[3];
  size_t consumed;
  ASSERT_TRUE(DecodePlainFixedLenByteArray(data, sizeof(data), 3, 2, out, &consumed).ok());
  EXPECT_EQ(out[2], "ef");
  EXPECT_EQ(consumed, 6u);
  EXPECT_TRUE(DecodePlainFixedLenByteArray(data, sizeof(data), 4, 2, out, &consumed).IsCorruption());
}

TEST(PlainTest, Int96HandComputed) {
  // Epoch: nanos 0, Julian day 2440588 = 0x00253D8C.
  // 2000-01-01 00:00:00.000000001: Julian day 2451545 = 0x00256859, nanos 1.
  const std::vector<uint8_t> data = {0, 0, 0, 0, 0, 0, 0, 0, 0x8C, 0x3D, 0x25, 0x00,
                                     1, 0, 0, 0, 0, 0, 0, 0, 0x59, 0x68, 0x25, 0x00};
  int64_t out[2];
  size_t consumed;
  ASSERT_TRUE(DecodePlainInt96(data.data(), data.size(), 2, out, &consumed).ok());
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 946684800000000001LL);
  EXPECT_EQ(consumed, 24u);
  std::vector<uint8_t> encoded;
  EncodePlainInt96(out, 2, &encoded);
  EXPECT_EQ(encoded, data);
  EXPECT_TRUE(DecodePlainInt96(data.data(), 23, 2, out, &consumed).IsCorruption());
}

TEST(PlainTest, Int96BeforeEpochAndGarbageDays) {
  const int64_t values[] = {-1, -86400LL * 1000000000 - 5, 1700000000123456789LL};
  std::vector<uint8_t> buf;
  EncodePlainInt96(values, 3, &buf);
  int64_t out[3];
  size_t consumed;
  ASSERT_TRUE(DecodePlainInt96(buf.data(), buf.size(), 3, out, &consumed).ok());
  EXPECT_EQ(out[0], values[0]);
  EXPECT_EQ(out[1], values[1]);
  EXPECT_EQ(out[2], values[2]);
  // All-ones input: wraps, no UB (checked under UBSan).
  std::vector<uint8_t> junk(12, 0xFF);
  ASSERT_TRUE(DecodePlainInt96(junk.data(), junk.size(), 1, out, &consumed).ok());
}

}  // namespace
}  // namespace edgepipe::parquet
