// Elementwise kernels vs their scalar references, on every compiled
// Highway target, across lengths, slice offsets, nulls and special values.

#include "edgepipe/compute/elementwise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "compute/kernel_test_util.h"

namespace edgepipe::compute {
namespace {

using testing::ForEachTarget;
using testing::LargeLengths;
using testing::MakeSlicedColumn;
using testing::RandomValidity;
using testing::RandomValues;
using testing::RefArith;
using testing::SameValue;
using testing::SweepLengths;
using testing::SweepLengthsOnEveryTarget;

constexpr ArithOp kOps[] = {ArithOp::kAdd, ArithOp::kSubtract, ArithOp::kMultiply, ArithOp::kDivide};

template <typename T>
void CheckRawArith(uint64_t seed, int64_t n) {
  std::mt19937_64 rng(seed);
  auto a = RandomValues<T>(rng, n);
  auto b = RandomValues<T>(rng, n);
  if constexpr (!std::is_floating_point_v<T>) {
    for (auto& x : b) x = x == 0 ? T(7) : x;  // no division by zero here
  }
  // +1 element so the kernels see an unaligned output too.
  std::vector<T> out(static_cast<size_t>(n) + 1);
  for (int shift = 0; shift < 2; ++shift) {
    for (ArithOp op : kOps) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " op " << ArithOpName(op) << " out+"
                                        << shift);
      ASSERT_TRUE(ArithmeticInto(op, a.data(), b.data(), out.data() + shift, n).ok());
      for (int64_t i = 0; i < n; ++i) {
        const T expected = RefArith(op, a[i], b[i]);
        ASSERT_TRUE(SameValue(out[i + shift], expected)) << "row " << i << ": " << a[i] << " " << ArithOpName(op)
                                                         << " " << b[i] << " = " << out[i + shift] << ", expected "
                                                         << expected;
      }
      const T s = b.empty() ? T(3) : b[0];
      ASSERT_TRUE(ArithmeticScalarInto(op, a.data(), s, out.data() + shift, n).ok());
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_TRUE(SameValue(out[i + shift], RefArith(op, a[i], s))) << "scalar op, row " << i;
      }
    }
  }
}

template <typename T>
void SweepRawArith() {
  SweepLengthsOnEveryTarget(1000, [](uint64_t seed, int64_t n) { CheckRawArith<T>(seed, n); });
}

TEST(ElementwiseTest, RawFloat64MatchesReferenceOnEveryTarget) { SweepRawArith<double>(); }
TEST(ElementwiseTest, RawFloat32MatchesReferenceOnEveryTarget) { SweepRawArith<float>(); }
TEST(ElementwiseTest, RawInt32MatchesReferenceOnEveryTarget) { SweepRawArith<int32_t>(); }
TEST(ElementwiseTest, RawInt64MatchesReferenceOnEveryTarget) { SweepRawArith<int64_t>(); }

TEST(ElementwiseTest, MultiplyIntoLargeStreamsAndMatches) {
  // Above the non-temporal-store threshold (64 MiB of output).
  const int64_t n = (int64_t{64} << 20) / 8 + 13;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> dist(0.5, 1.5);
  std::vector<double> a(n), b(n), out(n + 1);
  for (int64_t i = 0; i < n; ++i) {
    a[i] = dist(rng);
    b[i] = dist(rng);
  }
  ForEachTarget([&](const std::string&) {
    for (int shift = 0; shift < 2; ++shift) {
      std::fill(out.begin(), out.end(), -1.0);
      MultiplyInto(a.data(), b.data(), out.data() + shift, n);
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i + shift], a[i] * b[i]) << "row " << i << " shift " << shift;
    }
  });
}

TEST(ElementwiseTest, MultiplyAddIsFusedOrUnfused) {
  ForEachTarget([](const std::string&) {
    uint64_t seed = 500;
    std::vector<int64_t> lengths = SweepLengths();
    lengths.push_back(LargeLengths().back());
    for (int64_t n : lengths) {
      std::mt19937_64 rng(++seed);
      auto a = RandomValues<double>(rng, n, false);
      auto b = RandomValues<double>(rng, n, false);
      auto c = RandomValues<double>(rng, n, false);
      std::vector<double> out(n);
      MultiplyAddInto(a.data(), b.data(), c.data(), out.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const double fused = std::fma(a[i], b[i], c[i]);
        const double unfused = a[i] * b[i] + c[i];
        ASSERT_TRUE(out[i] == fused || out[i] == unfused) << "seed " << seed << " row " << i;
      }
      auto af = RandomValues<float>(rng, n, false);
      auto bf = RandomValues<float>(rng, n, false);
      auto cf = RandomValues<float>(rng, n, false);
      std::vector<float> outf(n);
      MultiplyAddInto(af.data(), bf.data(), cf.data(), outf.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const float fused = std::fma(af[i], bf[i], cf[i]);
        const float unfused = af[i] * bf[i] + cf[i];
        ASSERT_TRUE(outf[i] == fused || outf[i] == unfused) << "seed " << seed << " row " << i;
      }
    }
  });
}

