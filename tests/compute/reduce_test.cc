// Reductions vs scalar references (long double accumulation, NumPy-style
// pairwise sum), on every compiled Highway target, with slices and nulls.

#include "edgepipe/compute/reduce.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "compute/kernel_test_util.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::compute {
namespace {

using testing::ForEachTarget;
using testing::LargeLengths;
using testing::MakeSlicedColumn;
using testing::RandomValidity;
using testing::RandomValues;
using testing::SweepLengths;

struct RefStats {
  int64_t count = 0;
  long double sum = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  long double m2 = 0;
};

template <typename T>
RefStats Reference(const std::vector<T>& v, const std::vector<bool>& valid) {
  RefStats r;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!valid.empty() && !valid[i]) continue;
    const double x = static_cast<double>(v[i]);
    r.sum += x;
    if (r.count == 0 || x < r.min) r.min = x;
    if (r.count == 0 || x > r.max) r.max = x;
    ++r.count;
  }
  if (r.count > 0) {
    const long double mean = r.sum / r.count;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!valid.empty() && !valid[i]) continue;
      const long double d = static_cast<long double>(v[i]) - mean;
      r.m2 += d * d;
    }
  }
  return r;
}

void ExpectClose(double actual, long double expected, double rel, const char* what) {
  const double e = static_cast<double>(expected);
  EXPECT_LE(std::fabs(actual - e), rel * (std::fabs(e) + 1e-300) + 1e-300) << what << ": " << actual << " vs " << e;
}

template <typename T>
void CheckReductions(uint64_t seed, int64_t n, int64_t offset, int null_pct) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " offset " << offset << " nulls " << null_pct
                                    << "%");
  std::mt19937_64 rng(seed);
  auto v = RandomValues<T>(rng, n, false);
  auto valid = null_pct ? RandomValidity(rng, n, null_pct) : std::vector<bool>();
  const Column col = MakeSlicedColumn(v, valid, offset, rng);
  const RefStats ref = Reference(v, valid);
  auto sum = Sum(col);
  auto mn = Min(col);
  auto mx = Max(col);
  auto mean = Mean(col);
  auto var = Variance(col, 1);
  ASSERT_TRUE(sum.ok() && mn.ok() && mx.ok() && mean.ok() && var.ok());
  EXPECT_EQ(CountValid(col), ref.count);
  if constexpr (std::is_floating_point_v<T>) {
    ExpectClose(*sum, ref.sum, 1e-13, "sum");
  } else {
    // Integer sums are exact (wrapping in int64): the reference sums fit.
    if (sizeof(T) == 4) {
      EXPECT_EQ(*sum, static_cast<double>(static_cast<int64_t>(ref.sum)));
    }
  }
  if (ref.count == 0) {
    EXPECT_EQ(*sum, 0.0);
    EXPECT_TRUE(std::isnan(*mn) && std::isnan(*mx) && std::isnan(*mean) && std::isnan(*var));
    return;
  }
  EXPECT_EQ(*mn, ref.min);
  EXPECT_EQ(*mx, ref.max);
  if (std::is_floating_point_v<T> || sizeof(T) == 4) {
    ExpectClose(*mean, ref.sum / ref.count, 1e-13, "mean");
    if (ref.count > 1) ExpectClose(*var, ref.m2 / (ref.count - 1), 1e-10, "variance");
  }
}

template <typename T>
void SweepReductions() {
  ForEachTarget([](const std::string&) {
    uint64_t seed = 6000;
    for (int64_t n : SweepLengths()) {
      for (int64_t offset = 0; offset < 8; ++offset) {
        CheckReductions<T>(++seed, n, offset, 0);
        CheckReductions<T>(++seed, n, offset, 30);
      }
    }
    for (int64_t n : LargeLengths()) {
      CheckReductions<T>(++seed, n, 5, 0);
      CheckReductions<T>(++seed, n, 3, 10);
    }
  });
}

TEST(ReduceTest, Float64OnEveryTarget) { SweepReductions<double>(); }
TEST(ReduceTest, Float32OnEveryTarget) { SweepReductions<float>(); }
TEST(ReduceTest, Int32OnEveryTarget) { SweepReductions<int32_t>(); }
TEST(ReduceTest, Int64OnEveryTarget) { SweepReductions<int64_t>(); }

