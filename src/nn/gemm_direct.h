#pragma once
// A direct FP32 GEMM on B packed once at load. Two uses: small shapes,
// where oneDNN's per-call overhead (primitive dispatch, argument maps)
// costs more than the arithmetic (TinyNet's 128x64 layer is ~8k
// multiply-adds, about a microsecond); and batches of rows, where oneDNN
// 2.6's AVX2 sgemm (`gemm:jit`) reaches about half the FMA peak on
// BiggerNet's 32x1024x1024 (docs/nn.md).
//
// B is packed once into column blocks of kGemmBlock: block j holds columns
// [16j, 16j + 16) for all K rows, 16 floats per row contiguously (the last
// block zero-filled past N), so a block streams sequentially and a K chunk
// of it is one contiguous piece of L1. SIMD target chosen at run time
// (Highway).

#include <cstddef>
#include <cstdint>

namespace edgepipe::nn {

inline constexpr int64_t kGemmBlock = 16;
inline int64_t PaddedN(int64_t n) { return (n + kGemmBlock - 1) / kGemmBlock * kGemmBlock; }

// Packs alpha * B (B is [K,N], or [N,K] when trans_b) into `dst`, which has
// room for k * PaddedN(n) floats.
void PackGemmBlocks(const float* b, int64_t k, int64_t n, bool trans_b, float alpha, float* dst);

// out[0..PaddedN(n)) = bias (or 0 when null; PaddedN(n) entries) + a[0..k) * B.
void GemmRowPacked(const float* a, int64_t k, const float* packed_b, int64_t n, const float* bias, float* out);

// y[M,N] = clamp(bias + a[M,K] * B, lo, hi) for row-major a and y, in
// register tiles of several rows (6 x 16 on AVX2: 12 accumulators, 2 FMA
// ports x 4 cycles latency need 8 in flight) that share each load of B,
// over K chunks of kGemmChunkK rows of B (16 KiB: L1-resident while every
// row tile passes over them). Each output is the same FMA chain over k as
// GemmRowPacked's (partial sums go through y between chunks, exactly), so
// the two agree bit for bit. `clamp` false skips the clamp (NaN passes
// through). With threads > 1 and at least kGemmParallelMinMacs
// multiply-adds, the blocks are split over up to `threads` tasks
// (ParallelFor).
void GemmPacked(const float* a, int64_t m, int64_t k, const float* packed_b, int64_t n, const float* bias, bool clamp,
                float lo, float hi, float* y, int threads = 1);
inline constexpr int64_t kGemmChunkK = 256;
inline constexpr int64_t kGemmParallelMinMacs = int64_t{1} << 19;

// The Highway target the direct GEMM dispatches to.
const char* GemmTargetName();

}  // namespace edgepipe::nn
