#pragma once
// A direct FP32 GEMM on B packed once at load. Two uses: small shapes,
// where oneDNN's per-call overhead (primitive dispatch, argument maps)
// costs more than the arithmetic (TinyNet's 128x64 layer is ~8k
// multiply-adds, about a microsecond); and batches of rows, where oneDNN
// 2.6's AVX2 sgemm (`gemm:jit`) reaches about half the FMA peak on
// BiggerNet's 32x1024x1024 (docs/nn.md).
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

// y[M,N] = clamp(bias + a[M,K] * B, lo, hi) for row-major a and y, in
// register tiles of several rows (6 x 16 on AVX2: 12 accumulators, 2 FMA
// ports x 4 cycles latency need 8 in flight) that share each load of B.
// Each output is the same FMA chain over k as GemmRowPacked's, so the two
// agree bit for bit. `clamp` false skips the clamp (NaN passes through).
// With threads > 1 and at least kGemmParallelMinMacs multiply-adds, the
// 16-column blocks are split over up to `threads` tasks (ParallelFor).
void GemmPacked(const float* a, int64_t m, int64_t k, const float* packed_b, int64_t n, const float* bias, bool clamp,
                float lo, float hi, float* y, int threads = 1);
inline constexpr int64_t kGemmParallelMinMacs = int64_t{1} << 19;

// The Highway target the direct GEMM dispatches to.
const char* GemmTargetName();

}  // namespace edgepipe::nn
