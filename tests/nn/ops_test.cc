// Every FP32 op of the executor against a naive scalar reference written
// here (the oracle), over random shapes and attributes with fixed seeds.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/nn_test_util.h"

namespace edgepipe::nn {
namespace {

using testing::AllClose;
using testing::OneNodeGraph;
using testing::RandomTensor;
using testing::RunGraph;
using testing::TestInput;

constexpr float kRtol = 1e-4f;
constexpr float kAtol = 1e-5f;

// ---- Reference implementations ----------------------------------------------

struct ConvCase {
  int64_t n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

std::vector<float> RefConv(const ConvCase& p, const float* x, const float* w, const float* b, int64_t* oh_out,
                           int64_t* ow_out) {
  const int64_t oh = (p.h + p.pt + p.pb - ((p.kh - 1) * p.dh + 1)) / p.sh + 1;
  const int64_t ow = (p.w + p.pl + p.pr - ((p.kw - 1) * p.dw + 1)) / p.sw + 1;
  *oh_out = oh;
  *ow_out = ow;
  const int64_t cg = p.c / p.group, mg = p.m / p.group;
  std::vector<float> y(p.n * p.m * oh * ow);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t m = 0; m < p.m; ++m) {
      const int64_t g = m / mg;
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = b ? b[m] : 0.0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t ky = 0; ky < p.kh; ++ky)
              for (int64_t kx = 0; kx < p.kw; ++kx) {
                const int64_t iy = oy * p.sh - p.pt + ky * p.dh, ix = ox * p.sw - p.pl + kx * p.dw;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                acc += double(x[((n * p.c + g * cg + ci) * p.h + iy) * p.w + ix]) *
                       w[((m * cg + ci) * p.kh + ky) * p.kw + kx];
              }
          y[((n * p.m + m) * oh + oy) * ow + ox] = static_cast<float>(acc);
        }
    }
  return y;
}

std::vector<float> RefGemm(int64_t m, int64_t k, int64_t n, const float* a, bool ta, const float* b, bool tb,
                           float alpha, float beta, const Tensor* c) {
  std::vector<float> y(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t kk = 0; kk < k; ++kk) acc += double(ta ? a[kk * m + i] : a[i * k + kk]) * (tb ? b[j * k + kk] : b[kk * n + j]);
      double cv = 0;
      if (c) {
        const Shape& cs = c->shape();
        int64_t ci = 0, cj = 0;
        if (cs.size() == 2) ci = cs[0] == 1 ? 0 : i, cj = cs[1] == 1 ? 0 : j;
        if (cs.size() == 1) cj = cs[0] == 1 ? 0 : j;
        const int64_t cols = cs.size() == 2 ? cs[1] : (cs.size() == 1 ? cs[0] : 1);
        cv = c->data_as<float>()[cs.empty() ? 0 : ci * cols + cj];
      }
      y[i * n + j] = static_cast<float>(alpha * acc + beta * cv);
    }
  return y;
}

std::vector<float> RefPool(bool max, bool include_pad, int64_t n, int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw,
                           int64_t sh, int64_t sw, int64_t pt, int64_t pl, int64_t oh, int64_t ow, const float* x) {
  std::vector<float> y(n * c * oh * ow);
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              // ONNX counts padding cells only inside the padded input.
              if (include_pad && iy < h + (oh - 1) * sh + kh - h && ix < w + (ow - 1) * sw + kw - w) ++count;
              continue;
            }
            const float v = x[(b * h + iy) * w + ix];
            acc = max ? std::max<double>(acc, v) : acc + v;
            ++count;
          }
        y[(b * oh + oy) * ow + ox] = static_cast<float>(max ? acc : acc / std::max<int64_t>(count, 1));
      }
  return y;
}

std::vector<float> ToVector(const Tensor& t) { return {t.data_as<float>(), t.data_as<float>() + t.num_elements()}; }

// ---- Conv --------------------------------------------------------------------

