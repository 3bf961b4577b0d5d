#include "parquet/encoding/dictionary.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"
#include "parquet/encoding/plain.h"

namespace edgepipe::parquet {
namespace {

// Encodes values, decodes the dictionary page and indices, gathers, and
// compares bit patterns.
template <typename T>
void RoundTrip(const std::vector<T>& values, int32_t expected_entries = -1) {
  DictionaryEncoder<T> encoder;
  encoder.Put(values.data(), static_cast<int64_t>(values.size()));
  if (expected_entries >= 0) {
    EXPECT_EQ(encoder.num_entries(), expected_entries);
  }
  std::vector<uint8_t> dict_page;
  encoder.WriteDictPage(&dict_page);
  EXPECT_EQ(static_cast<int64_t>(dict_page.size()), encoder.dict_encoded_size());
  std::vector<uint8_t> data_page;
  encoder.WriteIndices(&data_page);
  EXPECT_EQ(encoder.num_buffered_indices(), 0);

  std::vector<T> dict(static_cast<size_t>(encoder.num_entries()));
  size_t consumed;
  if constexpr (std::is_same_v<T, std::string_view>) {
    ASSERT_TRUE(DecodePlainByteArray(dict_page.data(), dict_page.size(), encoder.num_entries(),
                                     dict.data(), &consumed)
                    .ok());
  } else {
    ASSERT_TRUE(
        DecodePlain(dict_page.data(), dict_page.size(), encoder.num_entries(), dict.data(), &consumed)
            .ok());
  }
  std::vector<uint32_t> indices(values.size());
  ASSERT_TRUE(DecodeDictionaryIndices(data_page.data(), data_page.size(),
                                      static_cast<int64_t>(values.size()), indices.data())
                  .ok());
  std::vector<T> out(values.size());
  ASSERT_TRUE(DictionaryGather(dict.data(), encoder.num_entries(), indices.data(),
                               static_cast<int64_t>(values.size()), out.data())
                  .ok());
  if constexpr (std::is_same_v<T, std::string_view>) {
    ASSERT_EQ(out, values);
  } else {
    // (memcmp on the null data() of empty vectors would be UB)
    ASSERT_TRUE(values.empty() ||
                std::memcmp(out.data(), values.data(), values.size() * sizeof(T)) == 0);
  }
}

TEST(DictionaryTest, HandComputedInt32) {
  DictionaryEncoder<int32_t> encoder;
  const int32_t values[] = {7, 9, 7, 7, 42};
  encoder.Put(values, 5);
  EXPECT_EQ(encoder.num_entries(), 3);
  std::vector<uint8_t> dict;
  encoder.WriteDictPage(&dict);
  EXPECT_EQ(dict, (std::vector<uint8_t>{7, 0, 0, 0, 9, 0, 0, 0, 42, 0, 0, 0}));
  std::vector<uint8_t> page;
  encoder.WriteIndices(&page);
  // Bit width 2; indices 0,1,0,0,2 padded to a group: 0 | 1<<2 | 2<<8 ->
  // header 0x03, bytes 0x04 0x02.
  EXPECT_EQ(page, (std::vector<uint8_t>{2, 0x03, 0x04, 0x02}));
}

TEST(DictionaryTest, RoundTripSizesAndCardinalities) {
  for (int64_t n : testing::SweepSizes()) {
    for (uint64_t cardinality : {uint64_t{1}, uint64_t{2}, uint64_t{16}, uint64_t{1000}, uint64_t{1} << 30}) {
      const uint64_t seed = static_cast<uint64_t>(n) * 31 + cardinality;
      SCOPED_TRACE(testing::SeedTrace(seed) + " n=" + std::to_string(n) +
                   " card=" + std::to_string(cardinality));
      std::mt19937_64 rng(seed);
      std::vector<int32_t> i32(static_cast<size_t>(n));
      std::vector<int64_t> i64(static_cast<size_t>(n));
      std::vector<double> f64(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t r = rng() % cardinality;
        i32[i] = static_cast<int32_t>(r * 2654435761u);
        i64[i] = static_cast<int64_t>(r << 33) - 5;
        f64[i] = static_cast<double>(r) * 0.1;
      }
      RoundTrip(i32);
      RoundTrip(i64);
      RoundTrip(f64);
    }
  }
}

TEST(DictionaryTest, FloatBitPatterns) {
  const float nan1 = std::numeric_limits<float>::quiet_NaN();
  const float nan2 = std::bit_cast<float>(uint32_t{0x7FC00001});
  const std::vector<float> values = {0.0f, -0.0f, nan1, nan2, nan1, 0.0f, -0.0f, 1.5f};
  RoundTrip(values, 5);
  const std::vector<double> dvalues = {0.0, -0.0, std::nan(""), -std::nan(""), 0.0,
                                       std::numeric_limits<double>::infinity()};
  RoundTrip(dvalues, 5);
}

TEST(DictionaryTest, StringsAreCopied) {
  DictionaryEncoder<std::string_view> encoder;
  {
    std::string a = "hello";
    std::string b;  // empty
    std::string c(100000, 'z');
    const std::string_view values[] = {a, b, c, a, b};
    encoder.Put(values, 5);
    a[0] = 'X';  // the encoder must have its own copy
  }
  ASSERT_EQ(encoder.num_entries(), 3);
  EXPECT_EQ(encoder.entries()[0], "hello");
  EXPECT_EQ(encoder.entries()[1], "");
  EXPECT_EQ(encoder.entries()[2].size(), 100000u);
  EXPECT_EQ(encoder.dict_encoded_size(), 4 + 5 + 4 + 0 + 4 + 100000);
}

TEST(DictionaryTest, StringRoundTripManyEntries) {
  const uint64_t seed = 2024;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::vector<std::string> pool;
  for (int i = 0; i < 5000; ++i) pool.push_back("sensor_" + std::to_string(rng() % 3000));
  pool.push_back("");
  std::vector<std::string_view> values(pool.begin(), pool.end());
  RoundTrip(values);
}

TEST(DictionaryTest, MultiplePages) {
  DictionaryEncoder<int64_t> encoder;
  const int64_t page1[] = {1, 2, 3};
  const int64_t page2[] = {3, 4};
  encoder.Put(page1, 3);
  std::vector<uint8_t> p1;
  encoder.WriteIndices(&p1);
  encoder.Put(page2, 2);
  std::vector<uint8_t> p2;
  encoder.WriteIndices(&p2);
  uint32_t idx[2];
  ASSERT_TRUE(DecodeDictionaryIndices(p2.data(), p2.size(), 2, idx).ok());
  EXPECT_EQ(idx[0], 2u);
  EXPECT_EQ(idx[1], 3u);
  EXPECT_EQ(encoder.num_entries(), 4);
}

TEST(DictionaryTest, GatherOutOfRangeIsCorruption) {
  const int32_t dict[] = {10, 20, 30};
  std::vector<uint32_t> indices(3000, 1);
  std::vector<int32_t> out(indices.size());
  ASSERT_TRUE(DictionaryGather(dict, 3, indices.data(), 3000, out.data()).ok());
  EXPECT_EQ(out[2999], 20);
  indices[2500] = 3;
  Status st = DictionaryGather(dict, 3, indices.data(), 3000, out.data());
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("2500"), std::string::npos) << st.message();
  EXPECT_TRUE(DictionaryGather(dict, 0, indices.data(), 1, out.data()).IsCorruption());
}

TEST(DictionaryTest, IndicesCorruption) {
  uint32_t out[4];
  const uint8_t bad_width[] = {33, 0x02, 0x00};
  EXPECT_TRUE(DecodeDictionaryIndices(bad_width, sizeof(bad_width), 1, out).IsCorruption());
  EXPECT_TRUE(DecodeDictionaryIndices(bad_width, 0, 1, out).IsCorruption());
  const uint8_t truncated[] = {4, 0x03, 0x21};
  EXPECT_TRUE(DecodeDictionaryIndices(truncated, sizeof(truncated), 4, out).IsCorruption());
}

}  // namespace
}  // namespace edgepipe::parquet
