#pragma once
// Shared helpers for the encoding tests: seeded random data and the size
// sweep. Each test that uses randomness prints its seed via SCOPED_TRACE.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace edgepipe::parquet::testing {

// Sizes across group (8), miniblock (32) and block (128) boundaries.
inline const std::vector<int64_t>& SweepSizes() {
  static const std::vector<int64_t> kSizes = {0,   1,   7,    8,    9,    31,   32,    33,
                                              127, 128, 129,  1023, 1024, 1025, 100000};
  return kSizes;
}

inline std::string SeedTrace(uint64_t seed) { return "seed=" + std::to_string(seed); }

// Values < 2^bit_width, with runs of repeats mixed in so both RLE and
// bit-packed runs appear.
inline std::vector<uint32_t> RandomLevels(std::mt19937_64& rng, int64_t n, int bit_width) {
  std::vector<uint32_t> v(static_cast<size_t>(n));
  const uint64_t mask = bit_width == 0 ? 0 : (bit_width >= 32 ? 0xFFFFFFFFu : (1u << bit_width) - 1);
  size_t i = 0;
  while (i < v.size()) {
    const uint32_t value = static_cast<uint32_t>(rng() & mask);
    const size_t run = (rng() % 4 == 0) ? 1 + rng() % 40 : 1;
    for (size_t k = 0; k < run && i < v.size(); ++k) v[i++] = value;
  }
  return v;
}

}  // namespace edgepipe::parquet::testing
