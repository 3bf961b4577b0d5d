#pragma once
// A direct FP32 GEMM for small shapes, where oneDNN's per-call overhead
// (primitive dispatch, argument maps) costs more than the arithmetic:
// TinyNet's 128x64 layer is ~8k multiply-adds, about a microsecond.
//
// B is packed once into column panels: panel p holds columns
// [64p, 64p + width) for all K rows contiguously (width 64, the last one
// rounded up to 16 and zero-filled), so each output row streams B
// sequentially. SIMD target chosen at run time (Highway).

#include <cstddef>
#include <cstdint>

namespace edgepipe::nn {

inline constexpr int64_t kGemmPanel = 64;
inline constexpr int64_t kGemmPadN = 16;
inline int64_t PaddedN(int64_t n) { return (n + kGemmPadN - 1) / kGemmPadN * kGemmPadN; }

// Packs alpha * B (B is [K,N], or [N,K] when trans_b) into `dst`, which has
// room for k * PaddedN(n) floats.
void PackGemmPanels(const float* b, int64_t k, int64_t n, bool trans_b, float alpha, float* dst);

// out[0..PaddedN(n)) = bias (or 0 when null; PaddedN(n) entries) + a[0..k) * B.
void GemmRowPacked(const float* a, int64_t k, const float* packed_b, int64_t n, const float* bias, float* out);

}  // namespace edgepipe::nn
