// The scalar half of qgemm.h: weight packing, the ONNX quantization
// formula and the oracle (the SIMD kernels are in qgemm.cc).

#include <algorithm>
#include <cmath>

#include "nn/qgemm.h"

namespace edgepipe::nn {
namespace {

int64_t GroupRows(QScheme scheme) { return scheme == QScheme::kU8Quads ? 4 : 2; }

}  // namespace

const char* QSchemeName(QScheme scheme) { return scheme == QScheme::kU8Quads ? "u8xs8 quads" : "s16xs16 pairs"; }

QPackedWeights PackQWeights(const int8_t* w, int64_t k, int64_t n, QScheme scheme) {
  const bool fits = std::all_of(w, w + k * n, [](int8_t v) { return v >= -kQU8MaxAbsWeight && v <= kQU8MaxAbsWeight; });
  if (!fits) scheme = QScheme::kS16Pairs;  // vpmaddubsw would saturate
  const int64_t group = GroupRows(scheme);
  QPackedWeights out;
  out.scheme = scheme;
  out.k = k;
  out.n = n;
  out.padded_k = (k + group - 1) / group * group;
  out.padded_n = (n + kQBlock - 1) / kQBlock * kQBlock;
  out.bytes.assign(static_cast<size_t>(out.padded_k * out.padded_n), 0);
  for (int64_t col = 0; col < n; ++col) {
    int8_t* block = out.bytes.data() + (col / kQBlock) * kQBlock * out.padded_k;
    const int64_t c = col % kQBlock;
    for (int64_t row = 0; row < k; ++row) block[(row / group) * group * kQBlock + c * group + row % group] = w[row * n + col];
  }
  if (scheme == QScheme::kU8Quads) {
    out.column_sums.assign(static_cast<size_t>(out.padded_n), 0);
    for (int64_t row = 0; row < k; ++row) {
      for (int64_t col = 0; col < n; ++col) out.column_sums[col] += w[row * n + col];
    }
  }
  return out;
}

size_t QActivationBytes(const QPackedWeights& w, int64_t m) {
  const size_t element = w.scheme == QScheme::kU8Quads ? sizeof(uint8_t) : sizeof(int16_t);
  return static_cast<size_t>(m * w.padded_k) * element;
}

uint8_t QuantizeU8(float x, DynamicQuantParams p) {
  if (!(p.scale > 0)) return p.zero_point;
  float v = std::nearbyint(x / p.scale) + static_cast<float>(p.zero_point);
  if (!(v >= 0.0f)) v = 0.0f;  // also NaN
  if (v > 255.0f) v = 255.0f;
  return static_cast<uint8_t>(v);
}

void QGemmReference(const float* x, int64_t m, int64_t k, const int8_t* w, int64_t n, const float* w_scale,
                    const float* bias, bool relu, float* y) {
  const DynamicQuantParams p = ComputeDynamicQuantParams(x, m * k);
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t col = 0; col < n; ++col) {
      int32_t acc = 0;
      for (int64_t i = 0; i < k; ++i) {
        acc += (static_cast<int32_t>(QuantizeU8(x[row * k + i], p)) - p.zero_point) * w[i * n + col];
      }
      float f = static_cast<float>(acc) * (p.scale * w_scale[col]);
      if (bias != nullptr) f += bias[col];
      y[row * n + col] = relu ? std::max(f, 0.0f) : f;
    }
  }
}

}  // namespace edgepipe::nn