TEST(OpsTest, ConvRandomShapes) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    ConvCase p;
    const int kind = seed % 4;  // 0 dense, 1 depthwise, 2 grouped, 3 1x1
    p.group = kind == 1 ? pick(1, 17) : kind == 2 ? pick(2, 4) : 1;
    p.c = kind == 1 ? p.group : p.group * pick(1, 9);
    p.m = kind == 1 ? p.group : p.group * pick(1, 9);
    p.n = pick(1, 3);
    p.kh = kind == 3 ? 1 : pick(1, 5);
    p.kw = kind == 3 ? 1 : pick(1, 5);
    p.sh = pick(1, 3), p.sw = pick(1, 3);
    p.dh = seed % 5 == 0 ? 2 : 1, p.dw = seed % 7 == 0 ? 2 : 1;
    p.pt = pick(0, p.kh - 1), p.pl = pick(0, p.kw - 1), p.pb = pick(0, p.kh - 1), p.pr = pick(0, p.kw - 1);
    p.h = pick((p.kh - 1) * p.dh + 1, 19), p.w = pick((p.kw - 1) * p.dw + 1, 19);
    Tensor x = RandomTensor({p.n, p.c, p.h, p.w}, &rng);
    Tensor w = RandomTensor({p.m, p.c / p.group, p.kh, p.kw}, &rng);
    Tensor b = RandomTensor({p.m}, &rng);
    const bool with_bias = seed % 3 != 0;
    Attributes attrs;
    attrs.SetInts("strides", {p.sh, p.sw});
    attrs.SetInts("dilations", {p.dh, p.dw});
    attrs.SetInts("pads", {p.pt, p.pl, p.pb, p.pr});
    attrs.SetInt("group", p.group);
    if (seed % 2) attrs.SetInts("kernel_shape", {p.kh, p.kw});
    std::vector<TestInput> inputs = {{x}, {w, true}};
    if (with_bias) inputs.push_back({b, true});
    int64_t oh, ow;
    const std::vector<float> want = RefConv(p, x.data_as<float>(), w.data_as<float>(), with_bias ? b.data_as<float>() : nullptr, &oh, &ow);
    auto out = RunGraph(OneNodeGraph("Conv", inputs, attrs), {x});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].shape(), (Shape{p.n, p.m, oh, ow}));
    EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
  }
}

TEST(OpsTest, ConvAutoPadSameUpper) {
  std::mt19937 rng(7);
  Tensor x = RandomTensor({1, 4, 9, 8}, &rng);
  Tensor w = RandomTensor({6, 4, 3, 3}, &rng);
  Attributes attrs;
  attrs.SetString("auto_pad", "SAME_UPPER");
  attrs.SetInts("strides", {2, 2});
  auto out = RunGraph(OneNodeGraph("Conv", {{x}, {w, true}}, attrs), {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // SAME_UPPER, stride 2: out = ceil(in/2); total pad 2 (h: (5-1)*2+3-9) / 1 (w).
  ConvCase p{1, 4, 9, 8, 6, 1, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1};
  int64_t oh, ow;
  const auto want = RefConv(p, x.data_as<float>(), w.data_as<float>(), nullptr, &oh, &ow);
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 6, 5, 4}));
  EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
}

// ---- Gemm / MatMul -----------------------------------------------------------

TEST(OpsTest, GemmRandomShapesBothKernels) {
  const int64_t sizes[] = {1, 7, 8, 31, 32, 33, 127, 128, 129};
  for (uint32_t seed = 1; seed <= 36; ++seed) {
    for (bool direct : {true, false}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + (direct ? " direct" : " onednn"));
      std::mt19937 rng(seed);
      auto pick = [&](int n) { return sizes[std::uniform_int_distribution<int>(0, n - 1)(rng)]; };
      const int64_t m = pick(4), k = pick(9), n = pick(9);
      const bool ta = seed % 4 == 1, tb = seed % 2 == 0;
      const float alpha = seed % 5 == 0 ? 0.5f : 1.0f, beta = seed % 3 == 0 ? 2.0f : 1.0f;
      Tensor a = RandomTensor(ta ? Shape{k, m} : Shape{m, k}, &rng);
      Tensor b = RandomTensor(tb ? Shape{n, k} : Shape{k, n}, &rng);
      const int c_kind = seed % 4;  // none, [n], [1,n], scalar
      Tensor c = RandomTensor(c_kind == 1 ? Shape{n} : c_kind == 2 ? Shape{1, n} : Shape{}, &rng);
      Attributes attrs;
      attrs.SetInt("transA", ta);
      attrs.SetInt("transB", tb);
      attrs.SetFloat("alpha", alpha);
      attrs.SetFloat("beta", beta);
      std::vector<TestInput> inputs = {{a}, {b, true}};
      if (c_kind) inputs.push_back({c, true});
      const auto want = RefGemm(m, k, n, a.data_as<float>(), ta, b.data_as<float>(), tb, alpha, beta, c_kind ? &c : nullptr);
      ExecutorOptions options;
      options.direct_kernels = direct;
      auto out = RunGraph(OneNodeGraph("Gemm", inputs, attrs), {a}, options);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ((*out)[0].shape(), (Shape{m, n}));
      EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
    }
  }
}

