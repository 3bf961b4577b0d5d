// FP32 kernels on oneDNN primitives: Conv, Gemm/MatMul (constant weights),
// pooling, Relu/Clip, binary Add/Mul/Sub/Div. Each creates its primitive and
// reorders its weights once in Prepare(); Run() only swaps data handles.

#include <cmath>
#include <cstring>
#include <limits>

#include "nn/kernel.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// Fused activation of a node (FuseActivations) as a oneDNN post-op.
Status AddActivationPostOps(const Node& node, dnnl::primitive_attr* attr) {
  ASSIGN_OR_RETURN(std::string act, node.attrs.GetString(kAttrActivation, ""));
  if (act.empty()) return Status::OK();
  dnnl::post_ops ops;
  if (act == "Relu") {
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  } else if (act == "Clip") {
    ASSIGN_OR_RETURN(float lo, node.attrs.GetFloat(kAttrClipMin, -std::numeric_limits<float>::infinity()));
    ASSIGN_OR_RETURN(float hi, node.attrs.GetFloat(kAttrClipMax, std::numeric_limits<float>::infinity()));
    // clip_v2 is ONNX's min(max(x, lo), hi); plain clip differs only at the bounds for backward.
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip_v2, lo, hi);
  } else {
    return Status::NotSupported(NodeContext(node) + "fused activation '" + act + "'");
  }
  attr->set_post_ops(ops);
  return Status::OK();
}

// Input reordered into the primitive's layout when the producer's differs.
struct InputAdapter {
  memory user, prim;
  dnnl::reorder reorder;
  std::shared_ptr<Buffer> scratch;
  bool needed = false;

  Status Init(const memory::desc& user_desc, const memory::desc& prim_desc, const dnnl::engine& engine) {
    user = memory(user_desc, engine, DNNL_MEMORY_NONE);
    needed = user_desc != prim_desc;
    if (!needed) return Status::OK();
    ASSIGN_OR_RETURN(scratch, Buffer::Allocate(prim_desc.get_size()));
    prim = memory(prim_desc, engine, scratch->mutable_data());
    reorder = dnnl::reorder(user, prim);
    return Status::OK();
  }
  // The memory the primitive reads for this call.
  const memory& Bind(const void* data, dnnl::stream& stream) {
    user.set_data_handle(const_cast<void*>(data));
    if (!needed) return user;
    reorder.execute(stream, user, prim);
    return prim;
  }
};

// Reorders a constant plain tensor into `desc`, owned by the returned memory.
memory ReorderConstant(const memory::desc& user_desc, const void* data, const memory::desc& desc,
                       const dnnl::engine& engine) {
  memory user(user_desc, engine, const_cast<void*>(data));
  memory out(desc, engine);
  dnnl::stream s(engine);
  dnnl::reorder(user, out).execute(s, user, out);
  s.wait();
  return out;
}

void SetOutputLayout(const memory::desc& desc, KernelTensor* out) {
  out->desc = desc;
  out->plain = desc == PlainDesc(out->dtype, out->shape);
  out->bytes = desc.get_size();
}

