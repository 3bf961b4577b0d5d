#pragma once
// The INT8 GEMM behind dynamic quantization (DynamicQuantizeLinear ->
// MatMulInteger -> Cast -> Mul(scale) -> Add(bias) [-> Relu], fused):
//
//   q[m,k]  = saturate_u8(round_half_even(x[m,k] / a_scale) + a_zp)   (per tensor,
//             a_scale/a_zp from the min/max of the whole batch, as ONNX
//             DynamicQuantizeLinear)
//   y[m,n]  = float(sum_k (q[m,k] - a_zp) * w[k,n]) * (a_scale * w_scale[n]) + bias[n]
//
// w is s8 per output channel (symmetric: zero point 0), accumulation is
// exact in s32 in both schemes below: the result never depends on the
// scheme, the target or the thread count. Why not oneDNN's int8 matmul: on
// this AVX2 machine 2.6.3 picks `gemm:jit`, which takes 146 us for
// 1x1024x1024 (the same as FP32) and saturates u8*s8 pairs in vpmaddubsw
// (a 1024-deep dot of 255*127 came out wrong by 1.6e7).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgepipe::nn {

// How the packed weights meet the activations.
enum class QScheme : uint8_t {
  // (q - a_zp) widened to s16 times w sign-extended to s16, vpmaddwd: 16
  // exact multiply-adds per instruction, for any s8 weight.
  kS16Pairs,
  // q as u8 times w as s8, vpmaddubsw then vpmaddwd by ones: 32 per
  // instruction pair with no per-load sign extension (25% fewer vector uops
  // per multiply-add than kS16Pairs). vpmaddubsw saturates pairs at 32767,
  // so it is exact only when |w| <= kQU8MaxAbsWeight (255 * 64 * 2 = 32640):
  // the 7-bit weights `edgepipe quantize` writes by default. The zero point is taken
  // out in the epilogue: sum (q - zp) w = sum q w - zp * sum w.
  kU8Quads,
};
inline constexpr int kQU8MaxAbsWeight = 64;
// Above this K an s32 sum of 255 * 128 products could overflow.
inline constexpr int64_t kQMaxK = 65536;
// Output columns per packed block (one block is one unit of work).
inline constexpr int64_t kQBlock = 16;

const char* QSchemeName(QScheme scheme);

// Weights packed once at load. Column blocks of kQBlock; within a block,
// for each group of `group` K rows (2 for kS16Pairs, 4 for kU8Quads; K
// padded with zeros) the group's bytes of column 0, then column 1, ..., so
// one vector load feeds vpmaddwd / vpmaddubsw directly.
struct QPackedWeights {
  QScheme scheme = QScheme::kS16Pairs;
  int64_t k = 0, n = 0;
  int64_t padded_k = 0, padded_n = 0;
  std::vector<int8_t> bytes;
  // kU8Quads: sum over k of w[k][n], for the zero-point term (padded_n).
  std::vector<int32_t> column_sums;
};

// The fastest exact scheme for weights w (count values) on the dispatched
// target: kU8Quads where the target has vpmaddubsw (x86 AVX2 and up) and
// every |w| <= kQU8MaxAbsWeight, else kS16Pairs.
QScheme ChooseQScheme(const int8_t* w, int64_t count);
// Packs w ([K,N] row-major s8). kU8Quads requires |w| <= kQU8MaxAbsWeight
// (checked: out-of-range weights fall back to kS16Pairs).
QPackedWeights PackQWeights(const int8_t* w, int64_t k, int64_t n, QScheme scheme);

// Per-tensor dynamic quantization parameters of x (ONNX
// DynamicQuantizeLinear): scale = (max(0,max x) - min(0,min x)) / 255,
// zero point = saturate(round(-min/scale)). scale is 0 for an all-zero x.
struct DynamicQuantParams {
  float scale = 0;
  uint8_t zero_point = 0;
};
// With threads > 1 and at least kQuantizeParallelMinValues values, the
// min/max scan (and QuantizeActivations' rows) are split over the pool:
// at batch 32 they are the serial part of a 2-thread layer.
DynamicQuantParams ComputeDynamicQuantParams(const float* x, int64_t count, int threads = 1);
inline constexpr int64_t kQuantizeParallelMinValues = int64_t{1} << 15;
// u8 value of one element (the ONNX formula), for the reference kernels.
uint8_t QuantizeU8(float x, DynamicQuantParams p);

// Bytes of the quantized activations of m rows for w's scheme.
size_t QActivationBytes(const QPackedWeights& w, int64_t m);
// Quantizes rows of x ([M,K]) into `dst` (QActivationBytes) in w's scheme:
// s16 (q - zero_point) or u8 q, each row padded to w.padded_k with zeros.
void QuantizeActivations(const float* x, int64_t m, const QPackedWeights& w, DynamicQuantParams p, void* dst,
                         int threads = 1);

// y[M,N] = float(a * w) * scale[n] + bias[n], then ReLU when `relu`.
// `scale` (a_scale * w_scale, in that float order as the ONNX pattern) and
// `bias` hold w.padded_n floats (bias may be null); `a` is
// QuantizeActivations' output for the same p. With threads > 1 and at
// least kQGemmParallelMinMacs multiply-adds, column blocks are split over up
// to `threads` tasks of the process pool (ParallelFor).
void QGemm(const void* a, int64_t m, const QPackedWeights& w, DynamicQuantParams p, const float* scale,
           const float* bias, bool relu, float* y, int threads = 1);
// Below this, waking a second thread costs more than it saves (measured
// with bench/nn nn_benchmark BM_QGemm).
inline constexpr int64_t kQGemmParallelMinMacs = int64_t{1} << 19;

// The Highway target QGemm dispatches to ("AVX2", "EMU128", ...).
const char* QGemmTargetName();

// The scalar oracle: the whole composition on unpacked w ([K,N]), one
// element at a time, in the ONNX op order.
void QGemmReference(const float* x, int64_t m, int64_t k, const int8_t* w, int64_t n, const float* w_scale,
                    const float* bias, bool relu, float* y);

}  // namespace edgepipe::nn