TEST(OpsTest, GemmRuntimeWeightsAndFullC) {
  std::mt19937 rng(3);
  Tensor a = RandomTensor({5, 6}, &rng), b = RandomTensor({7, 6}, &rng), c = RandomTensor({5, 7}, &rng);
  Attributes attrs;
  attrs.SetInt("transB", 1);
  auto out = RunGraph(OneNodeGraph("Gemm", {{a}, {b}, {c, true}}, attrs), {a, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(AllClose((*out)[0], RefGemm(5, 6, 7, a.data_as<float>(), false, b.data_as<float>(), true, 1, 1, &c), kRtol, kAtol));
}

TEST(OpsTest, MatMulConstantWeightsLeadingDims) {
  std::mt19937 rng(4);
  Tensor a = RandomTensor({2, 3, 16}, &rng), b = RandomTensor({16, 9}, &rng);
  auto out = RunGraph(OneNodeGraph("MatMul", {{a}, {b, true}}, {}), {a});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 9}));
  EXPECT_TRUE(AllClose((*out)[0], RefGemm(6, 16, 9, a.data_as<float>(), false, b.data_as<float>(), false, 1, 0, nullptr), kRtol, kAtol));
}

TEST(OpsTest, MatMulBatchedBroadcast) {
  std::mt19937 rng(5);
  Tensor a = RandomTensor({2, 1, 3, 4}, &rng), b = RandomTensor({3, 4, 5}, &rng);
  auto out = RunGraph(OneNodeGraph("MatMul", {{a}, {b}}, {}), {a, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].shape(), (Shape{2, 3, 3, 5}));
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      auto part = RefGemm(3, 4, 5, a.data_as<float>() + i * 12, false, b.data_as<float>() + j * 20, false, 1, 0, nullptr);
      want.insert(want.end(), part.begin(), part.end());
    }
  EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
}

// ---- Pooling -----------------------------------------------------------------

TEST(OpsTest, PoolsRandomShapes) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const bool max = seed % 2 == 0;
    const bool include_pad = !max && seed % 3 == 0;
    const int64_t n = pick(1, 2), c = pick(1, 19), kh = pick(1, 4), kw = pick(1, 4);
    const int64_t sh = pick(1, 3), sw = pick(1, 3);
    const int64_t pt = pick(0, kh - 1), pl = pick(0, kw - 1), pb = pick(0, kh - 1), pr = pick(0, kw - 1);
    const int64_t h = pick(kh, 17), w = pick(kw, 17);
    Tensor x = RandomTensor({n, c, h, w}, &rng);
    Attributes attrs;
    attrs.SetInts("kernel_shape", {kh, kw});
    attrs.SetInts("strides", {sh, sw});
    attrs.SetInts("pads", {pt, pl, pb, pr});
    if (include_pad) attrs.SetInt("count_include_pad", 1);
    const int64_t oh = (h + pt + pb - kh) / sh + 1, ow = (w + pl + pr - kw) / sw + 1;
    // Reference with explicit bottom/right padding: count cells inside [−pt, h+pb) x [−pl, w+pr).
    std::vector<float> want(n * c * oh * ow);
    for (int64_t b = 0; b < n * c; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = max ? -1e30 : 0;
          int64_t count = 0;
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
              const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              if (!inside) {
                if (include_pad && iy < h + pb && ix < w + pr) ++count;
                continue;
              }
              const float v = x.data_as<float>()[(b * h + iy) * w + ix];
              acc = max ? std::max<double>(acc, v) : acc + v;
              ++count;
            }
          want[(b * oh + oy) * ow + ox] = static_cast<float>(max ? acc : acc / count);
        }
    auto out = RunGraph(OneNodeGraph(max ? "MaxPool" : "AveragePool", {{x}}, attrs), {x});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].shape(), (Shape{n, c, oh, ow}));
    EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
  }
}

