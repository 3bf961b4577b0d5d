#include "parquet/encoding/delta_byte_array.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/encoding_test_util.h"

namespace edgepipe::parquet {
namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> head, std::string_view tail = {}) {
  std::vector<uint8_t> v;
  for (int b : head) v.push_back(static_cast<uint8_t>(b));
  v.insert(v.end(), tail.begin(), tail.end());
  return v;
}

// Spec example for DELTA_LENGTH_BYTE_ARRAY: "Hello","World","Foobar","ABCDEF".
// Lengths 5,5,6,6: first zigzag(5) = 10; deltas 0,1,0, min 0, width 1,
// miniblock 0 = 0b010 -> 0x02 then 3 zero bytes.
const std::vector<uint8_t> kDlbaExample =
    Bytes({0x80, 0x01, 4, 4, 10, 0, 1, 0, 0, 0, 0x02, 0, 0, 0}, "HelloWorldFoobarABCDEF");

// Spec example for DELTA_BYTE_ARRAY: "axis","axle","babble","babyhood".
// Prefix lengths 0,2,0,3: first 0; deltas 2,-2,3, min -2 (zigzag 3),
// relative 4,0,5 at width 3 -> 0x44 0x01 + 10 zero bytes.
// Suffix lengths 4,2,6,5: first zigzag(4) = 8; deltas -2,4,-1, min -2,
// relative 0,6,1 at width 3 -> 0x70 + 11 zero bytes. Then "axislebabbleyhood".
std::vector<uint8_t> DbaExample() {
  auto v = Bytes({0x80, 0x01, 4, 4, 0, 3, 3, 0, 0, 0, 0x44, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  auto s = Bytes({0x80, 0x01, 4, 4, 8, 3, 3, 0, 0, 0, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                 "axislebabbleyhood");
  v.insert(v.end(), s.begin(), s.end());
  return v;
}

TEST(DeltaLengthByteArrayTest, SpecExample) {
  const std::vector<std::string_view> values = {"Hello", "World", "Foobar", "ABCDEF"};
  std::vector<uint8_t> encoded;
  EncodeDeltaLengthByteArray(values.data(), 4, &encoded);
  EXPECT_EQ(encoded, kDlbaExample);
  DeltaLengthByteArrayDecoder decoder;
  ASSERT_TRUE(decoder.Init(kDlbaExample.data(), kDlbaExample.size(), 4).ok());
  std::vector<std::string_view> out(4);
  ASSERT_TRUE(decoder.Decode(out.data(), 2).ok());
  ASSERT_TRUE(decoder.Decode(out.data() + 2, 2).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(decoder.bytes_consumed(), kDlbaExample.size());
  EXPECT_TRUE(decoder.Decode(out.data(), 1).IsCorruption());
}

TEST(DeltaByteArrayTest, SpecExample) {
  const std::vector<std::string_view> values = {"axis", "axle", "babble", "babyhood"};
  const auto expected = DbaExample();
  std::vector<uint8_t> encoded;
  EncodeDeltaByteArray(values.data(), 4, &encoded);
  EXPECT_EQ(encoded, expected);
  DeltaByteArrayDecoder decoder;
  ASSERT_TRUE(decoder.Init(expected.data(), expected.size(), 4).ok());
  std::vector<std::string_view> out(4);
  ASSERT_TRUE(decoder.Decode(out.data(), 4).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(decoder.bytes_consumed(), expected.size());
}

std::vector<std::string> RandomStrings(std::mt19937_64& rng, int64_t n) {
  std::vector<std::string> v;
  std::string prev;
  for (int64_t i = 0; i < n; ++i) {
    std::string s;
    switch (rng() % 5) {
      case 0:
        break;  // empty
      case 1:   // shares a prefix with the previous value
        s = prev.substr(0, rng() % (prev.size() + 1)) + std::string(rng() % 5, 'q');
        break;
      case 2:  // long
        s.assign(1000 + rng() % 5000, static_cast<char>('a' + rng() % 26));
        break;
      default:
        for (size_t k = rng() % 20; k > 0; --k) s.push_back(static_cast<char>(rng()));
    }
    prev = s;
    v.push_back(std::move(s));
  }
  return v;
}

TEST(DeltaByteArrayTest, RoundTripSizes) {
  for (int64_t n : testing::SweepSizes()) {
    if (n > 20000) n = 20000;  // long strings make 100000 slow; 20000 still spans many blocks
    const uint64_t seed = 9000 + static_cast<uint64_t>(n);
    SCOPED_TRACE(testing::SeedTrace(seed) + " n=" + std::to_string(n));
    std::mt19937_64 rng(seed);
    const auto strings = RandomStrings(rng, n);
    std::vector<std::string_view> values(strings.begin(), strings.end());

    std::vector<uint8_t> dlba;
    EncodeDeltaLengthByteArray(values.data(), n, &dlba);
    DeltaLengthByteArrayDecoder dl;
    ASSERT_TRUE(dl.Init(dlba.data(), dlba.size(), n).ok());
    std::vector<std::string_view> out(values.size());
    ASSERT_TRUE(dl.Decode(out.data(), n).ok());
    ASSERT_EQ(out, values);
    EXPECT_EQ(dl.bytes_consumed(), dlba.size());

    std::vector<uint8_t> dba;
    EncodeDeltaByteArray(values.data(), n, &dba);
    DeltaByteArrayDecoder d;
    ASSERT_TRUE(d.Init(dba.data(), dba.size(), n).ok());
    // The views outlive the input buffer: they point into the decoder.
    std::fill(dba.begin(), dba.end(), 0xEE);
    std::vector<std::string_view> out2(values.size());
    ASSERT_TRUE(d.Decode(out2.data(), n).ok());
    ASSERT_EQ(out2, values);
  }
}

TEST(DeltaByteArrayTest, TruncationAtEveryOffset) {
  const auto data = DbaExample();
  for (size_t cut = 0; cut < data.size(); ++cut) {
    std::vector<uint8_t> truncated(data.begin(), data.begin() + static_cast<long>(cut));
    DeltaByteArrayDecoder d;
    Status st = d.Init(truncated.data(), truncated.size(), 4);
    EXPECT_TRUE(st.IsCorruption()) << "cut=" << cut << " " << st.ToString();
  }
  for (size_t cut = 0; cut < kDlbaExample.size(); ++cut) {
    std::vector<uint8_t> truncated(kDlbaExample.begin(), kDlbaExample.begin() + static_cast<long>(cut));
    DeltaLengthByteArrayDecoder d;
    Status st = d.Init(truncated.data(), truncated.size(), 4);
    EXPECT_TRUE(st.IsCorruption()) << "cut=" << cut << " " << st.ToString();
  }
}

// Builds a DELTA_BYTE_ARRAY stream from explicit prefix lengths and suffixes.
std::vector<uint8_t> BuildDba(const std::vector<int32_t>& prefixes,
                              const std::vector<std::string_view>& suffixes) {
  std::vector<uint8_t> out;
  EncodeDeltaBinaryPacked(prefixes.data(), static_cast<int64_t>(prefixes.size()), &out);
  EncodeDeltaLengthByteArray(suffixes.data(), static_cast<int64_t>(suffixes.size()), &out);
  return out;
}

TEST(DeltaByteArrayTest, PrefixLongerThanPreviousIsCorruption) {
  DeltaByteArrayDecoder d;
  const auto too_long = BuildDba({0, 4}, {"abc", "x"});
  EXPECT_TRUE(d.Init(too_long.data(), too_long.size(), 2).IsCorruption());
  const auto first_has_prefix = BuildDba({1}, {"a"});
  EXPECT_TRUE(d.Init(first_has_prefix.data(), first_has_prefix.size(), 1).IsCorruption());
  const auto negative = BuildDba({0, -1}, {"abc", "x"});
  EXPECT_TRUE(d.Init(negative.data(), negative.size(), 2).IsCorruption());
  const auto ok = BuildDba({0, 3, 4}, {"abc", "d", ""});
  ASSERT_TRUE(d.Init(ok.data(), ok.size(), 3).ok());
  std::string_view out[3];
  ASSERT_TRUE(d.Decode(out, 3).ok());
  EXPECT_EQ(out[0], "abc");
  EXPECT_EQ(out[1], "abcd");
  EXPECT_EQ(out[2], "abcd");
}

TEST(DeltaByteArrayTest, CountMismatchAndLimits) {
  std::vector<uint8_t> data;
  const int32_t prefixes[] = {0, 0};
  const std::string_view suffixes[] = {"a"};
  EncodeDeltaBinaryPacked(prefixes, 2, &data);
  EncodeDeltaLengthByteArray(suffixes, 1, &data);
  DeltaByteArrayDecoder d;
  EXPECT_TRUE(d.Init(data.data(), data.size(), 10).IsCorruption());
  // More values than the page allows.
  const auto dba = DbaExample();
  EXPECT_TRUE(d.Init(dba.data(), dba.size(), 3).IsCorruption());
  // Decoded size limit ("axis"+"axle"+"babble"+"babyhood" = 22 bytes).
  EXPECT_TRUE(d.Init(dba.data(), dba.size(), 4, 21).IsNotSupported());
  EXPECT_TRUE(d.Init(dba.data(), dba.size(), 4, 22).ok());
}

TEST(DeltaLengthByteArrayTest, LengthsPastEndAndNegative) {
  // Lengths 5,5,6,6 but only 21 data bytes.
  std::vector<uint8_t> short_data(kDlbaExample.begin(), kDlbaExample.end() - 1);
  DeltaLengthByteArrayDecoder d;
  EXPECT_TRUE(d.Init(short_data.data(), short_data.size(), 4).IsCorruption());
  std::vector<uint8_t> negative;
  const int32_t lengths[] = {1, -2};
  EncodeDeltaBinaryPacked(lengths, 2, &negative);
  negative.resize(negative.size() + 10, 'x');
  EXPECT_TRUE(d.Init(negative.data(), negative.size(), 2).IsCorruption());
  // Lengths overflowing int32 when summed are caught by the bound.
  std::vector<uint8_t> big;
  const int32_t big_lengths[] = {INT32_MAX, INT32_MAX, INT32_MAX};
  EncodeDeltaBinaryPacked(big_lengths, 3, &big);
  EXPECT_TRUE(d.Init(big.data(), big.size(), 3).IsCorruption());
}

TEST(DeltaByteArrayTest, ByteFlipsNeverCrash) {
  const uint64_t seed = 4711;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const auto strings = RandomStrings(rng, 300);
  std::vector<std::string_view> values(strings.begin(), strings.end());
  std::vector<uint8_t> dba;
  EncodeDeltaByteArray(values.data(), 300, &dba);
  for (int trial = 0; trial < 1000; ++trial) {
    auto copy = dba;
    // Flip within the first 300 bytes (the length streams) most of the time.
    const size_t pos = (trial % 4 == 0) ? rng() % copy.size() : rng() % std::min<size_t>(300, copy.size());
    copy[pos] ^= static_cast<uint8_t>(1 + rng() % 255);
    DeltaByteArrayDecoder d;
    Status st = d.Init(copy.data(), copy.size(), 300, 1 << 24);
    if (st.ok()) {
      std::vector<std::string_view> out(static_cast<size_t>(d.total_values()));
      ASSERT_TRUE(d.Decode(out.data(), d.total_values()).ok());
    } else {
      ASSERT_TRUE(st.IsCorruption() || st.IsNotSupported()) << st.ToString();
    }
  }
}

}  // namespace
}  // namespace edgepipe::parquet
