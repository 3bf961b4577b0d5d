// Direct (non-oneDNN) kernels on plain C-order tensors: small GEMMs, ops
// oneDNN has no primitive for here, fallbacks for shapes its primitives do
// not take, and the zero-copy Reshape/Flatten/Identity.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "nn/gemm_direct.h"
#include "nn/kernel.h"
#include "nn/op_params.h"

namespace edgepipe::nn {
namespace {

// Where the direct kernel is preferred over oneDNN 2.6 (docs/nn.md "Kernel
// choice", bench/nn BM_Gemm, 1 thread): a single row up to
// kDirectGemmMaxMacs multiply-adds (oneDNN's ~1 us per call dominates:
// 0.14-0.7 us vs 1.0-1.6 us), and every GEMM of at least
// kDirectGemmMinRows rows (the row tiles are faster or level on every
// shape measured at 4 and 32 rows, 2x where oneDNN's plain-layout sgemm
// meets a 4 KiB row stride at N = 1024). A single large row stays with
// oneDNN's GEMV (1x1024x1024: 79 us vs 88 us for the direct row kernel).
constexpr int64_t kDirectGemmMaxMacs = int64_t{1} << 14;
constexpr int64_t kDirectGemmMinRows = 2;

struct Activation {
  bool any = false;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

Result<Activation> GetActivation(const Node& node) {
  Activation a;
  ASSIGN_OR_RETURN(std::string act, node.attrs.GetString(kAttrActivation, ""));
  if (act.empty()) return a;
  a.any = true;
  if (act == "Relu") {
    a.lo = 0;
  } else if (act == "Clip") {
    ASSIGN_OR_RETURN(a.lo, node.attrs.GetFloat(kAttrClipMin, a.lo));
    ASSIGN_OR_RETURN(a.hi, node.attrs.GetFloat(kAttrClipMax, a.hi));
  } else {
    return Status::NotSupported(NodeContext(node) + "fused activation '" + act + "'");
  }
  return a;
}

// Strides of a C-order shape, right-aligned to `rank` with 0 for broadcast
// (size-1 or missing) dims.
std::vector<int64_t> BroadcastStrides(const Shape& shape, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    const size_t o = i + (out.size() - shape.size());
    strides[o] = shape[i] == 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

// Gemm and MatMul, any shapes: packs B (with alpha) once when constant, per
// call otherwise. `preferred_only` declines shapes oneDNN runs faster.
class DirectGemmKernel final : public Kernel {
 public:
  explicit DirectGemmKernel(bool preferred_only) : preferred_only_(preferred_only) {}
  const char* name() const override { return preferred_only_ ? "direct_gemm" : "direct_gemm_fallback"; }

  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    const KernelTensor& a = ctx->inputs[0];
    const KernelTensor& b = ctx->inputs[1];
    ASSIGN_OR_RETURN(act_, GetActivation(node));
    threads_ = ctx->threads;
    const Shape& out = ctx->outputs[0].shape;
    batches_.clear();
    if (node.op == "Gemm") {
      ASSIGN_OR_RETURN(GemmParams p, GetGemmParams(node, a.shape, b.shape));
      m_ = p.m, k_ = p.k, n_ = p.n, trans_a_ = p.trans_a, trans_b_ = p.trans_b, alpha_ = p.alpha;
      batches_.push_back({0, 0, 0});
      if (ctx->inputs.size() > 2 && ctx->inputs[2].present) {
        const KernelTensor& c = ctx->inputs[2];
        if (c.constant == nullptr) return Status::NotSupported(NodeContext(node) + "C must be constant");
        // beta*C broadcast to [M, N] once.
        c_full_.assign(static_cast<size_t>(m_ * n_), 0.0f);
        const std::vector<int64_t> cs = BroadcastStrides(c.shape, {m_, n_});
        for (int64_t i = 0; i < m_; ++i) {
          for (int64_t j = 0; j < n_; ++j) c_full_[i * n_ + j] = p.beta * c.constant->data_as<float>()[i * cs[0] + j * cs[1]];
        }
        c_rows_ = c.shape.size() == 2 && c.shape[0] != 1 && m_ > 1;
      } else {
        c_full_.clear();
      }
    } else {  // MatMul, numpy semantics
      Shape as = a.shape, bs = b.shape;
      if (as.size() == 1) as.insert(as.begin(), 1);
      if (bs.size() == 1) bs.push_back(1);
      m_ = as[as.size() - 2], k_ = as.back(), n_ = bs.back();
      trans_a_ = trans_b_ = false;
      alpha_ = 1;
      c_full_.clear();
      Shape batch_out(out.begin(), out.end() - (a.shape.size() > 1 ? 1 : 0) - (b.shape.size() > 1 ? 1 : 0));
      const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
      const std::vector<int64_t> sa = BroadcastStrides(ab, batch_out), sb = BroadcastStrides(bb, batch_out);
      const int64_t count = NumElements(batch_out);
      for (int64_t idx = 0; idx < count; ++idx) {
        int64_t rem = idx, oa = 0, ob = 0;
        for (size_t d = batch_out.size(); d-- > 0;) {
          const int64_t coord = rem % batch_out[d];
          rem /= batch_out[d];
          oa += coord * sa[d];
          ob += coord * sb[d];
        }
        batches_.push_back({oa * m_ * k_, ob * k_ * n_, idx * m_ * n_});
      }
    }
    const int64_t macs = m_ * n_ * k_ * static_cast<int64_t>(batches_.size());
    const bool constant_b = b.constant != nullptr;
    if (preferred_only_ &&
        (!constant_b || batches_.size() != 1 || (macs > kDirectGemmMaxMacs && m_ < kDirectGemmMinRows))) {
      return Status::NotSupported(NodeContext(node) + "oneDNN is faster here (one large row, or non-constant B)");
    }
    np_ = PaddedN(n_);
    packed_.assign(static_cast<size_t>(k_ * np_ * (constant_b ? batches_.size() : 1)), 0.0f);
    row_.assign(static_cast<size_t>(np_), 0.0f);
    a_row_.assign(static_cast<size_t>(k_), 0.0f);
    bias_.clear();
    if (!c_full_.empty() && !c_rows_) bias_.assign(c_full_.begin(), c_full_.begin() + n_), bias_.resize(np_, 0.0f);
    constant_b_ = constant_b;
    if (constant_b) {
      for (size_t bi = 0; bi < batches_.size(); ++bi) {
        Pack(b.constant->data_as<float>() + batches_[bi].b, packed_.data() + bi * k_ * np_);
      }
    }
    return Status::OK();
  }

  Status Run(const KernelRunContext& ctx) override {
    const float* a = static_cast<const float*>(ctx.inputs[0]);
    const float* b = static_cast<const float*>(ctx.inputs[1]);
    float* y = static_cast<float*>(ctx.outputs[0]);
    for (size_t bi = 0; bi < batches_.size(); ++bi) {
      const Batch& batch = batches_[bi];
      const float* packed = packed_.data() + (constant_b_ ? bi * k_ * np_ : 0);
      if (!constant_b_) Pack(b + batch.b, packed_.data());
      const float* bias = bias_.empty() ? nullptr : bias_.data();
      if (!trans_a_ && !c_rows_) {  // the common case: all rows at once, in register tiles
        GemmPacked(a + batch.a, m_, k_, packed, n_, bias, act_.any, act_.lo, act_.hi, y + batch.y, threads_);
        continue;
      }
      for (int64_t i = 0; i < m_; ++i) {
        const float* a_row = a + batch.a + i * k_;
        if (trans_a_) {
          for (int64_t kk = 0; kk < k_; ++kk) a_row_[kk] = a[kk * m_ + i];
          a_row = a_row_.data();
        }
        GemmRowPacked(a_row, k_, packed, n_, bias, row_.data());
        float* dst = y + batch.y + i * n_;
        if (c_rows_) {
          for (int64_t j = 0; j < n_; ++j) row_[j] += c_full_[i * n_ + j];
        }
        if (act_.any) {
          for (int64_t j = 0; j < n_; ++j) dst[j] = std::min(std::max(row_[j], act_.lo), act_.hi);
        } else {
          std::memcpy(dst, row_.data(), static_cast<size_t>(n_) * sizeof(float));
        }
      }
    }
    return Status::OK();
  }

 private:
  struct Batch {
    int64_t a, b, y;  // element offsets
  };
  void Pack(const float* b, float* dst) const { PackGemmBlocks(b, k_, n_, trans_b_, alpha_, dst); }

  bool preferred_only_;
  int threads_ = 1;
  int64_t m_ = 0, k_ = 0, n_ = 0, np_ = 0;
  bool trans_a_ = false, trans_b_ = false, constant_b_ = false, c_rows_ = false;
  float alpha_ = 1;
  Activation act_;
  std::vector<Batch> batches_;
  std::vector<float> packed_, row_, a_row_, bias_, c_full_;
};

// Add/Sub/Mul/Div with full multidirectional broadcasting.
class DirectBinaryKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_binary"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    out_ = ctx->outputs[0].shape;
    sa_ = BroadcastStrides(ctx->inputs[0].shape, out_);
    sb_ = BroadcastStrides(ctx->inputs[1].shape, out_);
    const std::string& op = ctx->node->op;
    kind_ = op == "Add" ? 0 : op == "Sub" ? 1 : op == "Mul" ? 2 : 3;
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    const float* a = static_cast<const float*>(ctx.inputs[0]);
    const float* b = static_cast<const float*>(ctx.inputs[1]);
    float* y = static_cast<float*>(ctx.outputs[0]);
    const int64_t total = NumElements(out_);
    const size_t rank = out_.size();
    const int64_t inner = rank ? out_.back() : 1;
    const int64_t ia = rank ? sa_.back() : 0, ib = rank ? sb_.back() : 0;
    for (int64_t base = 0; base < total; base += inner) {
      int64_t rem = base / std::max<int64_t>(inner, 1), oa = 0, ob = 0;
      for (size_t d = rank > 0 ? rank - 1 : 0; d-- > 0;) {
        const int64_t coord = rem % out_[d];
        rem /= out_[d];
        oa += coord * sa_[d];
        ob += coord * sb_[d];
      }
      for (int64_t j = 0; j < inner; ++j) {
        const float x = a[oa + j * ia], z = b[ob + j * ib];
        y[base + j] = kind_ == 0 ? x + z : kind_ == 1 ? x - z : kind_ == 2 ? x * z : x / z;
      }
      if (inner == 0) break;
    }
    return Status::OK();
  }