TEST(OpsTest, MaxPoolCeilMode) {
  std::mt19937 rng(11);
  Tensor x = RandomTensor({1, 3, 8, 8}, &rng);
  Attributes attrs;
  attrs.SetInts("kernel_shape", {3, 3});
  attrs.SetInts("strides", {2, 2});
  attrs.SetInt("ceil_mode", 1);
  auto out = RunGraph(OneNodeGraph("MaxPool", {{x}}, attrs), {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // floor((8-3)/2)+1 = 3; ceil mode: 4 (last window starts at 6 < 8).
  ASSERT_EQ((*out)[0].shape(), (Shape{1, 3, 4, 4}));
  const auto want = RefPool(true, false, 1, 3, 8, 8, 3, 3, 2, 2, 0, 0, 4, 4, x.data_as<float>());
  EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
}

TEST(OpsTest, GlobalAveragePool) {
  for (int64_t hw : {1, 7, 8, 9, 15}) {
    std::mt19937 rng(static_cast<uint32_t>(hw));
    Tensor x = RandomTensor({2, 5, hw, hw + 1}, &rng);
    auto out = RunGraph(OneNodeGraph("GlobalAveragePool", {{x}}, {}), {x});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].shape(), (Shape{2, 5, 1, 1}));
    std::vector<float> want(10);
    for (int b = 0; b < 10; ++b) {
      double s = 0;
      for (int64_t i = 0; i < hw * (hw + 1); ++i) s += x.data_as<float>()[b * hw * (hw + 1) + i];
      want[b] = static_cast<float>(s / (hw * (hw + 1)));
    }
    EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol)) << "hw " << hw;
  }
}

// ---- Elementwise, Softmax, BN, shape ops ---------------------------------------

TEST(OpsTest, BinaryBroadcasting) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}}, {{2, 3, 4}, {3, 1}}, {{1, 3, 1}, {2, 1, 5}},
      {{4}, {2, 3, 4}},       {{1023}, {1}},    {{1, 16, 7, 7}, {1, 16, 1, 1}}, {{5, 1}, {1, 6}}};
  uint32_t seed = 0;
  for (const char* op : {"Add", "Mul", "Sub", "Div"}) {
    for (const auto& [sa, sb] : cases) {
      SCOPED_TRACE(std::string(op) + " " + ShapeToString(sa) + " " + ShapeToString(sb));
      std::mt19937 rng(++seed);
      Tensor a = RandomTensor(sa, &rng), b = RandomTensor(sb, &rng, 0.5f, 1.5f);
      auto out = RunGraph(OneNodeGraph(op, {{a}, {b}}, {}), {a, b});
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      const Shape& so = (*out)[0].shape();
      const size_t r = so.size();
      std::vector<float> want(NumElements(so));
      for (int64_t i = 0; i < NumElements(so); ++i) {
        int64_t rem = i, ia = 0, ib = 0, mul_a = 1, mul_b = 1;
        for (size_t d = r; d-- > 0;) {
          const int64_t coord = rem % so[d];
          rem /= so[d];
          const int64_t da = d + sa.size() >= r ? sa[d + sa.size() - r] : 1;
          const int64_t db = d + sb.size() >= r ? sb[d + sb.size() - r] : 1;
          ia += (da == 1 ? 0 : coord) * mul_a;
          ib += (db == 1 ? 0 : coord) * mul_b;
          mul_a *= da;
          mul_b *= db;
        }
        const float x = a.data_as<float>()[ia], y = b.data_as<float>()[ib];
        want[i] = op[0] == 'A' ? x + y : op[0] == 'S' ? x - y : op[0] == 'M' ? x * y : x / y;
      }
      EXPECT_TRUE(AllClose((*out)[0], want, 1e-6f, 1e-6f));
    }
  }
}

