#include "nn/op_params.h"

#include <algorithm>

namespace edgepipe::nn {
namespace {

Status Bad(const Node& node, const std::string& what) {
  return Status::InvalidArgument(NodeContext(node) + what);
}

// Reads `name` as exactly `count` positive ints, or `fallback` when absent.
Result<std::vector<int64_t>> GetPositiveInts(const Node& node, std::string_view name, size_t count,
                                             int64_t fallback, int64_t lowest = 1) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, node.attrs.GetInts(name, std::vector<int64_t>(count, fallback)));
  if (v.size() != count) {
    return Bad(node, "attribute '" + std::string(name) + "' has " + std::to_string(v.size()) +
                         " values, expected " + std::to_string(count));
  }
  for (int64_t x : v) {
    if (x < lowest || x > (int64_t{1} << 24)) {
      return Bad(node, "attribute '" + std::string(name) + "' value " + std::to_string(x) + " out of range");
    }
  }
  return v;
}

// Explicit or auto padding for one spatial axis; returns output size.
Result<int64_t> Spatial(const Node& node, const std::string& auto_pad, int64_t in, int64_t k, int64_t s,
                        int64_t d, bool ceil_mode, int64_t* pad_begin, int64_t* pad_end) {
  const int64_t eff_k = (k - 1) * d + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff_k - in);
    const int64_t small = total / 2;
    *pad_begin = auto_pad == "SAME_UPPER" ? small : total - small;
    *pad_end = total - *pad_begin;
    return out;
  }
  if (auto_pad == "VALID") {
    *pad_begin = *pad_end = 0;
  } else if (!auto_pad.empty() && auto_pad != "NOTSET") {
    return Bad(node, "unknown auto_pad '" + auto_pad + "'");
  }
  const int64_t span = in + *pad_begin + *pad_end - eff_k;
  if (span < 0) {
    return Bad(node, "kernel extent " + std::to_string(eff_k) + " exceeds padded input " +
                         std::to_string(in + *pad_begin + *pad_end));
  }
  return (ceil_mode ? (span + s - 1) / s : span / s) + 1;
}

// The sliding-window attributes Conv and the pools share (strides,
// dilations, pads, NCHW 2-D) into the same-named fields of `p`; returns
// auto_pad.
template <typename Params>
Result<std::string> GetWindowAttrs(const Node& node, Params* p) {
  ASSIGN_OR_RETURN(auto strides, GetPositiveInts(node, "strides", 2, 1));
  ASSIGN_OR_RETURN(auto dil, GetPositiveInts(node, "dilations", 2, 1));
  ASSIGN_OR_RETURN(auto pads, GetPositiveInts(node, "pads", 4, 0, 0));
  ASSIGN_OR_RETURN(std::string auto_pad, node.attrs.GetString("auto_pad", "NOTSET"));
  p->stride_h = strides[0];
  p->stride_w = strides[1];
  p->dilation_h = dil[0];
  p->dilation_w = dil[1];
  p->pad_top = pads[0];
  p->pad_left = pads[1];
  p->pad_bottom = pads[2];
  p->pad_right = pads[3];
  return auto_pad;
}

}  // namespace

std::string NodeContext(const Node& node) { return "node '" + node.name + "' (" + node.op + "): "; }

Result<ConvParams> GetConvParams(const Node& node, const Shape& x, const Shape& w) {
  if (x.size() != 4 || w.size() != 4) {
    return Status::NotSupported(NodeContext(node) + "only 2-D convolution (rank-4 input and weight) is supported; got input " +
                                ShapeToString(x) + ", weight " + ShapeToString(w));
  }
  ConvParams p;
  p.n = x[0];
  p.c = x[1];
  p.h = x[2];
  p.w = x[3];
  p.m = w[0];
  if (p.c < 0 || p.h < 0 || p.w < 0 || !IsStatic(w)) {
    return Bad(node, "channels, spatial dims and weights must be static; got input " + ShapeToString(x) +
                         ", weight " + ShapeToString(w));
  }
  ASSIGN_OR_RETURN(p.group, node.attrs.GetInt("group", 1));
  if (p.group < 1 || p.c % p.group != 0 || p.m % p.group != 0 || w[1] * p.group != p.c) {
    return Bad(node, "group " + std::to_string(p.group) + " does not fit input channels " + std::to_string(p.c) +
                         ", weight " + ShapeToString(w));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> ks, node.attrs.GetInts("kernel_shape", {w[2], w[3]}));
  if (ks.size() != 2 || ks[0] != w[2] || ks[1] != w[3]) {
    return Bad(node, "kernel_shape does not match weight " + ShapeToString(w));
  }
  p.kh = w[2];
  p.kw = w[3];
  if (p.kh < 1 || p.kw < 1 || p.m < 1) return Bad(node, "empty weight " + ShapeToString(w));
  ASSIGN_OR_RETURN(std::string auto_pad, GetWindowAttrs(node, &p));
  ASSIGN_OR_RETURN(p.oh, Spatial(node, auto_pad, p.h, p.kh, p.stride_h, p.dilation_h, false, &p.pad_top, &p.pad_bottom));
  ASSIGN_OR_RETURN(p.ow, Spatial(node, auto_pad, p.w, p.kw, p.stride_w, p.dilation_w, false, &p.pad_left, &p.pad_right));
  return p;
}