 private:
  Shape out_;
  std::vector<int64_t> sa_, sb_;
  int kind_ = 0;
};

// Relu / Clip with bounds read at run time.
class DirectClipKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_clip"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    n_ = NumElements(ctx->inputs[0].shape);
    relu_ = ctx->node->op == "Relu";
    has_lo_ = ctx->inputs.size() > 1 && ctx->inputs[1].present;
    has_hi_ = ctx->inputs.size() > 2 && ctx->inputs[2].present;
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    float lo = relu_ ? 0.0f : -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (!relu_) {
      if (has_lo_) lo = *static_cast<const float*>(ctx.inputs[1]);
      if (has_hi_) hi = *static_cast<const float*>(ctx.inputs[2]);
    }
    const float* x = static_cast<const float*>(ctx.inputs[0]);
    float* y = static_cast<float*>(ctx.outputs[0]);
    for (int64_t i = 0; i < n_; ++i) y[i] = std::min(std::max(x[i], lo), hi);
    return Status::OK();
  }

 private:
  int64_t n_ = 0;
  bool relu_ = true, has_lo_ = false, has_hi_ = false;
};

// Inference BatchNormalization not folded into a Conv/Gemm: y = x*a[c] + b[c].
class DirectBatchNormKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_batchnorm"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    const Node& node = *ctx->node;
    for (size_t i = 1; i < 5; ++i) {
      if (ctx->inputs[i].constant == nullptr) return Status::NotSupported(NodeContext(node) + "parameters must be constant");
    }
    ASSIGN_OR_RETURN(float eps, node.attrs.GetFloat("epsilon", 1e-5f));
    const Shape& x = ctx->inputs[0].shape;
    channels_ = x[1];
    outer_ = x[0];
    inner_ = 1;
    for (size_t d = 2; d < x.size(); ++d) inner_ *= x[d];
    scale_.resize(channels_);
    shift_.resize(channels_);
    const auto* gamma = ctx->inputs[1].constant->data_as<float>();
    const auto* beta = ctx->inputs[2].constant->data_as<float>();
    const auto* mean = ctx->inputs[3].constant->data_as<float>();
    const auto* var = ctx->inputs[4].constant->data_as<float>();
    for (int64_t c = 0; c < channels_; ++c) {
      scale_[c] = gamma[c] / std::sqrt(var[c] + eps);
      shift_[c] = beta[c] - mean[c] * scale_[c];
    }
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    const float* x = static_cast<const float*>(ctx.inputs[0]);
    float* y = static_cast<float*>(ctx.outputs[0]);
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t c = 0; c < channels_; ++c) {
        const int64_t base = (o * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) y[base + i] = x[base + i] * scale_[c] + shift_[c];
      }
    }
    return Status::OK();
  }

 private:
  int64_t outer_ = 0, channels_ = 0, inner_ = 0;
  std::vector<float> scale_, shift_;
};

class DirectSoftmaxKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_softmax"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    const Shape& x = ctx->inputs[0].shape;
    ASSIGN_OR_RETURN(int64_t axis, ctx->node->attrs.GetInt("axis", -1));
    ASSIGN_OR_RETURN(axis, NormalizeAxis(*ctx->node, axis, x.size()));
    outer_ = inner_ = 1;
    for (int64_t d = 0; d < axis; ++d) outer_ *= x[d];
    for (size_t d = axis + 1; d < x.size(); ++d) inner_ *= x[d];
    n_ = x[axis];
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    const float* x = static_cast<const float*>(ctx.inputs[0]);
    float* y = static_cast<float*>(ctx.outputs[0]);
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const int64_t base = o * n_ * inner_ + i;
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < n_; ++j) mx = std::max(mx, x[base + j * inner_]);
        double sum = 0;
        for (int64_t j = 0; j < n_; ++j) {
          const float e = std::exp(x[base + j * inner_] - mx);
          y[base + j * inner_] = e;
          sum += e;
        }
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < n_; ++j) y[base + j * inner_] *= inv;
      }
    }
    return Status::OK();
  }

 private:
  int64_t outer_ = 1, n_ = 1, inner_ = 1;
};

class DirectConcatKernel final : public Kernel {
 public:
  const char* name() const override { return "direct_concat"; }
  Status Prepare(KernelPrepareContext* ctx) override {
    const Shape& out = ctx->outputs[0].shape;
    ASSIGN_OR_RETURN(int64_t axis, ctx->node->attrs.GetInt("axis", 0));
    ASSIGN_OR_RETURN(axis, NormalizeAxis(*ctx->node, axis, out.size()));
    const size_t elem = DTypeSize(ctx->outputs[0].dtype);
    int64_t inner = 1;
    for (size_t d = axis + 1; d < out.size(); ++d) inner *= out[d];
    outer_ = 1;
    for (int64_t d = 0; d < axis; ++d) outer_ *= out[d];
    chunk_.clear();
    for (const KernelTensor& t : ctx->inputs) chunk_.push_back(static_cast<size_t>(t.shape[axis] * inner) * elem);
    return Status::OK();
  }
  Status Run(const KernelRunContext& ctx) override {
    auto* y = static_cast<uint8_t*>(ctx.outputs[0]);
    for (int64_t o = 0; o < outer_; ++o) {
      for (size_t i = 0; i < chunk_.size(); ++i) {
        std::memcpy(y, static_cast<const uint8_t*>(ctx.inputs[i]) + o * chunk_[i], chunk_[i]);
        y += chunk_[i];
      }
    }
    return Status::OK();
  }