TEST(OpsTest, ReluAndClip) {
  std::mt19937 rng(9);
  for (int64_t n : {1, 7, 8, 129, 1025}) {
    Tensor x = RandomTensor({n}, &rng, -8, 8);
    auto relu = RunGraph(OneNodeGraph("Relu", {{x}}, {}), {x});
    ASSERT_TRUE(relu.ok()) << relu.status().ToString();
    auto clip = RunGraph(OneNodeGraph("Clip", {{x}, {testing::Scalar(0), true}, {testing::Scalar(6), true}}, {}), {x});
    ASSERT_TRUE(clip.ok()) << clip.status().ToString();
    // Runtime bounds go to the direct kernel.
    Tensor lo = testing::Scalar(-1);
    auto clip_rt = RunGraph(OneNodeGraph("Clip", {{x}, {lo}}, {}), {x, lo});
    ASSERT_TRUE(clip_rt.ok()) << clip_rt.status().ToString();
    std::vector<float> want_relu(n), want_clip(n), want_rt(n);
    for (int64_t i = 0; i < n; ++i) {
      const float v = x.data_as<float>()[i];
      want_relu[i] = std::max(v, 0.0f);
      want_clip[i] = std::min(std::max(v, 0.0f), 6.0f);
      want_rt[i] = std::max(v, -1.0f);
    }
    EXPECT_TRUE(AllClose((*relu)[0], want_relu, 0, 0));
    EXPECT_TRUE(AllClose((*clip)[0], want_clip, 0, 0));
    EXPECT_TRUE(AllClose((*clip_rt)[0], want_rt, 0, 0));
  }
}

TEST(OpsTest, Softmax) {
  std::mt19937 rng(12);
  for (int64_t axis : {-1, 0, 1, 2}) {
    Tensor x = RandomTensor({3, 4, 5}, &rng, -10, 10);
    Attributes attrs;
    attrs.SetInt("axis", axis);
    auto out = RunGraph(OneNodeGraph("Softmax", {{x}}, attrs), {x});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const int64_t ax = axis < 0 ? 2 : axis;
    const Shape s = {3, 4, 5};
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= s[d];
    for (int64_t d = ax + 1; d < 3; ++d) inner *= s[d];
    std::vector<float> want(60);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        double sum = 0;
        for (int64_t j = 0; j < s[ax]; ++j) sum += std::exp(double(x.data_as<float>()[(o * s[ax] + j) * inner + i]));
        for (int64_t j = 0; j < s[ax]; ++j) {
          const int64_t idx = (o * s[ax] + j) * inner + i;
          want[idx] = static_cast<float>(std::exp(double(x.data_as<float>()[idx])) / sum);
        }
      }
    EXPECT_TRUE(AllClose((*out)[0], want, kRtol, 1e-7f)) << "axis " << axis;
  }
}

TEST(OpsTest, BatchNormalizationStandalone) {
  std::mt19937 rng(13);
  Tensor x = RandomTensor({2, 6, 5, 3}, &rng);
  Tensor gamma = RandomTensor({6}, &rng), beta = RandomTensor({6}, &rng), mean = RandomTensor({6}, &rng);
  Tensor var = RandomTensor({6}, &rng, 0.5f, 2.0f);
  Attributes attrs;
  attrs.SetFloat("epsilon", 1e-3f);
  ExecutorOptions options;
  options.optimize = false;
  auto out = RunGraph(OneNodeGraph("BatchNormalization", {{x}, {gamma, true}, {beta, true}, {mean, true}, {var, true}}, attrs),
                      {x}, options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::vector<float> want(x.num_elements());
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t c = (i / 15) % 6;
    want[i] = (x.data_as<float>()[i] - mean.data_as<float>()[c]) / std::sqrt(var.data_as<float>()[c] + 1e-3f) *
                  gamma.data_as<float>()[c] + beta.data_as<float>()[c];
  }
  EXPECT_TRUE(AllClose((*out)[0], want, kRtol, kAtol));
}

