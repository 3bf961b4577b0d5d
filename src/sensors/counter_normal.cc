#include "sensors/counter_normal.h"

#include <cmath>

namespace edgepipe::sensors {
namespace {

// Marsaglia & Tsang (2000), "The Ziggurat Method for Generating Random
// Variables", 128-layer normal: r is the start of the tail, v each layer's area.
constexpr double kTailStart = 3.442619855899;
constexpr double kLayerArea = 9.91256303526217e-3;

ZigguratTables MakeTables() {
  ZigguratTables t{};
  const double m1 = 2147483648.0;  // 2^31
  double dn = kTailStart, tn = dn;
  const double q = kLayerArea / std::exp(-0.5 * dn * dn);
  t.k[0] = static_cast<int64_t>((dn / q) * m1);
  t.k[1] = 0;
  t.w[0] = q / m1;
  t.w[127] = dn / m1;
  t.f[0] = 1.0;
  t.f[127] = std::exp(-0.5 * dn * dn);
  for (int i = 126; i >= 1; --i) {
    dn = std::sqrt(-2.0 * std::log(kLayerArea / dn + std::exp(-0.5 * dn * dn)));
    t.k[i + 1] = static_cast<int64_t>((dn / tn) * m1);
    tn = dn;
    t.f[i] = std::exp(-0.5 * dn * dn);
    t.w[i] = dn / m1;
  }
  return t;
}

}  // namespace

const ZigguratTables kZiggurat = MakeTables();

double NormalSlow(uint64_t u) {
  const ZigguratTables& z = kZiggurat;
  uint64_t state = u;
  auto next = [&state]() {
    state += kGolden;
    return Mix64(state);
  };
  for (;;) {
    const int layer = static_cast<int>(u & 127);
    const int64_t j = static_cast<int32_t>(static_cast<uint32_t>(u >> 32));
    const int64_t abs_j = j < 0 ? -j : j;
    if (abs_j < z.k[layer]) return static_cast<double>(j) * z.w[layer];
    const double x = static_cast<double>(j) * z.w[layer];
    if (layer == 0) {
      // The tail beyond r: Marsaglia's exponential rejection.
      double tx, ty;
      do {
        tx = -std::log(ToUnitOpen(next())) / kTailStart;
        ty = -std::log(ToUnitOpen(next()));
      } while (ty + ty < tx * tx);
      return j > 0 ? kTailStart + tx : -kTailStart - tx;
    }
    if (z.f[layer] + ToUnitOpen(next()) * (z.f[layer - 1] - z.f[layer]) < std::exp(-0.5 * x * x)) return x;
    u = next();
  }
}

}  // namespace edgepipe::sensors