 private:
  int64_t outer_ = 1;
  std::vector<size_t> chunk_;
};

// Reshape, Flatten, Identity: the output is the input's bytes.
class AliasKernel final : public Kernel {
 public:
  const char* name() const override { return "alias"; }
  bool AliasesInput0() const override { return true; }
  Status Prepare(KernelPrepareContext*) override { return Status::OK(); }
  Status Run(const KernelRunContext&) override { return Status::Internal("alias kernels do not run"); }
};

template <typename K>
std::unique_ptr<Kernel> Make() {
  return std::make_unique<K>();
}
std::unique_ptr<Kernel> MakePreferredGemm() { return std::make_unique<DirectGemmKernel>(true); }
std::unique_ptr<Kernel> MakeGemm() { return std::make_unique<DirectGemmKernel>(false); }

}  // namespace

void RegisterDirectFp32Kernels(KernelRegistry* registry) {
  const std::vector<DType> f32 = {DType::kF32};
  for (const char* op : {"Gemm", "MatMul"}) {
    registry->Register({op, {DType::kF32, DType::kF32}, 20, &MakePreferredGemm});  // before oneDNN
    registry->Register({op, {DType::kF32, DType::kF32}, 0, &MakeGemm});        // after: any shape
  }
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) registry->Register({op, {DType::kF32, DType::kF32}, 0, &Make<DirectBinaryKernel>});
  for (const char* op : {"Relu", "Clip"}) registry->Register({op, f32, 0, &Make<DirectClipKernel>});
  registry->Register({"BatchNormalization", f32, 0, &Make<DirectBatchNormKernel>});
  registry->Register({"Softmax", f32, 0, &Make<DirectSoftmaxKernel>});
  registry->Register({"Concat", {}, 0, &Make<DirectConcatKernel>});
  for (const char* op : {"Reshape", "Flatten", "Identity"}) registry->Register({op, {}, 0, &Make<AliasKernel>});
}

}  // namespace edgepipe::nn
