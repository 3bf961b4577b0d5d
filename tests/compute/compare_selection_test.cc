// Comparisons (to selection bitmaps), Filter and Take vs scalar references,
// on every compiled Highway target, with slices and nulls.

#include <gtest/gtest.h>

#include <limits>

#include "compute/kernel_test_util.h"
#include "edgepipe/compute/compare.h"
#include "edgepipe/compute/selection.h"

namespace edgepipe::compute {
namespace {

using testing::LargeLengths;
using testing::MakeSlicedColumn;
using testing::RandomValidity;
using testing::RandomValues;
using testing::RefCompare;
using testing::SweepLengths;
using testing::SweepLengthsOnEveryTarget;

constexpr CompareOp kOps[] = {CompareOp::kEqual,     CompareOp::kNotEqual, CompareOp::kLess,
                              CompareOp::kLessEqual, CompareOp::kGreater,  CompareOp::kGreaterEqual};

template <typename T>
void CheckRawCompare(uint64_t seed, int64_t n) {
  std::mt19937_64 rng(seed);
  auto a = RandomValues<T>(rng, n);
  auto b = RandomValues<T>(rng, n);
  // Equal pairs are rare at random: copy some.
  for (int64_t i = 0; i < n; i += 3) b[i] = a[i];
  const T s = n > 0 ? a[n / 2] : T(1);
  const int64_t bytes = bit_util::BytesForBits(n);
  std::vector<uint8_t> bits(static_cast<size_t>(bytes) + 1, 0xAB);
  for (CompareOp op : kOps) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " op " << CompareOpName(op));
    CompareInto(op, a.data(), b.data(), bits.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(bit_util::GetBit(bits.data(), i), RefCompare(op, a[i], b[i])) << "row " << i << ": " << a[i] << " vs "
                                                                             << b[i];
    }
    for (int64_t i = n; i < bytes * 8; ++i) ASSERT_FALSE(bit_util::GetBit(bits.data(), i)) << "padding bit " << i;
    ASSERT_EQ(bits[bytes], 0xAB) << "wrote past the bitmap";
    CompareScalarInto(op, a.data(), s, bits.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(bit_util::GetBit(bits.data(), i), RefCompare(op, a[i], s)) << "row " << i;
  }
}

template <typename T>
void SweepRawCompare() {
  SweepLengthsOnEveryTarget(3000, [](uint64_t seed, int64_t n) { CheckRawCompare<T>(seed, n); });
}

TEST(CompareTest, RawFloat64OnEveryTarget) { SweepRawCompare<double>(); }
TEST(CompareTest, RawFloat32OnEveryTarget) { SweepRawCompare<float>(); }
TEST(CompareTest, RawInt32OnEveryTarget) { SweepRawCompare<int32_t>(); }
TEST(CompareTest, RawInt64OnEveryTarget) { SweepRawCompare<int64_t>(); }

TEST(CompareTest, NaNInfAndSignedZero) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto a = ColumnFromVector<double>(Type::kFloat64, {nan, nan, -0.0, inf, -inf});
  auto b = ColumnFromVector<double>(Type::kFloat64, {nan, 1.0, 0.0, inf, 1.0});
  ASSERT_TRUE(a.ok() && b.ok());
  auto eq = Compare(CompareOp::kEqual, *a, *b);
  auto ne = Compare(CompareOp::kNotEqual, *a, *b);
  auto le = Compare(CompareOp::kLessEqual, *a, *b);
  ASSERT_TRUE(eq.ok() && ne.ok() && le.ok());
  EXPECT_FALSE(eq->GetBool(0));  // NaN != NaN
  EXPECT_TRUE(ne->GetBool(0));
  EXPECT_FALSE(le->GetBool(1));  // NaN <= 1 is false
  EXPECT_TRUE(eq->GetBool(2));   // -0 == +0
  EXPECT_TRUE(eq->GetBool(3));   // inf == inf
  EXPECT_TRUE(le->GetBool(4));   // -inf <= 1
}