class DnnlConvKernel final : public Kernel {
 public:
  const char* name() const override { return "onednn_conv"; }
  bool AcceptsBlockedInputs() const override { return true; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& x = ctx->inputs[0];
    const KernelTensor& w = ctx->inputs[1];
    if (w.constant == nullptr) return Status::NotSupported(NodeContext(node) + "weights must be constant");
    const KernelTensor* b = ctx->inputs.size() > 2 && ctx->inputs[2].present ? &ctx->inputs[2] : nullptr;
    if (b && b->constant == nullptr) return Status::NotSupported(NodeContext(node) + "bias must be constant");
    ASSIGN_OR_RETURN(ConvParams p, GetConvParams(node, x.shape, w.shape));
    return DnnlCall(node, "convolution", [&]() -> Status {
      const memory::dims src_dims = {p.n, p.c, p.h, p.w};
      const memory::dims dst_dims = {p.n, p.m, p.oh, p.ow};
      memory::dims w_dims = {p.m, p.c / p.group, p.kh, p.kw};
      memory::desc w_user(w_dims, dt::f32, tag::oihw);
      if (p.group > 1) {
        w_dims = {p.group, p.m / p.group, p.c / p.group, p.kh, p.kw};
        w_user = memory::desc(w_dims, dt::f32, tag::goihw);
      }
      const memory::desc src_any(src_dims, dt::f32, tag::any);
      const memory::desc w_any(w_dims, dt::f32, tag::any);
      const memory::desc dst_any(dst_dims, dt::f32, tag::any);
      const memory::desc bias_md({p.m}, dt::f32, tag::a);
      dnnl::primitive_attr attr;
      RETURN_NOT_OK(AddActivationPostOps(node, &attr));
      const memory::dims strides = {p.stride_h, p.stride_w};
      const memory::dims dilates = {p.dilation_h - 1, p.dilation_w - 1};
      const memory::dims pad_l = {p.pad_top, p.pad_left}, pad_r = {p.pad_bottom, p.pad_right};
      auto desc = b ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                      dnnl::algorithm::convolution_direct, src_any, w_any,
                                                      bias_md, dst_any, strides, dilates, pad_l, pad_r)
                    : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                      dnnl::algorithm::convolution_direct, src_any, w_any,
                                                      dst_any, strides, dilates, pad_l, pad_r);
      pd_ = dnnl::convolution_forward::primitive_desc(desc, attr, *ctx->engine);
      conv_ = dnnl::convolution_forward(pd_);
      RETURN_NOT_OK(src_.Init(x.desc, pd_.src_desc(), *ctx->engine));
      weights_ = ReorderConstant(w_user, w.constant->data(), pd_.weights_desc(), *ctx->engine);
      if (b) bias_ = ReorderConstant(bias_md, b->constant->data(), bias_md, *ctx->engine);
      dst_ = memory(pd_.dst_desc(), *ctx->engine, DNNL_MEMORY_NONE);
      SetOutputLayout(pd_.dst_desc(), &ctx->outputs[0]);
      has_bias_ = b != nullptr;
      return Status::OK();
    });
  }

  Status Run(const KernelRunContext& ctx) override {
    const memory& src = src_.Bind(ctx.inputs[0], *ctx.stream);
    dst_.set_data_handle(ctx.outputs[0]);
    if (has_bias_) {
      conv_.execute(*ctx.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_BIAS, bias_}, {DNNL_ARG_DST, dst_}});
    } else {
      conv_.execute(*ctx.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}});
    }
    return Status::OK();
  }

 private:
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  InputAdapter src_;
  memory weights_, bias_, dst_;
  bool has_bias_ = false;
};