Result<PoolParams> GetPoolParams(const Node& node, const Shape& x) {
  if (x.size() != 4) {
    return Status::NotSupported(NodeContext(node) + "only 2-D pooling (rank-4 input) is supported; got " +
                                ShapeToString(x));
  }
  PoolParams p;
  p.n = x[0];
  p.c = x[1];
  p.h = x[2];
  p.w = x[3];
  if (p.c < 0 || p.h < 0 || p.w < 0) return Bad(node, "channels and spatial dims must be static: " + ShapeToString(x));
  if (node.op == "GlobalAveragePool") {
    if (p.h < 1 || p.w < 1) return Bad(node, "empty spatial input " + ShapeToString(x));
    p.kh = p.h;
    p.kw = p.w;
    p.oh = p.ow = 1;
    return p;
  }
  ASSIGN_OR_RETURN(auto ks, GetPositiveInts(node, "kernel_shape", 2, 0));
  ASSIGN_OR_RETURN(std::string auto_pad, GetWindowAttrs(node, &p));
  ASSIGN_OR_RETURN(int64_t ceil_mode, node.attrs.GetInt("ceil_mode", 0));
  ASSIGN_OR_RETURN(int64_t include_pad, node.attrs.GetInt("count_include_pad", 0));
  ASSIGN_OR_RETURN(int64_t storage_order, node.attrs.GetInt("storage_order", 0));
  if (storage_order != 0) return Status::NotSupported(NodeContext(node) + "storage_order=1 is not supported");
  p.kh = ks[0];
  p.kw = ks[1];
  if (p.pad_top >= p.kh || p.pad_bottom >= p.kh || p.pad_left >= p.kw || p.pad_right >= p.kw) {
    return Bad(node, "pads must be smaller than the kernel");
  }
  p.count_include_pad = include_pad != 0;
  ASSIGN_OR_RETURN(p.oh, Spatial(node, auto_pad, p.h, p.kh, p.stride_h, p.dilation_h, ceil_mode != 0, &p.pad_top, &p.pad_bottom));
  ASSIGN_OR_RETURN(p.ow, Spatial(node, auto_pad, p.w, p.kw, p.stride_w, p.dilation_w, ceil_mode != 0, &p.pad_left, &p.pad_right));
  if (ceil_mode != 0) {
    // A last window starting in the right padding is dropped (as ONNX
    // Runtime and PyTorch do); the kernels then see extra right padding.
    if ((p.oh - 1) * p.stride_h >= p.h + p.pad_top) --p.oh;
    if ((p.ow - 1) * p.stride_w >= p.w + p.pad_left) --p.ow;
    p.pad_bottom = std::max(p.pad_bottom, (p.oh - 1) * p.stride_h + (p.kh - 1) * p.dilation_h + 1 - p.h - p.pad_top);
    p.pad_right = std::max(p.pad_right, (p.ow - 1) * p.stride_w + (p.kw - 1) * p.dilation_w + 1 - p.w - p.pad_left);
  }
  return p;
}

Result<GemmParams> GetGemmParams(const Node& node, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2) {
    return Bad(node, "Gemm needs 2-D inputs, got " + ShapeToString(a) + " and " + ShapeToString(b));
  }
  GemmParams p;
  ASSIGN_OR_RETURN(int64_t ta, node.attrs.GetInt("transA", 0));
  ASSIGN_OR_RETURN(int64_t tb, node.attrs.GetInt("transB", 0));
  ASSIGN_OR_RETURN(p.alpha, node.attrs.GetFloat("alpha", 1.0f));
  ASSIGN_OR_RETURN(p.beta, node.attrs.GetFloat("beta", 1.0f));
  p.trans_a = ta != 0;
  p.trans_b = tb != 0;
  p.m = p.trans_a ? a[1] : a[0];
  p.k = p.trans_a ? a[0] : a[1];
  const int64_t kb = p.trans_b ? b[1] : b[0];
  p.n = p.trans_b ? b[0] : b[1];
  if (p.k >= 0 && kb >= 0 && p.k != kb) {
    return Bad(node, "inner dimensions differ: A " + ShapeToString(a) + (p.trans_a ? " (transposed)" : "") +
                         ", B " + ShapeToString(b) + (p.trans_b ? " (transposed)" : ""));
  }
  if (p.k < 0) p.k = kb;
  return p;
}

Result<int64_t> NormalizeAxis(const Node& node, int64_t axis, size_t rank, bool inclusive) {
  const int64_t r = static_cast<int64_t>(rank) + (inclusive ? 1 : 0);
  if (axis < -r || axis >= r) {
    return Bad(node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

Result<Shape> BroadcastShapes(const Node& node, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (db == 1) {
      out[i] = da;
    } else if (da < 0 || db < 0) {
      out[i] = std::max(da, db);  // the known one; checked again at run time
    } else {
      return Bad(node, "shapes " + ShapeToString(a) + " and " + ShapeToString(b) + " do not broadcast");
    }
  }
  return out;
}

Result<Shape> MatMulShape(const Node& node, const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty()) return Bad(node, "MatMul operands must have rank >= 1");
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  const int64_t ka = a[a.size() - 1], kb = b[b.size() - 2];
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return Bad(node, "inner dimensions differ: " + ShapeToString(a_in) + " x " + ShapeToString(b_in));
  }
  Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
  ASSIGN_OR_RETURN(Shape out, BroadcastShapes(node, batch_a, batch_b));
  if (a_in.size() > 1) out.push_back(a[a.size() - 2]);
  if (b_in.size() > 1) out.push_back(b[b.size() - 1]);
  return out;
}

}  // namespace edgepipe::nn
