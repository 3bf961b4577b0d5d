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
// exact in s32. Why not oneDNN's int8 matmul: on this AVX2 machine 2.6.3
// picks `gemm:jit`, which takes 146 us for 1x1024x1024 (the same as FP32)
// and saturates u8*s8 pairs in vpmaddubsw (a 1024-deep dot of 255*127 came
// out wrong by 1.6e7). Here activations are widened to s16 (q - a_zp fits),
// weights are sign-extended s8 -> s16 while streaming, and vpmaddwd does 16
// exact multiply-adds per instruction; weights stay 1 byte each in memory,
// which is what batch 1 is bound by.
//
// Packed weights: column blocks of kQBlock; block b holds, for each pair of
// K rows (K padded to even), the 2 x kQBlock bytes interleaved
// (w[2p][c], w[2p+1][c]) per column c, so one load feeds vpmaddwd directly.

#include <cstddef>
#include <cstdint>

namespace edgepipe::nn {

inline constexpr int64_t kQBlock = 16;
inline int64_t QPaddedK(int64_t k) { return (k + 1) / 2 * 2; }
inline int64_t QPaddedN(int64_t n) { return (n + kQBlock - 1) / kQBlock * kQBlock; }
// Bytes of the packed weights.
inline size_t QPackedBytes(int64_t k, int64_t n) { return static_cast<size_t>(QPaddedK(k) * QPaddedN(n)); }

// Packs w ([K,N] row-major s8; [N,K] when trans) into `dst` (QPackedBytes).
void PackQWeights(const int8_t* w, int64_t k, int64_t n, bool trans, int8_t* dst);

// Per-tensor dynamic quantization parameters of x (ONNX
// DynamicQuantizeLinear): scale = (max(0,max x) - min(0,min x)) / 255,
// zero point = saturate(round(-min/scale)). scale is 0 for an all-zero x.
struct DynamicQuantParams {
  float scale = 0;
  uint8_t zero_point = 0;
};
DynamicQuantParams ComputeDynamicQuantParams(const float* x, int64_t count);
// u8 value of one element (the ONNX formula), for the reference kernels.
uint8_t QuantizeU8(float x, DynamicQuantParams p);

// Quantizes rows of x ([M,K]) into s16 (q - zero_point), each row padded to
// QPaddedK(k) with zeros: `dst` holds m * QPaddedK(k) int16.
void QuantizeRowsS16(const float* x, int64_t m, int64_t k, DynamicQuantParams p, int16_t* dst);

// y[M,N] = float(a_s16 * w) * (a_scale * w_scale[n]) + bias[n], then ReLU
// when `relu`. `scale` and `bias` hold QPaddedN(n) floats (bias may be
// null). `a` is QuantizeRowsS16's output. With threads > 1 and at least
// kQGemmParallelMinMacs multiply-adds, column blocks are split over up to
// `threads` tasks of the process pool (ParallelFor); the result is the same
// for any thread count (each output element is one exact s32 sum).
void QGemm(const int16_t* a, int64_t m, int64_t k, const int8_t* packed_w, int64_t n, const float* scale,
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
