#pragma once
// Helpers for the nn tests: random tensors, one-node graphs, closeness.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "edgepipe/nn/executor.h"
#include "edgepipe/nn/graph.h"

namespace edgepipe::nn::testing {

inline Tensor RandomTensor(const Shape& shape, std::mt19937* rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = *Tensor::Make(DType::kF32, shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data_as<float>()[i] = dist(*rng);
  return t;
}

inline Tensor Scalar(float v) { return *Tensor::FromData(DType::kF32, {}, &v, 4); }
inline Tensor Int64s(const std::vector<int64_t>& v) {
  return *Tensor::FromData(DType::kS64, {static_cast<int64_t>(v.size())}, v.data(), v.size() * 8);
}

// Inputs: a tensor either fed at run time (graph input) or a constant.
struct TestInput {
  Tensor tensor;
  bool constant = false;
  bool absent = false;
};

// A graph with one node `op` over `inputs`, one output.
inline Graph OneNodeGraph(const std::string& op, const std::vector<TestInput>& inputs, const Attributes& attrs,
                          int outputs = 1) {
  Graph g;
  Node node;
  node.name = "n0";
  node.op = op;
  node.attrs = attrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].absent) {
      node.inputs.push_back(kNoValue);
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    if (inputs[i].constant) {
      node.inputs.push_back(g.AddConstant(name, inputs[i].tensor));
    } else {
      const ValueId id = g.AddValue(name, inputs[i].tensor.dtype(), inputs[i].tensor.shape());
      g.inputs.push_back(id);
      node.inputs.push_back(id);
    }
  }
  for (int o = 0; o < outputs; ++o) {
    const ValueId id = g.AddValue("out" + std::to_string(o), DType::kF32, {}, false);
    node.outputs.push_back(id);
    g.outputs.push_back(id);
  }
  g.nodes.push_back(std::move(node));
  return g;
}

// Runs `g` on the runtime (non-constant) inputs in order.
inline Result<std::vector<Tensor>> RunGraph(Graph g, const std::vector<Tensor>& feeds, ExecutorOptions options = {}) {
  ASSIGN_OR_RETURN(std::unique_ptr<Executor> exec, Executor::Create(std::move(g), options));
  std::vector<Tensor> outputs;
  RETURN_NOT_OK(exec->Run(feeds, &outputs));
  return outputs;
}

// Element-wise |a-b| <= atol + rtol*|b|; reports the first mismatch.
inline ::testing::AssertionResult AllClose(const Tensor& actual, const std::vector<float>& expected, float rtol,
                                           float atol) {
  if (actual.num_elements() != static_cast<int64_t>(expected.size())) {
    return ::testing::AssertionFailure() << "size " << actual.num_elements() << " vs expected " << expected.size();
  }
  const float* a = actual.data_as<float>();
  for (size_t i = 0; i < expected.size(); ++i) {
    const float diff = std::fabs(a[i] - expected[i]);
    if (!(diff <= atol + rtol * std::fabs(expected[i]))) {
      return ::testing::AssertionFailure() << "element " << i << ": got " << a[i] << ", expected " << expected[i]
                                           << " (diff " << diff << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace edgepipe::nn::testing
