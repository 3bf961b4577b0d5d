// INT8 kernels: the fused dynamic-quantization GEMM (qgemm.h), and plain
// reference kernels for the standard ONNX ops it is made of
// (DynamicQuantizeLinear, MatMulInteger, Cast), so an unfused graph (or
// one from another quantizer that the fusion does not match) still runs,
// and the fused kernel has an op-by-op oracle.

#include <algorithm>
#include <cstring>
#include <string>

#include "edgepipe/nn/quantize_dynamic.h"
#include "nn/kernel.h"
#include "nn/op_params.h"
#include "nn/qgemm.h"

namespace edgepipe::nn {
namespace {

Status Decline(const Node& node, const std::string& why) { return Status::NotSupported(NodeContext(node) + why); }

int64_t Rows(const Shape& shape) {
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < shape.size(); ++d) rows *= shape[d];
  return rows;
}

// x f32 [..., K] -> y f32 [..., N] (qgemm.h): quantize x per tensor,
// exact s32 GEMM in the scheme the weights allow, dequantize + bias + ReLU
// in the epilogue.
class DynamicQuantMatMulKernel final : public Kernel {
 public:
  const char* name() const override {
    return packed_.scheme == QScheme::kU8Quads ? "int8_dynamic_qgemm_u8" : "int8_dynamic_qgemm_s16";
  }
  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& x = ctx->inputs[0];
    const KernelTensor& w = ctx->inputs[1];
    const KernelTensor& ws = ctx->inputs[2];
    if (w.constant == nullptr || ws.constant == nullptr) return Decline(node, "weights and scales must be constants");
    if (w.shape.size() != 2 || x.shape.empty()) return Decline(node, "weights must be 2-D");
    k_ = w.shape[0];
    n_ = w.shape[1];
    if (x.shape.back() != k_ || ws.constant->num_elements() != n_) return Decline(node, "shape mismatch");
    m_ = Rows(x.shape);
    ASSIGN_OR_RETURN(std::string act, node.attrs.GetString(kAttrActivation, ""));
    if (!act.empty() && act != "Relu") return Decline(node, "fused activation " + act);
    relu_ = act == "Relu";
    threads_ = ctx->threads;
    if (k_ > kQMaxK) return Decline(node, "K > " + std::to_string(kQMaxK) + " could overflow the s32 sums");
    const auto* wq = w.constant->data_as<int8_t>();
    packed_ = PackQWeights(wq, k_, n_, ChooseQScheme(wq, k_ * n_));
    const auto np = static_cast<size_t>(packed_.padded_n);
    w_scale_.assign(np, 0.0f);
    std::memcpy(w_scale_.data(), ws.constant->data(), static_cast<size_t>(n_) * sizeof(float));
    bias_.clear();
    if (ctx->inputs.size() > 3 && ctx->inputs[3].present) {
      const KernelTensor& b = ctx->inputs[3];
      if (b.constant == nullptr || b.constant->num_elements() != n_) return Decline(node, "bias must be a constant [N]");
      bias_.assign(np, 0.0f);
      std::memcpy(bias_.data(), b.constant->data(), static_cast<size_t>(n_) * sizeof(float));
    }
    scale_.assign(np, 0.0f);
    a_.assign(QActivationBytes(packed_, m_), 0);
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    const float* x = static_cast<const float*>(ctx.inputs[0]);
    const DynamicQuantParams p = ComputeDynamicQuantParams(x, m_ * k_, threads_);
    QuantizeActivations(x, m_, packed_, p, a_.data(), threads_);
    // Mul(x_scale, w_scale) of the ONNX pattern, in the same float order.
    for (size_t col = 0; col < scale_.size(); ++col) scale_[col] = p.scale * w_scale_[col];
    QGemm(a_.data(), m_, packed_, p, scale_.data(), bias_.empty() ? nullptr : bias_.data(), relu_,
          static_cast<float*>(ctx.outputs[0]), threads_);
    return Status::OK();
  }

 private:
  int64_t m_ = 0, k_ = 0, n_ = 0;
  bool relu_ = false;
  int threads_ = 1;
  QPackedWeights packed_;
  std::vector<float> w_scale_, bias_, scale_;
  std::vector<uint8_t> a_;  // quantized activations, in packed_.scheme's form
};

class DynamicQuantizeLinearKernel final : public Kernel {
 public:
  const char* name() const override { return "reference_dynamic_quantize"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    count_ = NumElements(ctx->inputs[0].shape);
    // The run context holds one pointer per output the node declares: the
    // scale and zero point may be missing, not just null.
    has_scale_ = ctx->outputs.size() > 1 && ctx->outputs[1].present;
    has_zero_point_ = ctx->outputs.size() > 2 && ctx->outputs[2].present;
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    const float* x = static_cast<const float*>(ctx.inputs[0]);
    const DynamicQuantParams p = ComputeDynamicQuantParams(x, count_);
    auto* y = static_cast<uint8_t*>(ctx.outputs[0]);
    for (int64_t i = 0; i < count_; ++i) y[i] = QuantizeU8(x[i], p);
    if (has_scale_) *static_cast<float*>(ctx.outputs[1]) = p.scale;
    if (has_zero_point_) *static_cast<uint8_t*>(ctx.outputs[2]) = p.zero_point;
    return Status::OK();
  }