template <typename T>
void CheckColumnArith(uint64_t seed, int64_t n, int64_t offset_a, int64_t offset_b, int null_pct_a, int null_pct_b) {
  std::mt19937_64 rng(seed);
  auto va = RandomValues<T>(rng, n);
  auto vb = RandomValues<T>(rng, n);
  if constexpr (!std::is_floating_point_v<T>) {
    for (auto& x : vb) x = x == 0 ? T(5) : x;
  }
  auto valid_a = null_pct_a ? RandomValidity(rng, n, null_pct_a) : std::vector<bool>();
  auto valid_b = null_pct_b ? RandomValidity(rng, n, null_pct_b) : std::vector<bool>();
  const Column a = MakeSlicedColumn(va, valid_a, offset_a, rng);
  const Column b = MakeSlicedColumn(vb, valid_b, offset_b, rng);
  for (ArithOp op : kOps) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " offsets " << offset_a << "," << offset_b
                                      << " op " << ArithOpName(op));
    auto out = Arithmetic(op, a, b);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->length(), n);
    ASSERT_EQ(out->type(), a.type());
    const T* o = out->values<T>();
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; ++i) {
      const bool valid = a.IsValid(i) && b.IsValid(i);
      ASSERT_EQ(out->IsValid(i), valid) << "row " << i;
      if (!valid) {
        ++nulls;
        continue;
      }
      ASSERT_TRUE(SameValue(o[i], RefArith(op, va[i], vb[i]))) << "row " << i;
    }
    EXPECT_EQ(out->null_count(), nulls);
  }
}

template <typename T>
void SweepColumnArith() {
  uint64_t seed = 2000;
  for (int64_t n : SweepLengths()) {
    for (int64_t offset = 0; offset < 8; ++offset) {
      CheckColumnArith<T>(++seed, n, offset, (offset * 3) % 8, 0, 0);
      CheckColumnArith<T>(++seed, n, offset, 0, 20, 0);
      CheckColumnArith<T>(++seed, n, 0, offset, 0, 30);
      CheckColumnArith<T>(++seed, n, offset, 7 - offset, 25, 25);
    }
  }
  CheckColumnArith<T>(++seed, LargeLengths().back(), 3, 5, 10, 10);
}

TEST(ElementwiseTest, ColumnFloat64WithSlicesAndNulls) { SweepColumnArith<double>(); }
TEST(ElementwiseTest, ColumnFloat32WithSlicesAndNulls) { SweepColumnArith<float>(); }
TEST(ElementwiseTest, ColumnInt32WithSlicesAndNulls) { SweepColumnArith<int32_t>(); }
TEST(ElementwiseTest, ColumnInt64WithSlicesAndNulls) { SweepColumnArith<int64_t>(); }

TEST(ElementwiseTest, IeeeSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> a = {1.0, -1.0, 0.0, -0.0, inf, inf, nan, -0.0, 5.0};
  const std::vector<double> b = {0.0, 0.0, 0.0, 1.0, -inf, 0.0, 1.0, -0.0, -0.0};
  std::vector<double> out(a.size());
  ASSERT_TRUE(ArithmeticInto(ArithOp::kDivide, a.data(), b.data(), out.data(), 9).ok());
  EXPECT_EQ(out[0], inf);
  EXPECT_EQ(out[1], -inf);
  EXPECT_TRUE(std::isnan(out[2]));  // 0/0
  EXPECT_TRUE(std::signbit(out[3]) && out[3] == 0.0);  // -0/1 = -0
  EXPECT_TRUE(std::isnan(out[4]));  // inf/-inf
  EXPECT_EQ(out[5], inf);
  EXPECT_TRUE(std::isnan(out[6]));
  EXPECT_TRUE(std::isnan(out[7]));
  EXPECT_EQ(out[8], -inf);  // 5/-0
  ASSERT_TRUE(ArithmeticInto(ArithOp::kMultiply, a.data(), b.data(), out.data(), 9).ok());
  EXPECT_TRUE(std::signbit(out[1]) && out[1] == 0.0);  // -1 * 0 = -0
  EXPECT_TRUE(std::isnan(out[5]));                     // inf * 0
  EXPECT_FALSE(std::signbit(out[7]));                  // -0 * -0 = +0
  ASSERT_TRUE(ArithmeticInto(ArithOp::kAdd, a.data(), b.data(), out.data(), 9).ok());
  EXPECT_FALSE(std::signbit(out[2]));  // 0 + 0
  EXPECT_TRUE(std::signbit(out[7]));   // -0 + -0 = -0
}

