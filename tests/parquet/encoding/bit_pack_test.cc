#include "parquet/encoding/bit_pack.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "parquet/encoding/encoding_test_util.h"

namespace edgepipe::parquet {
namespace {

// Reference: value i is bits [i*w, (i+1)*w) of the buffer, LSB first.
uint64_t NaiveGet(const std::vector<uint8_t>& buf, int w, int64_t i) {
  uint64_t v = 0;
  for (int b = 0; b < w; ++b) {
    const int64_t bit = i * w + b;
    v |= static_cast<uint64_t>((buf[static_cast<size_t>(bit / 8)] >> (bit % 8)) & 1) << b;
  }
  return v;
}

template <typename Out>
void CheckUnpackAgainstNaive(int max_width) {
  const uint64_t seed = 1234 + max_width;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int w = 0; w <= max_width; ++w) {
    for (int64_t groups : {1, 2, 3, 5, 9, 17, 64}) {
      SCOPED_TRACE("width=" + std::to_string(w) + " groups=" + std::to_string(groups));
      // Exactly sized heap buffer so ASan catches any over-read.
      std::vector<uint8_t> buf(static_cast<size_t>(groups * w));
      for (auto& b : buf) b = static_cast<uint8_t>(rng());
      std::vector<Out> out(static_cast<size_t>(groups * 8), Out{0x5A});
      bitpack::Unpack<Out>(buf.data(), out.data(), w, groups);
      for (int64_t i = 0; i < groups * 8; ++i) {
        ASSERT_EQ(static_cast<uint64_t>(out[static_cast<size_t>(i)]), NaiveGet(buf, w, i))
            << "value " << i;
      }
    }
  }
}

TEST(BitPackTest, UnpackMatchesNaiveEveryWidth) {
  CheckUnpackAgainstNaive<uint8_t>(8);
  CheckUnpackAgainstNaive<uint16_t>(16);
  CheckUnpackAgainstNaive<uint32_t>(32);
  CheckUnpackAgainstNaive<uint64_t>(64);
}

TEST(BitPackTest, SpecExampleWidth3) {
  // Encodings.md: 0..7 with bit width 3 packs to 10001000 11000110 11111010.
  const uint32_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t packed[3] = {};
  bitpack::Pack<uint32_t>(values, packed, 3, 1);
  EXPECT_EQ(packed[0], 0b10001000);
  EXPECT_EQ(packed[1], 0b11000110);
  EXPECT_EQ(packed[2], 0b11111010);
  uint32_t out[8];
  bitpack::Unpack<uint32_t>(packed, out, 3, 1);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], values[i]);
}

TEST(BitPackTest, PackUnpackRoundTripEveryWidth) {
  const uint64_t seed = 99;
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int w = 0; w <= 64; ++w) {
    const int64_t groups = 13;
    std::vector<uint64_t> in(static_cast<size_t>(groups * 8));
    const uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    for (auto& v : in) v = rng() & mask;
    in[0] = mask;  // extreme value
    std::vector<uint8_t> packed(static_cast<size_t>(groups * w));
    bitpack::Pack<uint64_t>(in.data(), packed.data(), w, groups);
    std::vector<uint64_t> out(in.size(), 77);
    bitpack::Unpack<uint64_t>(packed.data(), out.data(), w, groups);
    ASSERT_EQ(out, in) << "width " << w;
    if (w <= 32) {
      std::vector<uint32_t> in32(in.begin(), in.end());
      std::vector<uint8_t> packed32(packed.size());
      bitpack::Pack<uint32_t>(in32.data(), packed32.data(), w, groups);
      ASSERT_EQ(packed32, packed) << "width " << w;
    }
  }
}

TEST(BitPackTest, PackIgnoresHighBits) {
  const uint32_t values[8] = {0xFFFFFFFF, 0, 0, 0, 0, 0, 0, 0};
  uint8_t packed[1] = {};
  bitpack::Pack<uint32_t>(values, packed, 1, 1);
  EXPECT_EQ(packed[0], 1);
}

TEST(BitPackTest, BitWidthOf) {
  EXPECT_EQ(bitpack::BitWidthOf(0), 0);
  EXPECT_EQ(bitpack::BitWidthOf(1), 1);
  EXPECT_EQ(bitpack::BitWidthOf(2), 2);
  EXPECT_EQ(bitpack::BitWidthOf(255), 8);
  EXPECT_EQ(bitpack::BitWidthOf(256), 9);
  EXPECT_EQ(bitpack::BitWidthOf(~uint64_t{0}), 64);
}

}  // namespace
}  // namespace edgepipe::parquet