template <typename T>
void CheckColumnCompare(uint64_t seed, int64_t n, int64_t off_a, int64_t off_b, int pct_a, int pct_b) {
  std::mt19937_64 rng(seed);
  auto va = RandomValues<T>(rng, n);
  auto vb = RandomValues<T>(rng, n);
  for (int64_t i = 0; i < n; i += 4) vb[i] = va[i];
  auto valid_a = pct_a ? RandomValidity(rng, n, pct_a) : std::vector<bool>();
  auto valid_b = pct_b ? RandomValidity(rng, n, pct_b) : std::vector<bool>();
  const Column a = MakeSlicedColumn(va, valid_a, off_a, rng);
  const Column b = MakeSlicedColumn(vb, valid_b, off_b, rng);
  for (CompareOp op : kOps) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " op " << CompareOpName(op));
    auto out = Compare(op, a, b);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->type(), Type::kBool);
    for (int64_t i = 0; i < n; ++i) {
      const bool valid = a.IsValid(i) && b.IsValid(i);
      ASSERT_EQ(out->IsValid(i), valid) << "row " << i;
      if (valid) {
        ASSERT_EQ(out->GetBool(i), RefCompare(op, va[i], vb[i])) << "row " << i;
      }
    }
    // Filter with it: the rows where the comparison is true and not null.
    auto filtered = Filter(a, *out);
    ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
    int64_t j = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (!(out->IsValid(i) && out->GetBool(i))) continue;
      ASSERT_LT(j, filtered->length());
      ASSERT_EQ(filtered->IsValid(j), a.IsValid(i)) << "row " << i << " -> " << j;
      if (a.IsValid(i)) {
        ASSERT_TRUE(testing::SameValue(filtered->values<T>()[j], va[i])) << "row " << i;
      }
      ++j;
    }
    ASSERT_EQ(filtered->length(), j);
  }
}

TEST(CompareTest, ColumnsWithSlicesAndNullsThenFilter) {
  uint64_t seed = 4000;
  for (int64_t n : SweepLengths()) {
    for (int64_t off = 0; off < 8; ++off) {
      CheckColumnCompare<double>(++seed, n, off, (off + 5) % 8, 0, 0);
      CheckColumnCompare<float>(++seed, n, off, 0, 30, 0);
      CheckColumnCompare<int32_t>(++seed, n, 0, off, 0, 20);
      CheckColumnCompare<int64_t>(++seed, n, off, 7 - off, 15, 15);
    }
  }
  CheckColumnCompare<double>(++seed, LargeLengths().back(), 1, 6, 10, 0);
}

TEST(CompareTest, ScalarConversionAndErrors) {
  auto i = ColumnFromVector<int32_t>(Type::kInt32, {1, 5, 9});
  auto d = ColumnFromVector<double>(Type::kFloat64, {1, 5, 9});
  auto s = ColumnFromVector<std::string>(Type::kString, {"a", "b", "c"});
  ASSERT_TRUE(i.ok() && d.ok() && s.ok());
  auto gt = CompareScalar(CompareOp::kGreater, *i, 4);
  ASSERT_TRUE(gt.ok());
  EXPECT_FALSE(gt->GetBool(0));
  EXPECT_TRUE(gt->GetBool(1));
  EXPECT_TRUE(CompareScalar(CompareOp::kGreater, *i, 4.5).status().IsInvalidArgument());
  EXPECT_TRUE(Compare(CompareOp::kLess, *i, *d).status().IsInvalidArgument());
  EXPECT_TRUE(CompareScalar(CompareOp::kLess, *s, 1).status().IsNotSupported());
}

TEST(SelectionTest, FilterEveryTypeWithSelectionNulls) {
  auto sel = ColumnFromVector<bool>(Type::kBool, {true, false, true, true, false}, {true, true, false, true, true});
  auto strs = ColumnFromVector<std::string>(Type::kString, {"a", "b", "c", "d", "e"}, {true, true, true, false, true});
  auto bools = ColumnFromVector<bool>(Type::kBool, {true, true, false, false, true});
  auto ints = ColumnFromVector<int64_t>(Type::kInt64, {10, 20, 30, 40, 50});
  ASSERT_TRUE(sel.ok() && strs.ok() && bools.ok() && ints.ok());
  // Selected: row 0 and row 3 (row 2's selection is null: dropped).
  auto fs = Filter(*strs, *sel);
  ASSERT_TRUE(fs.ok());
  ASSERT_EQ(fs->length(), 2);
  EXPECT_EQ(fs->GetString(0), "a");
  EXPECT_TRUE(fs->IsNull(1));
  auto fb = Filter(*bools, *sel);
  ASSERT_TRUE(fb.ok());
  ASSERT_EQ(fb->length(), 2);
  EXPECT_TRUE(fb->GetBool(0));
  EXPECT_FALSE(fb->GetBool(1));
  auto fi = Filter(*ints, *sel);
  ASSERT_TRUE(fi.ok());
  ASSERT_EQ(fi->length(), 2);
  EXPECT_EQ(fi->values<int64_t>()[1], 40);
  EXPECT_TRUE(Filter(*ints, *ints).status().IsInvalidArgument());
  EXPECT_TRUE(Filter(*ints, sel->Slice(0, 4)).status().IsInvalidArgument());
}