 private:
  int64_t count_ = 0;
  bool has_scale_ = false, has_zero_point_ = false;
};

// A [..., K] (u8/s8) x B [K, N] (u8/s8) -> s32, with a scalar a_zero_point
// and a scalar or per-column b_zero_point. One element at a time: this is
// the oracle and the fallback, not the fast path.
class MatMulIntegerKernel final : public Kernel {
 public:
  const char* name() const override { return "reference_matmul_integer"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& a = ctx->inputs[0];
    const KernelTensor& b = ctx->inputs[1];
    if (b.shape.size() != 2 || a.shape.empty()) return Decline(node, "only A [...,K] x B [K,N] is supported");
    k_ = b.shape[0];
    n_ = b.shape[1];
    if (a.shape.back() != k_) return Decline(node, "A and B do not agree on K");
    m_ = Rows(a.shape);
    a_signed_ = a.dtype == DType::kS8;
    b_signed_ = b.dtype == DType::kS8;
    // As for outputs, absent trailing inputs have no pointer in the run context.
    has_a_zp_ = ctx->inputs.size() > 2 && ctx->inputs[2].present;
    if (has_a_zp_ && NumElements(ctx->inputs[2].shape) != 1) {
      return Decline(node, "per-row a_zero_point is not supported");
    }
    b_zp_count_ = 0;
    if (ctx->inputs.size() > 3 && ctx->inputs[3].present) {
      b_zp_count_ = NumElements(ctx->inputs[3].shape);
      if (b_zp_count_ != 1 && b_zp_count_ != n_) return Decline(node, "b_zero_point must be a scalar or [N]");
    }
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    auto load = [](const void* p, bool is_signed, int64_t i) -> int32_t {
      return is_signed ? static_cast<const int8_t*>(p)[i] : static_cast<const uint8_t*>(p)[i];
    };
    const int32_t a_zp = has_a_zp_ ? load(ctx.inputs[2], a_signed_, 0) : 0;
    auto* y = static_cast<int32_t*>(ctx.outputs[0]);
    for (int64_t row = 0; row < m_; ++row) {
      for (int64_t col = 0; col < n_; ++col) {
        const int32_t b_zp = b_zp_count_ == 0 ? 0 : load(ctx.inputs[3], b_signed_, b_zp_count_ == 1 ? 0 : col);
        int32_t acc = 0;
        for (int64_t i = 0; i < k_; ++i) {
          acc += (load(ctx.inputs[0], a_signed_, row * k_ + i) - a_zp) * (load(ctx.inputs[1], b_signed_, i * n_ + col) - b_zp);
        }
        y[row * n_ + col] = acc;
      }
    }
    return Status::OK();
  }

 private:
  int64_t m_ = 0, k_ = 0, n_ = 0, b_zp_count_ = 0;
  bool a_signed_ = false, b_signed_ = false, has_a_zp_ = false;
};

template <typename From, typename To>
void CastLoop(const void* src, void* dst, int64_t count) {
  const From* s = static_cast<const From*>(src);
  To* d = static_cast<To*>(dst);
  for (int64_t i = 0; i < count; ++i) d[i] = static_cast<To>(s[i]);
}

// Cast between s8/u8/s32 and f32 (the integer -> float direction of the
// quantized pattern, plus exact integer widenings). Float -> integer casts
// are declined: out-of-range values would be undefined behaviour in C++.
class CastKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_cast"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    const DType from = ctx->inputs[0].dtype, to = ctx->outputs[0].dtype;
    count_ = NumElements(ctx->inputs[0].shape);
    fn_ = nullptr;
    if (from == to) fn_ = from == DType::kF32 ? &CastLoop<float, float> : nullptr;
    if (to == DType::kF32) {
      if (from == DType::kS32) fn_ = &CastLoop<int32_t, float>;
      if (from == DType::kS8) fn_ = &CastLoop<int8_t, float>;
      if (from == DType::kU8) fn_ = &CastLoop<uint8_t, float>;
    } else if (to == DType::kS32) {
      if (from == DType::kS8) fn_ = &CastLoop<int8_t, int32_t>;
      if (from == DType::kU8) fn_ = &CastLoop<uint8_t, int32_t>;
      if (from == DType::kS32) fn_ = &CastLoop<int32_t, int32_t>;
    }
    if (fn_ == nullptr) {
      return Decline(*ctx->node, "Cast from " + std::string(DTypeName(from)) + " to " + std::string(DTypeName(to)));
    }
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    fn_(ctx.inputs[0], ctx.outputs[0], count_);
    return Status::OK();
  }

 private:
  int64_t count_ = 0;
  void (*fn_)(const void*, void*, int64_t) = nullptr;
};

template <typename K>
std::unique_ptr<Kernel> Make() {
  return std::make_unique<K>();
}

}  // namespace

void RegisterInt8Kernels(KernelRegistry* registry) {
  registry->Register({std::string(kOpDynamicQuantMatMul), {DType::kF32, DType::kS8, DType::kF32}, 10,
                      &Make<DynamicQuantMatMulKernel>});
  registry->Register({"DynamicQuantizeLinear", {DType::kF32}, 0, &Make<DynamicQuantizeLinearKernel>});
  registry->Register({"MatMulInteger", {}, 0, &Make<MatMulIntegerKernel>});
  registry->Register({"Cast", {}, 0, &Make<CastKernel>});
}

}  // namespace edgepipe::nn
