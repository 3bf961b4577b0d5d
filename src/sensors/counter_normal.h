#pragma once
// Counter-based random numbers for the simulators: the n-th value of a
// stream is a pure function of (key, n), so any row can be generated
// independently (batch size and thread count do not change the output).
// Uniforms are wyrand outputs with random access; normals use the
// Marsaglia-Tsang ziggurat (128 layers) on top of them, the rare slow path
// continuing with a splitmix64 chain.

#include <cstdint>

namespace edgepipe::sensors {

inline constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

// The splitmix64 output function (Steele, Lea, Flood 2014).
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Value n of a counter-based stream keyed by `key`: wyrand's output
// function (one 64x64->128 multiply, folded) on the Weyl sequence
// key + (n + 1) * 0xA0761D6478BD642F. Half the cost of splitmix64's two
// multiplies, and passes PractRand/BigCrush as a sequential generator.
inline uint64_t CounterRandom(uint64_t key, uint64_t n) {
  const uint64_t x = key + (n + 1) * 0xA0761D6478BD642FULL;
  const unsigned __int128 r = static_cast<unsigned __int128>(x) * (x ^ 0xE7037ED1A0B428DBULL);
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Uniform in (0, 1): never 0, so log() is safe.
inline double ToUnitOpen(uint64_t u) { return (static_cast<double>(u >> 11) + 0.5) * 0x1.0p-53; }

struct ZigguratTables {
  double w[128];   // layer width / 2^31
  double f[128];   // exp(-x²/2) at each layer's edge
  int64_t k[128];  // fast-path acceptance bound on |j|
};
// Filled during static initialization (before main), read-only after.
extern const ZigguratTables kZiggurat;

// Rare ziggurat path (≈1.5% of draws): wedge and tail; draws further
// uniforms from the splitmix chain that starts at `u`.
double NormalSlow(uint64_t u);

// A standard normal from one 64-bit uniform `u` (plus more, derived from u,
// in the rare slow path). The layer index and the 32-bit magnitude come
// from disjoint bits (low 7 and high 32), avoiding the correlation of the
// original single-word version.
inline double NormalFromBits(uint64_t u) {
  const ZigguratTables& z = kZiggurat;
  const int layer = static_cast<int>(u & 127);
  const int64_t j = static_cast<int32_t>(static_cast<uint32_t>(u >> 32));
  const int64_t abs_j = j < 0 ? -j : j;
  if (abs_j < z.k[layer]) return static_cast<double>(j) * z.w[layer];
  return NormalSlow(u);
}

}  // namespace edgepipe::sensors