TEST(ElementwiseTest, IntegerDivisionByZeroNamesTheRow) {
  std::vector<int32_t> a = {1, 2, 3, 4};
  std::vector<int32_t> b = {1, 1, 0, 1};
  std::vector<int32_t> out(4);
  Status st = ArithmeticInto(ArithOp::kDivide, a.data(), b.data(), out.data(), 4);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("row 2"), std::string::npos) << st.ToString();
  // A zero divisor under a null is not an error.
  auto ca = ColumnFromVector<int32_t>(Type::kInt32, a);
  auto cb = ColumnFromVector<int32_t>(Type::kInt32, b, {true, true, false, true});
  ASSERT_TRUE(ca.ok() && cb.ok());
  auto res = Divide(*ca, *cb);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->IsNull(2));
  EXPECT_EQ(res->values<int32_t>()[3], 4);
  // INT_MIN / -1 wraps.
  std::vector<int64_t> m = {std::numeric_limits<int64_t>::min()};
  std::vector<int64_t> neg = {-1};
  std::vector<int64_t> o(1);
  ASSERT_TRUE(ArithmeticInto(ArithOp::kDivide, m.data(), neg.data(), o.data(), 1).ok());
  EXPECT_EQ(o[0], std::numeric_limits<int64_t>::min());
}

TEST(ElementwiseTest, ColumnErrors) {
  auto f = ColumnFromVector<double>(Type::kFloat64, {1.0, 2.0});
  auto g = ColumnFromVector<float>(Type::kFloat32, {1.0f, 2.0f});
  auto h = ColumnFromVector<double>(Type::kFloat64, {1.0});
  auto s = ColumnFromVector<std::string>(Type::kString, {"a", "b"});
  auto i = ColumnFromVector<int32_t>(Type::kInt32, {1, 2});
  ASSERT_TRUE(f.ok() && g.ok() && h.ok() && s.ok() && i.ok());
  EXPECT_TRUE(Multiply(*f, *g).status().IsInvalidArgument());
  EXPECT_TRUE(Multiply(*f, *h).status().IsInvalidArgument());
  EXPECT_TRUE(Add(*s, *s).status().IsNotSupported());
  EXPECT_TRUE(MultiplyAdd(*i, *i, *i).status().IsNotSupported());
  EXPECT_TRUE(ArithmeticScalar(ArithOp::kAdd, *i, 1.5).status().IsInvalidArgument());
  EXPECT_TRUE(ArithmeticScalar(ArithOp::kAdd, *i, 3e9).status().IsInvalidArgument());
  auto ok = ArithmeticScalar(ArithOp::kMultiply, *i, -3);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->values<int32_t>()[1], -6);
}

TEST(ElementwiseTest, MultiplyAddColumnPropagatesNullsOfAllThree) {
  auto a = ColumnFromVector<double>(Type::kFloat64, {1, 2, 3, 4}, {true, false, true, true});
  auto b = ColumnFromVector<double>(Type::kFloat64, {1, 2, 3, 4}, {true, true, false, true});
  auto c = ColumnFromVector<double>(Type::kFloat64, {1, 2, 3, 4}, {true, true, true, false});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto r = MultiplyAdd(*a, *b, *c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->IsValid(0));
  EXPECT_EQ(r->values<double>()[0], 2.0);
  EXPECT_TRUE(r->IsNull(1) && r->IsNull(2) && r->IsNull(3));
  EXPECT_EQ(r->null_count(), 3);
}

}  // namespace
}  // namespace edgepipe::compute