TEST(OpsTest, ConcatFlattenReshape) {
  std::mt19937 rng(14);
  Tensor a = RandomTensor({2, 3, 4}, &rng), b = RandomTensor({2, 5, 4}, &rng);
  Attributes attrs;
  attrs.SetInt("axis", 1);
  auto cat = RunGraph(OneNodeGraph("Concat", {{a}, {b}}, attrs), {a, b});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_EQ((*cat)[0].shape(), (Shape{2, 8, 4}));
  std::vector<float> want;
  for (int n = 0; n < 2; ++n) {
    want.insert(want.end(), a.data_as<float>() + n * 12, a.data_as<float>() + n * 12 + 12);
    want.insert(want.end(), b.data_as<float>() + n * 20, b.data_as<float>() + n * 20 + 20);
  }
  EXPECT_TRUE(AllClose((*cat)[0], want, 0, 0));

  Attributes flat;
  flat.SetInt("axis", 2);
  auto f = RunGraph(OneNodeGraph("Flatten", {{a}}, flat), {a});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)[0].shape(), (Shape{6, 4}));
  EXPECT_TRUE(AllClose((*f)[0], ToVector(a), 0, 0));

  auto r = RunGraph(OneNodeGraph("Reshape", {{a}, {testing::Int64s({0, -1}), true}}, {}), {a});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 12}));
  EXPECT_TRUE(AllClose((*r)[0], ToVector(a), 0, 0));
}

TEST(OpsTest, FusedActivationMatchesUnfused) {
  // Conv -> Clip(0,6) and Gemm -> Relu, optimized (fused post-op) vs not.
  std::mt19937 rng(15);
  Tensor x = RandomTensor({1, 8, 10, 10}, &rng, -3, 3);
  Tensor w = RandomTensor({16, 8, 3, 3}, &rng);
  Graph g;
  const ValueId xi = g.AddValue("x", DType::kF32, {1, 8, 10, 10});
  g.inputs.push_back(xi);
  const ValueId wi = g.AddConstant("w", w);
  const ValueId lo = g.AddConstant("lo", testing::Scalar(0)), hi = g.AddConstant("hi", testing::Scalar(6));
  const ValueId c = g.AddValue("c", DType::kF32, {}, false), y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"conv", "Conv", {xi, wi}, {c}, {}});
  g.nodes.push_back({"clip", "Clip", {c, lo, hi}, {y}, {}});
  g.outputs.push_back(y);
  ExecutorOptions plain;
  plain.optimize = false;
  auto fused = RunGraph(g, {x});
  auto unfused = RunGraph(g, {x}, plain);
  ASSERT_TRUE(fused.ok() && unfused.ok());
  EXPECT_TRUE(AllClose((*fused)[0], ToVector((*unfused)[0]), 1e-6f, 1e-6f));
}

TEST(OpsTest, DynamicBatchReplans) {
  std::mt19937 rng(16);
  Tensor w = RandomTensor({32, 10}, &rng);
  Graph g;
  const ValueId xi = g.AddValue("x", DType::kF32, {-1, 32});
  g.inputs.push_back(xi);
  const ValueId wi = g.AddConstant("w", w);
  const ValueId y = g.AddValue("y", DType::kF32, {}, false);
  g.nodes.push_back({"mm", "MatMul", {xi, wi}, {y}, {}});
  g.outputs.push_back(y);
  auto exec = Executor::Create(g);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  for (int64_t batch : {1, 4, 1, 129}) {
    Tensor x = RandomTensor({batch, 32}, &rng);
    std::vector<Tensor> out;
    ASSERT_TRUE((*exec)->Run({x}, &out).ok());
    EXPECT_EQ(out[0].shape(), (Shape{batch, 10}));
    EXPECT_TRUE(AllClose(out[0], RefGemm(batch, 32, 10, x.data_as<float>(), false, w.data_as<float>(), false, 1, 0, nullptr), kRtol, kAtol));
  }
  Tensor bad = RandomTensor({2, 31}, &rng);
  std::vector<Tensor> out;
  EXPECT_TRUE((*exec)->Run({bad}, &out).IsInvalidArgument());
}

}  // namespace
}  // namespace edgepipe::nn
