// Group-by kernels against plain scalar references: the Highway key-range
// and dense-id kernels (every size across vector widths), TwoSum vs
// Neumaier compensation, and dictionary key ids vs ids of the decoded
// strings.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "compute/group_ids_internal.h"
#include "compute/group_state_internal.h"
#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/buffer.h"

namespace edgepipe::compute::internal {
namespace {

const int64_t kSizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 127, 128, 129, 1023, 1024, 1025};

// A column of n + 3 values (nulls with probability null_p) sliced to
// [3, n + 3), so the kernels see a column offset.
template <typename T>
Column RandomKeys(std::mt19937_64& rng, int64_t n, T lo, uint64_t range, double null_p) {
  ColumnBuilder b(sizeof(T) == 4 ? Type::kInt32 : Type::kInt64);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int64_t i = 0; i < n + 3; ++i) {
    if (unit(rng) < null_p) {
      EXPECT_TRUE(b.AppendNull().ok());
    } else {
      const T v = static_cast<T>(static_cast<uint64_t>(lo) + rng() % range);
      EXPECT_TRUE(b.Append<T>(v).ok());
    }
  }
  return b.Finish()->Slice(3, n);
}

template <typename T>
void CheckRangeAndIds(uint64_t seed, T lo, uint64_t range, double null_p) {
  std::mt19937_64 rng(seed);
  const Type type = sizeof(T) == 4 ? Type::kInt32 : Type::kInt64;
  for (int64_t n : kSizes) {
    const Column col = RandomKeys<T>(rng, n + 5, lo, range, null_p);
    // Morsels starting at 0 and at 5 (unaligned).
    for (int64_t start : {int64_t{0}, int64_t{5}}) {
      const Morsel m{0, start, n + 5 - start, 0};
      const std::string ctx = "seed " + std::to_string(seed) + " n " + std::to_string(n) + " start " +
                              std::to_string(start) + " null_p " + std::to_string(null_p);
      int64_t want_lo = std::numeric_limits<int64_t>::max(), want_hi = std::numeric_limits<int64_t>::min();
      for (int64_t i = 0; i < m.length; ++i) {
        if (col.IsNull(m.offset + i)) continue;
        const int64_t v = col.values<T>()[m.offset + i];
        want_lo = std::min(want_lo, v);
        want_hi = std::max(want_hi, v);
      }
      int64_t got_lo = 0, got_hi = 0;
      ScanIntRange(col, type, m, &got_lo, &got_hi);
      EXPECT_EQ(got_lo, want_lo) << ctx;
      EXPECT_EQ(got_hi, want_hi) << ctx;
      if (range > static_cast<uint64_t>(kDenseMaxSlots) || want_lo > want_hi) continue;
      const uint32_t null_slot = static_cast<uint32_t>(want_hi - want_lo + 1);
      std::vector<uint32_t> ids(static_cast<size_t>(m.length) + 1, 0xABCDEFu);
      DenseIds(&col, type, want_lo, null_slot, m, ids.data());
      for (int64_t i = 0; i < m.length; ++i) {
        const uint32_t want = col.IsNull(m.offset + i)
                                  ? null_slot
                                  : static_cast<uint32_t>(col.values<T>()[m.offset + i] - want_lo);
        ASSERT_EQ(ids[static_cast<size_t>(i)], want) << ctx << " row " << i;
      }
      EXPECT_EQ(ids[static_cast<size_t>(m.length)], 0xABCDEFu) << ctx << ": wrote past the end";
    }
  }
}

TEST(GroupByKernelsTest, KeyRangeAndDenseIdsMatchScalar) {
  for (double null_p : {0.0, 0.2}) {
    CheckRangeAndIds<int64_t>(1, 1000, 1000, null_p);
    CheckRangeAndIds<int64_t>(2, -7, 20, null_p);
    CheckRangeAndIds<int64_t>(3, std::numeric_limits<int64_t>::min(), 16000, null_p);
    CheckRangeAndIds<int64_t>(4, std::numeric_limits<int64_t>::max() - 100, 101, null_p);
    CheckRangeAndIds<int64_t>(5, std::numeric_limits<int64_t>::min(), ~uint64_t{0}, null_p);  // any value
    CheckRangeAndIds<int32_t>(6, -3, 9, null_p);
    CheckRangeAndIds<int32_t>(7, std::numeric_limits<int32_t>::min(), 16000, null_p);
    CheckRangeAndIds<int32_t>(8, std::numeric_limits<int32_t>::max() - 50, 51, null_p);
    CheckRangeAndIds<int32_t>(9, std::numeric_limits<int32_t>::min(), uint64_t{1} << 32, null_p);
  }
}

