#pragma once
// Attribute decoding shared by shape inference, the kernels and the test
// oracles: one place turns ONNX attributes + input shapes into the numbers
// a convolution, pooling or GEMM needs, and rejects nonsense with the node's
// name.

#include <cstdint>
#include <string>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

// "node 'conv1' (Conv): " for error messages.
std::string NodeContext(const Node& node);

// 2-D convolution (NCHW input, MCkk weights). `n` may be -1 (dynamic batch).
struct ConvParams {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t m = 0, group = 1, kh = 0, kw = 0;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t oh = 0, ow = 0;
};
Result<ConvParams> GetConvParams(const Node& node, const Shape& x, const Shape& w);

// 2-D MaxPool/AveragePool/GlobalAveragePool over NCHW.
struct PoolParams {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t kh = 0, kw = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t oh = 0, ow = 0;
  bool count_include_pad = false;
};
Result<PoolParams> GetPoolParams(const Node& node, const Shape& x);

// Gemm: Y[M,N] = alpha * op(A) * op(B) + beta * C.
struct GemmParams {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1, beta = 1;
};
Result<GemmParams> GetGemmParams(const Node& node, const Shape& a, const Shape& b);

// Normalizes `axis` in [-rank, rank) (or [-rank, rank] when `inclusive`).
Result<int64_t> NormalizeAxis(const Node& node, int64_t axis, size_t rank, bool inclusive = false);

// Numpy-style multidirectional broadcast of two shapes.
Result<Shape> BroadcastShapes(const Node& node, const Shape& a, const Shape& b);

// MatMul output shape (numpy matmul semantics, 1-D operands promoted).
Result<Shape> MatMulShape(const Node& node, const Shape& a, const Shape& b);

}  // namespace edgepipe::nn
