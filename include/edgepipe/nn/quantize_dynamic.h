#pragma once
// Dynamic INT8 quantization of a graph's matrix multiplies, and the fusion
// that runs the result as one INT8 kernel.
//
// QuantizeDynamic rewrites every Gemm (alpha 1, transA 0, constant 2-D B,
// constant per-output or absent C) and MatMul (constant 2-D B) into the
// standard ONNX form that ONNX Runtime's own quantize_dynamic emits:
//
//   x -> DynamicQuantizeLinear -> (x_q u8, x_scale, x_zp)
//   MatMulInteger(x_q, W_q s8 [K,N], x_zp)            -> s32
//   Cast(to=float)                                     -> f32
//   Mul(x_scale, W_scale [N])                          -> combined scale
//   Mul(cast, combined scale) [-> Add(bias [N])]       -> y
//
// Weights are quantized per output channel, symmetric s8 in [-63, 63]
// (reduce_range, the default) or [-127, 127] (W_scale[n] = max|W[:,n]| /
// 63 or 127, zero point 0, so MatMulInteger's
// b_zero_point is omitted); activations are quantized per tensor at run
// time from the min/max of the actual batch (u8). The file stays standard
// ONNX (opset >= 13 ops only), so any ONNX runtime runs it.
//
// FuseDynamicQuantMatMul recognises that pattern (from this pass or from
// ORT's quantizer: either Mul operand order, per-tensor or per-column
// weight scale) and replaces it with one kOpDynamicQuantMatMul node
// (inputs: x f32 [..,K], W s8 [K,N], W_scale f32 [N], optional bias f32
// [N]; fused Relu via kAttrActivation) when W is s8 with zero (or absent)
// zero points. The fused op is internal: ExportOnnx refuses it.

#include <cstdint>
#include <string>
#include <string_view>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

inline constexpr std::string_view kOpDynamicQuantMatMul = "EpDynamicQuantMatMul";

struct QuantizeDynamicOptions {
  // Layers with fewer multiply-adds per row than this stay FP32 (0: all).
  int64_t min_macs_per_row = 0;
  // Weights in [-63, 63] (7 bits; the default) instead of [-127, 127].
  // AVX2/AVX-512 u8 x s8 kernels without VNNI use vpmaddubsw, which
  // saturates a pair of products at 32767 (255 * 127 * 2 = 64770 does not
  // fit; 255 * 63 * 2 does). With 7-bit weights edgepipe runs that faster
  // scheme exactly (qgemm.h kU8Quads) and ONNX Runtime computes bit-identical
  // outputs; with full-range weights ORT 1.30 on this machine drifts to
  // cosine 0.983-0.996 vs FP32 while edgepipe stays exact (slower kS16Pairs).
  // The cost: cosine vs FP32 0.99984-0.99996 instead of 0.99990-0.99997 on
  // TinyNet and BiggerNet (nn_quant_interop_test).
  bool reduce_range = true;
};

struct QuantizeDynamicStats {
  int quantized = 0;     // Gemm/MatMul nodes rewritten
  int skipped = 0;       // Gemm/MatMul nodes left in FP32 (and why, below)
  std::string skipped_reasons;
  size_t fp32_weight_bytes = 0;  // of the quantized layers, before
  size_t int8_weight_bytes = 0;  // after (s8 weights + f32 scales)
};

// The graph must be sorted with shapes inferred (ImportOnnx does both);
// it stays sorted and inferred. InvalidArgument for a graph that fails
// validation.
Result<QuantizeDynamicStats> QuantizeDynamic(Graph* graph, const QuantizeDynamicOptions& options = {});

// Returns the number of patterns fused. Part of OptimizeGraph.
Result<int> FuseDynamicQuantMatMul(Graph* graph);

}  // namespace edgepipe::nn