// Gemm, and MatMul with a constant 2-D right operand (A's leading dims are
// rows): oneDNN matmul with weights in its preferred layout, alpha folded
// into the weights, beta*C into the bias when C is a per-column vector.
class DnnlMatMulKernel final : public Kernel {
 public:
  const char* name() const override { return "onednn_matmul"; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& a = ctx->inputs[0];
    const KernelTensor& b = ctx->inputs[1];
    if (b.constant == nullptr || b.shape.size() != 2) {
      return Status::NotSupported(NodeContext(node) + "needs a constant 2-D weight");
    }
    int64_t m, k, n;
    bool trans_a = false, trans_b = false;
    float alpha = 1, beta = 1;
    const KernelTensor* c = nullptr;
    if (node.op == "Gemm") {
      ASSIGN_OR_RETURN(GemmParams p, GetGemmParams(node, a.shape, b.shape));
      m = p.m, k = p.k, n = p.n, trans_a = p.trans_a, trans_b = p.trans_b, alpha = p.alpha, beta = p.beta;
      if (ctx->inputs.size() > 2 && ctx->inputs[2].present) c = &ctx->inputs[2];
    } else {
      if (a.shape.empty()) return Status::NotSupported(NodeContext(node) + "scalar input");
      k = b.shape[0];
      n = b.shape[1];
      if (a.shape.back() != k) return Status::InvalidArgument(NodeContext(node) + "inner dimensions differ");
      m = NumElements(a.shape) / std::max<int64_t>(k, 1);
      if (a.shape.size() == 1) m = 1;
    }
    if (m == 0 || n == 0 || k == 0) return Status::NotSupported(NodeContext(node) + "empty GEMM");
    std::vector<float> bias;
    if (c != nullptr) {
      if (c->constant == nullptr) return Status::NotSupported(NodeContext(node) + "C must be constant");
      const int64_t cn = c->constant->num_elements();
      const bool row_vector = cn == n && (c->shape.size() < 2 || c->shape[0] == 1);
      if (cn != 1 && !row_vector) return Status::NotSupported(NodeContext(node) + "C must be a scalar or a row vector");
      bias.resize(n);
      for (int64_t j = 0; j < n; ++j) bias[j] = beta * c->constant->data_as<float>()[cn == 1 ? 0 : j];
    }
    return DnnlCall(node, "matmul", [&]() -> Status {
      const memory::desc src_md = trans_a ? memory::desc({m, k}, dt::f32, memory::dims{1, m})
                                          : memory::desc({m, k}, dt::f32, tag::ab);
      const memory::desc w_user = trans_b ? memory::desc({k, n}, dt::f32, memory::dims{1, k})
                                          : memory::desc({k, n}, dt::f32, tag::ab);
      const memory::desc w_any({k, n}, dt::f32, tag::any);
      const memory::desc dst_md({m, n}, dt::f32, tag::ab);
      const memory::desc bias_md({1, n}, dt::f32, tag::ab);
      dnnl::primitive_attr attr;
      RETURN_NOT_OK(AddActivationPostOps(node, &attr));
      auto desc = bias.empty() ? dnnl::matmul::desc(src_md, w_any, dst_md)
                               : dnnl::matmul::desc(src_md, w_any, bias_md, dst_md);
      dnnl::matmul::primitive_desc pd(desc, attr, *ctx->engine);
      matmul_ = dnnl::matmul(pd);
      std::vector<float> scaled;
      const void* w_data = b.constant->data();
      if (alpha != 1.0f) {
        scaled.assign(b.constant->data_as<float>(), b.constant->data_as<float>() + b.constant->num_elements());
        for (float& v : scaled) v *= alpha;
        w_data = scaled.data();
      }
      weights_ = ReorderConstant(w_user, w_data, pd.weights_desc(), *ctx->engine);
      if (!bias.empty()) bias_ = ReorderConstant(bias_md, bias.data(), bias_md, *ctx->engine);
      src_ = memory(src_md, *ctx->engine, DNNL_MEMORY_NONE);
      dst_ = memory(dst_md, *ctx->engine, DNNL_MEMORY_NONE);
      has_bias_ = !bias.empty();
      return Status::OK();
    });
  }

  Status Run(const KernelRunContext& ctx) override {
    src_.set_data_handle(const_cast<void*>(ctx.inputs[0]));
    dst_.set_data_handle(ctx.outputs[0]);
    if (has_bias_) {
      matmul_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_BIAS, bias_}, {DNNL_ARG_DST, dst_}});
    } else {
      matmul_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}});
    }
    return Status::OK();
  }

 private:
  dnnl::matmul matmul_;
  memory src_, weights_, bias_, dst_;
  bool has_bias_ = false;
};

