#pragma once
// Test oracles and helpers for the vectorized kernels: plain scalar
// reference implementations (one value at a time, no SIMD, no threads),
// random inputs with fixed seeds, and a loop that forces every compiled
// Highway target in turn.

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "edgepipe/compute/compare.h"
#include "edgepipe/compute/elementwise.h"
#include "edgepipe/core/column.h"

namespace edgepipe::compute::testing {

// Lengths across vector widths (4..16 lanes), bitmap words and blocks,
// plus ones above the threading threshold.
inline const std::vector<int64_t>& SweepLengths() {
  static const std::vector<int64_t> v = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025};
  return v;
}
inline const std::vector<int64_t>& LargeLengths() {
  static const std::vector<int64_t> v = {kParallelMinElements, 3 * kParallelMinElements + 77};
  return v;
}

// Runs body() once per Highway target compiled into the kernels that this
// CPU supports, with dispatch forced to it (and checks it took effect).
inline void ForEachTarget(const std::function<void(const std::string&)>& body) {
  hwy::SetSupportedTargetsForTest(0);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    const std::string name = hwy::TargetName(target);
    SCOPED_TRACE("target " + name);
    ASSERT_EQ(std::string(KernelTargetName()), name) << "dispatch did not switch target";
    body(name);
    if (::testing::Test::HasFatalFailure()) break;
  }
  hwy::SetSupportedTargetsForTest(0);
}

// On every target (ForEachTarget), check(seed, n) for each sweep and large
// length, seeds counting up from first_seed + 1.
inline void SweepLengthsOnEveryTarget(uint64_t first_seed, const std::function<void(uint64_t, int64_t)>& check) {
  ForEachTarget([&](const std::string&) {
    uint64_t seed = first_seed;
    for (int64_t n : SweepLengths()) check(++seed, n);
    for (int64_t n : LargeLengths()) check(++seed, n);
  });
}

// Random values of T. Floats are uniform in [-100, 100) with, when
// `specials`, about 1 in 16 replaced by NaN, ±inf, -0.0 or +0.0.
template <typename T>
std::vector<T> RandomValues(std::mt19937_64& rng, int64_t n, bool specials = true) {
  std::vector<T> v(static_cast<size_t>(n));
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<double> dist(-100, 100);
    std::uniform_int_distribution<int> pick(0, 79);
    const T table[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                       -std::numeric_limits<T>::infinity(), T(-0.0), T(0.0)};
    for (auto& x : v) {
      const int p = pick(rng);
      x = (specials && p < 5) ? table[p] : static_cast<T>(dist(rng));
    }
  } else {
    std::uniform_int_distribution<int64_t> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    std::uniform_int_distribution<int> pick(0, 15);
    for (auto& x : v) {
      // Some small values so that equal pairs and INT_MIN/-1 happen.
      const int p = pick(rng);
      x = p == 0 ? T(-1) : p == 1 ? std::numeric_limits<T>::min() : p < 5 ? T(p - 3) : static_cast<T>(dist(rng));
    }
  }
  return v;
}

inline std::vector<bool> RandomValidity(std::mt19937_64& rng, int64_t n, int null_percent) {
  std::vector<bool> valid(static_cast<size_t>(n));
  std::uniform_int_distribution<int> pct(0, 99);
  for (size_t i = 0; i < valid.size(); ++i) valid[i] = pct(rng) >= null_percent;
  return valid;
}

template <typename T>
constexpr Type TypeOf() {
  if constexpr (std::is_same_v<T, double>) return Type::kFloat64;
  if constexpr (std::is_same_v<T, float>) return Type::kFloat32;
  if constexpr (std::is_same_v<T, int32_t>) return Type::kInt32;
  return Type::kInt64;
}

// A column holding `values` at `offset` rows into its buffers (the first
// `offset` rows are filler, then sliced off): exercises unaligned slices.
template <typename T>
Column MakeSlicedColumn(const std::vector<T>& values, const std::vector<bool>& valid, int64_t offset,
                        std::mt19937_64& rng) {
  std::vector<T> padded = RandomValues<T>(rng, offset, false);
  padded.insert(padded.end(), values.begin(), values.end());
  std::vector<bool> padded_valid;
  if (!valid.empty()) {
    padded_valid.assign(static_cast<size_t>(offset), false);
    padded_valid.insert(padded_valid.end(), valid.begin(), valid.end());
  }
  auto col = ColumnFromVector<T>(TypeOf<T>(), padded, padded_valid);
  EXPECT_TRUE(col.ok()) << col.status().ToString();
  return col->Slice(offset, static_cast<int64_t>(values.size()));
}

// Bitwise float equality, except that any NaN equals any NaN.
template <typename T>
bool SameValue(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) && std::isnan(b)) return true;
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  } else {
    return a == b;
  }
}

// ---- Scalar references ----

template <typename T>
T RefArith(ArithOp op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case ArithOp::kAdd: return a + b;
      case ArithOp::kSubtract: return a - b;
      case ArithOp::kMultiply: return a * b;
      case ArithOp::kDivide: return a / b;
    }
    return 0;
  } else {
    using U = std::make_unsigned_t<T>;
    switch (op) {
      case ArithOp::kAdd: return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
      case ArithOp::kSubtract: return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
      case ArithOp::kMultiply: return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
      case ArithOp::kDivide:
        if (b == -1) return static_cast<T>(U{0} - static_cast<U>(a));
        return static_cast<T>(a / b);
    }
    return 0;
  }
}

template <typename T>
bool RefCompare(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::kEqual: return a == b;
    case CompareOp::kNotEqual: return a != b;
    case CompareOp::kLess: return a < b;
    case CompareOp::kLessEqual: return a <= b;
    case CompareOp::kGreater: return a > b;
    case CompareOp::kGreaterEqual: return a >= b;
  }
  return false;
}

}  // namespace edgepipe::compute::testing