TEST(SelectionTest, FilterDenseAndSparseWordsAtOffsets) {
  for (int64_t n : {63, 64, 65, 200, 1025}) {
    for (int64_t off = 0; off < 8; ++off) {
      std::mt19937_64 rng(static_cast<uint64_t>(n * 8 + off));
      auto v = RandomValues<float>(rng, n);
      std::vector<bool> s(n);
      // First 130 rows all selected (whole words), then random.
      for (int64_t i = 0; i < n; ++i) s[i] = i < 130 || (rng() & 1);
      const Column values = MakeSlicedColumn(v, {}, off, rng);
      std::vector<bool> padded(static_cast<size_t>(off), false);
      padded.insert(padded.end(), s.begin(), s.end());
      auto sel_full = ColumnFromVector<bool>(Type::kBool, padded);
      ASSERT_TRUE(sel_full.ok());
      auto out = Filter(values, sel_full->Slice(off, n));
      ASSERT_TRUE(out.ok());
      int64_t j = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (!s[i]) continue;
        ASSERT_TRUE(testing::SameValue(out->values<float>()[j], v[i])) << "n " << n << " off " << off << " row " << i;
        ++j;
      }
      ASSERT_EQ(out->length(), j);
    }
  }
}

TEST(SelectionTest, TakeGathersAndChecksBounds) {
  auto values = ColumnFromVector<double>(Type::kFloat64, {1.5, 2.5, 3.5, 4.5}, {true, false, true, true});
  auto idx = ColumnFromVector<int64_t>(Type::kInt64, {3, 1, 0, 2, 0}, {true, true, true, false, true});
  ASSERT_TRUE(values.ok() && idx.ok());
  auto out = Take(*values, *idx);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->length(), 5);
  EXPECT_EQ(out->values<double>()[0], 4.5);
  EXPECT_TRUE(out->IsNull(1));  // the value is null
  EXPECT_EQ(out->values<double>()[2], 1.5);
  EXPECT_TRUE(out->IsNull(3));  // the index is null
  EXPECT_EQ(out->null_count(), 2);

  auto bad = ColumnFromVector<int64_t>(Type::kInt64, {0, 4});
  ASSERT_TRUE(bad.ok());
  Status st = Take(*values, *bad).status();
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("index 4 at position 1"), std::string::npos) << st.ToString();
  auto neg = ColumnFromVector<int64_t>(Type::kInt64, {-1});
  ASSERT_TRUE(neg.ok());
  EXPECT_TRUE(Take(*values, *neg).status().IsInvalidArgument());
  EXPECT_TRUE(Take(*values, *values).status().IsInvalidArgument());

  auto strs = ColumnFromVector<std::string>(Type::kString, {"x", "yy", "zzz"});
  auto sidx = ColumnFromVector<int64_t>(Type::kInt64, {2, 2, 0});
  ASSERT_TRUE(strs.ok() && sidx.ok());
  auto sout = Take(*strs, *sidx);
  ASSERT_TRUE(sout.ok());
  EXPECT_EQ(sout->GetString(0), "zzz");
  EXPECT_EQ(sout->GetString(2), "x");
}

TEST(SelectionTest, TakeLargeParallelMatchesReference) {
  const int64_t n = LargeLengths().back();
  std::mt19937_64 rng(99);
  auto v = RandomValues<int32_t>(rng, n);
  std::vector<int64_t> idx(n);
  std::uniform_int_distribution<int64_t> dist(0, n - 1);
  for (auto& x : idx) x = dist(rng);
  const Column values = MakeSlicedColumn(v, {}, 3, rng);
  auto ic = ColumnFromVector<int64_t>(Type::kInt64, idx);
  ASSERT_TRUE(ic.ok());
  auto out = Take(values, *ic);
  ASSERT_TRUE(out.ok());
  for (int64_t j = 0; j < n; ++j) ASSERT_EQ(out->values<int32_t>()[j], v[idx[j]]) << "seed 99 position " << j;
}

}  // namespace
}  // namespace edgepipe::compute