// A oneDNN primitive with one source and one destination (pooling,
// eltwise): Prepare() builds it and calls Bind(); Run() points the two
// memories at the arena.
class DnnlSrcDstKernel : public Kernel {
 public:
  Status Run(const KernelRunContext& ctx) override {
    src_.set_data_handle(const_cast<void*>(ctx.inputs[0]));
    dst_.set_data_handle(ctx.outputs[0]);
    primitive_.execute(*ctx.stream, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}});
    return Status::OK();
  }

 protected:
  // Keeps `primitive` and memories for its source and destination layouts;
  // the destination layout becomes output 0's.
  void Bind(dnnl::primitive primitive, const memory::desc& src, const memory::desc& dst, KernelPrepareContext* ctx) {
    primitive_ = std::move(primitive);
    src_ = memory(src, *ctx->engine, DNNL_MEMORY_NONE);
    dst_ = memory(dst, *ctx->engine, DNNL_MEMORY_NONE);
    SetOutputLayout(dst, &ctx->outputs[0]);
  }

 private:
  dnnl::primitive primitive_;
  memory src_, dst_;
};

class DnnlPoolKernel final : public DnnlSrcDstKernel {
 public:
  const char* name() const override { return "onednn_pool"; }
  bool AcceptsBlockedInputs() const override { return true; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& x = ctx->inputs[0];
    ASSIGN_OR_RETURN(PoolParams p, GetPoolParams(node, x.shape));
    dnnl::algorithm alg = dnnl::algorithm::pooling_max;
    if (node.op != "MaxPool") {
      alg = p.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                : dnnl::algorithm::pooling_avg_exclude_padding;
    }
    return DnnlCall(node, "pooling", [&]() -> Status {
      const memory::desc dst_any({p.n, p.c, p.oh, p.ow}, dt::f32, tag::any);
      dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, alg, x.desc, dst_any,
                                          {p.stride_h, p.stride_w}, {p.kh, p.kw},
                                          {p.dilation_h - 1, p.dilation_w - 1}, {p.pad_top, p.pad_left},
                                          {p.pad_bottom, p.pad_right});
      dnnl::pooling_v2_forward::primitive_desc pd(desc, *ctx->engine);
      Bind(dnnl::pooling_v2_forward(pd), x.desc, pd.dst_desc(), ctx);
      return Status::OK();
    });
  }
};

// Relu and Clip (constant bounds), in whatever layout the input has.
class DnnlEltwiseKernel final : public DnnlSrcDstKernel {
 public:
  const char* name() const override { return "onednn_eltwise"; }
  bool AcceptsBlockedInputs() const override { return true; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& x = ctx->inputs[0];
    dnnl::algorithm alg = dnnl::algorithm::eltwise_relu;
    float lo = 0, hi = 0;
    if (node.op == "Clip") {
      alg = dnnl::algorithm::eltwise_clip_v2;
      lo = -std::numeric_limits<float>::infinity();
      hi = std::numeric_limits<float>::infinity();
      for (size_t i = 1; i < ctx->inputs.size(); ++i) {
        if (!ctx->inputs[i].present) continue;
        if (ctx->inputs[i].constant == nullptr) return Status::NotSupported(NodeContext(node) + "bounds must be constant");
        (i == 1 ? lo : hi) = ctx->inputs[i].constant->data_as<float>()[0];
      }
    }
    if (x.desc.is_zero()) return Status::NotSupported(NodeContext(node) + "no oneDNN layout");
    return DnnlCall(node, "eltwise", [&]() -> Status {
      dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, alg, x.desc, lo, hi);
      dnnl::eltwise_forward::primitive_desc pd(desc, *ctx->engine);
      Bind(dnnl::eltwise_forward(pd), x.desc, pd.dst_desc(), ctx);
      return Status::OK();
    });
  }
};