// Both compensations add the exact rounding error of s + x to c, so for
// finite, non-overflowing sums the two agree bit for bit.
TEST(GroupByKernelsTest, TwoSumEqualsNeumaier) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int trial = 0; trial < 200; ++trial) {
    double s1 = 0, c1 = 0, s2 = 0, c2 = 0;
    for (int i = 0; i < 1000; ++i) {
      const double x = unit(rng) * std::pow(10.0, static_cast<double>(static_cast<int>(rng() % 41) - 20));
      NeumaierAdd(s1, c1, x);
      TwoSumAdd(s2, c2, x);
      ASSERT_EQ(std::memcmp(&s1, &s2, sizeof(double)), 0) << "seed 42 trial " << trial << " step " << i;
      ASSERT_EQ(c1, c2) << "seed 42 trial " << trial << " step " << i;
    }
  }
  double s = 0, c = 0;
  for (double x : {1.0, 1e100, 1.0, -1e100}) TwoSumAdd(s, c, x);
  EXPECT_EQ(s + c, 2.0);
}

std::shared_ptr<const Column> Strings(const std::vector<std::string>& values) {
  ColumnBuilder b(Type::kString);
  for (const auto& v : values) EXPECT_TRUE(b.AppendString(v).ok());
  return std::make_shared<const Column>(*b.Finish());
}

TEST(GroupByKernelsTest, DictionaryKeyMapDeduplicatesByBytes) {
  auto dict = Strings({"b", "a", "b", "", "a-much-longer-sensor-name-with-more-than-16-bytes", "",
                       "a-much-longer-sensor-name-with-more-than-16-bytez", "a"});
  const DictionaryKeyMap map = BuildDictionaryKeyMap(*dict);
  EXPECT_EQ(map.distinct, 5u);
  EXPECT_EQ(map.canon, (std::vector<uint32_t>{0, 1, 0, 2, 3, 2, 4, 1}));
  // A sliced dictionary starts at its offset.
  const DictionaryKeyMap sliced = BuildDictionaryKeyMap(dict->Slice(2, 4));
  EXPECT_EQ(sliced.distinct, 3u);
  EXPECT_EQ(sliced.canon, (std::vector<uint32_t>{0, 1, 2, 1}));
  EXPECT_EQ(BuildDictionaryKeyMap(*Strings({})).distinct, 0u);
}

// Local ids of a dictionary column equal those of its decoded strings: same
// ids, same first rows, for every size and morsel start.
TEST(GroupByKernelsTest, DictionaryLocalIdsMatchDecoded) {
  std::mt19937_64 rng(3);
  auto dict = Strings({"imu-1", "imu-2", "imu-1", "", "x", "unused", "x"});
  for (int64_t n : kSizes) {
    const int64_t total = n + 4;
    auto codes = *Buffer::Allocate(static_cast<size_t>(total) * sizeof(int32_t));
    auto validity = *Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(total)));
    int64_t nulls = 0;
    for (int64_t i = 0; i < total; ++i) {
      codes->mutable_data_as<int32_t>()[i] = static_cast<int32_t>(rng() % 5);  // never "unused"
      if (rng() % 6 == 0) {
        ++nulls;
      } else {
        bit_util::SetBit(validity->mutable_data(), i);
      }
    }
    const Column col = Column::MakeDictionary(total, codes, dict, validity, nulls)->Slice(1, n + 3);
    const Column plain = *col.DecodeDictionary();
    const DictionaryKeyMap map = BuildDictionaryKeyMap(*col.dictionary());
    for (int64_t start : {int64_t{0}, int64_t{2}}) {
      const Morsel m{0, start, n + 3 - start, 0};
      std::vector<uint32_t> got(static_cast<size_t>(m.length)), want(static_cast<size_t>(m.length));
      std::vector<int64_t> got_rep, want_rep;
      const uint32_t got_n = LocalIds(col, Type::kString, m, got.data(), &got_rep, &map);
      const uint32_t want_n = LocalIds(plain, Type::kString, m, want.data(), &want_rep);
      const std::string ctx = "seed 3 n " + std::to_string(n) + " start " + std::to_string(start);
      EXPECT_EQ(got_n, want_n) << ctx;
      EXPECT_EQ(got, want) << ctx;
      EXPECT_EQ(got_rep, want_rep) << ctx;
    }
  }
}

}  // namespace
}  // namespace edgepipe::compute::internal