TEST(ReduceTest, NaNPropagatesInfBehavesAsIeee) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  ForEachTarget([&](const std::string&) {
    for (int64_t n : {1, 5, 17, 1000}) {
      for (int64_t pos : {int64_t{0}, n / 2, n - 1}) {
        std::vector<double> v(n, 1.0);
        v[pos] = nan;
        auto col = ColumnFromVector<double>(Type::kFloat64, v);
        ASSERT_TRUE(col.ok());
        EXPECT_TRUE(std::isnan(*Sum(*col))) << n << " " << pos;
        EXPECT_TRUE(std::isnan(*Min(*col))) << n << " " << pos;
        EXPECT_TRUE(std::isnan(*Max(*col))) << n << " " << pos;
        EXPECT_TRUE(std::isnan(*Variance(*col))) << n << " " << pos;
        // A NaN under a null is skipped.
        std::vector<bool> valid(n, true);
        valid[pos] = false;
        auto masked = ColumnFromVector<double>(Type::kFloat64, v, valid);
        ASSERT_TRUE(masked.ok());
        EXPECT_EQ(*Sum(*masked), static_cast<double>(n - 1));
        if (n > 1) {
          EXPECT_EQ(*Max(*masked), 1.0);
        }
        v[pos] = inf;
        auto infs = ColumnFromVector<double>(Type::kFloat64, v);
        EXPECT_EQ(*Sum(*infs), inf);
        EXPECT_EQ(*Max(*infs), inf);
      }
    }
    auto both = ColumnFromVector<double>(Type::kFloat64, {inf, -inf});
    EXPECT_TRUE(std::isnan(*Sum(*both)));
    auto zeros = ColumnFromVector<double>(Type::kFloat64, {0.0, -0.0, 0.0});
    EXPECT_EQ(*Min(*zeros), 0.0);  // either zero: they compare equal
  });
}

TEST(ReduceTest, VarianceIsStableWithLargeMean) {
  // Welford/two-pass territory: the naive E[x^2]-E[x]^2 loses every digit.
  std::vector<double> v;
  for (int i = 0; i < 100001; ++i) v.push_back(1e9 + (i % 10));
  auto col = ColumnFromVector<double>(Type::kFloat64, v);
  ASSERT_TRUE(col.ok());
  const RefStats ref = Reference(v, {});
  ExpectClose(*Variance(*col), ref.m2 / ref.count, 1e-9, "population variance");
  EXPECT_TRUE(Variance(*col, -1).status().IsInvalidArgument());
  auto one = ColumnFromVector<double>(Type::kFloat64, {3.0});
  EXPECT_TRUE(std::isnan(*Variance(*one, 1)));
  EXPECT_EQ(*Variance(*one, 0), 0.0);
}

TEST(ReduceTest, ResultDoesNotDependOnThreads) {
  std::mt19937_64 rng(11);
  auto v = RandomValues<double>(rng, 3 * kParallelMinElements + 5, false);
  const double* p = v.data();
  SetNumThreads(1);
  const double one = SumFloat64(p, static_cast<int64_t>(v.size()));
  SetNumThreads(2);
  const double two = SumFloat64(p, static_cast<int64_t>(v.size()));
  SetNumThreads(0);
  EXPECT_EQ(one, two);
}

// NumPy's float64 sum: unrolled blocks of 128 (8 accumulators), halves
// split recursively above that.
double NumpyPairwiseSum(const double* a, int64_t n) {
  if (n < 8) {
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k];
    int64_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int k = 0; k < 8; ++k) r[k] += a[i + k];
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return NumpyPairwiseSum(a, n2) + NumpyPairwiseSum(a + n2, n - n2);
}

TEST(ReduceTest, SumOf50MillionMatchesNumpyPairwise) {
  const int64_t n = 50000000;
  std::vector<double> v(static_cast<size_t>(n));
  std::mt19937_64 rng(50);
  std::uniform_real_distribution<double> dist(0.5, 1.5);
  for (auto& x : v) x = dist(rng);
  const double ours = SumFloat64(v.data(), n);
  const double numpy = NumpyPairwiseSum(v.data(), n);
  EXPECT_LE(std::fabs(ours - numpy) / numpy, 1e-12) << ours << " vs " << numpy;
  auto col = ColumnFromVector<double>(Type::kFloat64, v);
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(*Sum(*col), ours);
}

TEST(ReduceTest, UnsupportedTypes) {
  auto s = ColumnFromVector<std::string>(Type::kString, {"a"});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(Sum(*s).status().IsNotSupported());
  EXPECT_TRUE(Variance(*s).status().IsNotSupported());
}

}  // namespace
}  // namespace edgepipe::compute