// Add/Mul/Sub/Div where the first operand (or, for Add/Mul, either) has the
// output's shape and the other broadcasts. Same-shape operands may be in
// any (equal) layout, e.g. a residual Add between two blocked convs.
class DnnlBinaryKernel final : public Kernel {
 public:
  const char* name() const override { return "onednn_binary"; }
  bool AcceptsBlockedInputs() const override { return true; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor* a = &ctx->inputs[0];
    const KernelTensor* b = &ctx->inputs[1];
    const Shape& out = ctx->outputs[0].shape;
    swapped_ = false;
    if (a->shape != out) {
      if (b->shape != out || (node.op != "Add" && node.op != "Mul")) {
        return Status::NotSupported(NodeContext(node) + "first operand must have the output shape");
      }
      std::swap(a, b);
      swapped_ = true;
    }
    if (a->desc.is_zero() || b->desc.is_zero()) return Status::NotSupported(NodeContext(node) + "no oneDNN layout");
    memory::desc b_md = b->desc;
    if (b->shape != out) {
      if (!b->plain) return Status::NotSupported(NodeContext(node) + "broadcast operand in a blocked layout");
      Shape padded(out.size() - std::min(out.size(), b->shape.size()), 1);
      padded.insert(padded.end(), b->shape.begin(), b->shape.end());
      if (padded.size() != out.size()) return Status::NotSupported(NodeContext(node) + "rank");
      b_md = PlainDesc(DType::kF32, padded);
    }
    dnnl::algorithm alg = dnnl::algorithm::binary_add;
    if (node.op == "Mul") alg = dnnl::algorithm::binary_mul;
    if (node.op == "Sub") alg = dnnl::algorithm::binary_sub;
    if (node.op == "Div") alg = dnnl::algorithm::binary_div;
    return DnnlCall(node, "binary", [&]() -> Status {
      dnnl::binary::desc desc(alg, a->desc, b_md, a->desc);
      dnnl::binary::primitive_desc pd(desc, *ctx->engine);
      binary_ = dnnl::binary(pd);
      src0_ = memory(a->desc, *ctx->engine, DNNL_MEMORY_NONE);
      src1_ = memory(b_md, *ctx->engine, DNNL_MEMORY_NONE);
      dst_ = memory(pd.dst_desc(), *ctx->engine, DNNL_MEMORY_NONE);
      SetOutputLayout(pd.dst_desc(), &ctx->outputs[0]);
      return Status::OK();
    });
  }

  Status Run(const KernelRunContext& ctx) override {
    src0_.set_data_handle(const_cast<void*>(ctx.inputs[swapped_ ? 1 : 0]));
    src1_.set_data_handle(const_cast<void*>(ctx.inputs[swapped_ ? 0 : 1]));
    dst_.set_data_handle(ctx.outputs[0]);
    binary_.execute(*ctx.stream, {{DNNL_ARG_SRC_0, src0_}, {DNNL_ARG_SRC_1, src1_}, {DNNL_ARG_DST, dst_}});
    return Status::OK();
  }

 private:
  dnnl::binary binary_;
  memory src0_, src1_, dst_;
  bool swapped_ = false;
};

template <typename K>
std::unique_ptr<Kernel> Make() {
  return std::make_unique<K>();
}

}  // namespace

void RegisterDnnlFp32Kernels(KernelRegistry* registry) {
  const std::vector<DType> f32 = {DType::kF32};
  registry->Register({"Conv", f32, 10, &Make<DnnlConvKernel>});
  registry->Register({"Gemm", f32, 10, &Make<DnnlMatMulKernel>});
  registry->Register({"MatMul", f32, 10, &Make<DnnlMatMulKernel>});
  for (const char* op : {"MaxPool", "AveragePool", "GlobalAveragePool"}) {
    registry->Register({op, f32, 10, &Make<DnnlPoolKernel>});
  }
  for (const char* op : {"Relu", "Clip"}) registry->Register({op, f32, 10, &Make<DnnlEltwiseKernel>});
  for (const char* op : {"Add", "Mul", "Sub", "Div"}) registry->Register({op, {DType::kF32, DType::kF32}, 10, &Make<DnnlBinaryKernel>});
}

}  // namespace edgepipe::nn
