#pragma once
// The kernel interface of the executor and the registry that picks a kernel
// for a node. Module-private: kernels live in src/nn/ (FP32 ones in
// kernels_fp32_*.cc; INT8 ones are added the same way).
//
// Life of a kernel: the executor creates one per node per plan (a plan is
// the graph bound to concrete input shapes), calls Prepare() once with the
// concrete shapes, dtypes, layouts and constant inputs — this is where
// primitives are created and weights are reordered/packed — and then Run()
// on every call with pointers into the plan's arena. Run() must not
// allocate, and is only called from one thread at a time.

#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>
#include <vector>

#include "edgepipe/nn/graph.h"

namespace edgepipe::nn {

// One input or output of a node, with everything Prepare() needs.
struct KernelTensor {
  bool present = false;  // false for an omitted optional input/output
  DType dtype = DType::kF32;
  Shape shape;                       // concrete
  const Tensor* constant = nullptr;  // set when the value is a constant (plain layout)
  // Physical layout. `plain` means dense C-order of `shape` (the only layout
  // non-oneDNN code reads); otherwise `desc` is a oneDNN (blocked) layout.
  bool plain = true;
  dnnl::memory::desc desc;  // valid for f32/s8/u8/s32; zero desc for s64
  size_t bytes = 0;         // storage size (desc.get_size() when blocked)
};

struct KernelPrepareContext {
  const Node* node = nullptr;
  std::vector<KernelTensor> inputs;   // index = node input index
  // Preset by the executor to plain layouts of the inferred shapes; a
  // oneDNN kernel may set `desc`/`plain`/`bytes` to the layout its
  // primitive writes (e.g. nChw16c) so the next primitive reads it directly.
  std::vector<KernelTensor> outputs;
  dnnl::engine* engine = nullptr;
  // ExecutorOptions::threads (0 = all cores): how many pool threads a
  // direct kernel may split a large enough call over.
  int threads = 1;
};

struct KernelRunContext {
  // One pointer per input/output the node lists (nullptr for one it marks
  // absent with an empty name); trailing optional ones the node leaves out
  // have no entry at all, so kernels note in Prepare which exist.
  const void* const* inputs = nullptr;
  void* const* outputs = nullptr;
  dnnl::stream* stream = nullptr;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual const char* name() const = 0;
  // False (default): every input arrives plain (the executor inserts
  // reorders). True: inputs arrive in their producer's layout.
  virtual bool AcceptsBlockedInputs() const { return false; }
  // True: output 0 is input 0's storage reinterpreted (Reshape, Flatten);
  // Run() is never called and the output must be plain.
  virtual bool AliasesInput0() const { return false; }
  // NotSupported declines the node (the registry's next candidate is tried);
  // any other error fails the plan.
  virtual Status Prepare(KernelPrepareContext* ctx) = 0;
  virtual Status Run(const KernelRunContext& ctx) = 0;
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

struct KernelRegistration {
  std::string op;  // node op type
  // Required dtypes of the leading inputs; empty = any. An absent optional
  // input matches anything.
  std::vector<DType> input_dtypes;
  int priority = 0;  // higher is tried first
  KernelFactory factory = nullptr;
};

class KernelRegistry {
 public:
  // All built-in kernels (FP32 now; INT8 registers itself in the same place).
  static const KernelRegistry& Default();

  void Register(KernelRegistration registration);
  // Matching registrations, highest priority first.
  std::vector<const KernelRegistration*> Candidates(const Node& node, const std::vector<KernelTensor>& inputs) const;

 private:
  std::vector<KernelRegistration> entries_;
};

// Built-in kernel sets (kernels_fp32_dnnl.cc, kernels_fp32_direct.cc, kernels_int8.cc).
void RegisterDnnlFp32Kernels(KernelRegistry* registry);
void RegisterDirectFp32Kernels(KernelRegistry* registry);
void RegisterInt8Kernels(KernelRegistry* registry);  // kernels_int8.cc

// Helpers for kernels.
std::optional<dnnl::memory::data_type> ToDnnlType(DType dtype);
// Dense C-order desc (scalars become [1]); zero desc for s64.
dnnl::memory::desc PlainDesc(DType dtype, const Shape& shape);
// Runs `fn`, converting a dnnl::error into Status (NotSupported for
// "unimplemented", Internal otherwise) with the node's context.
template <typename Fn>
Status DnnlCall(const Node& node, const char* what, Fn&& fn);

}  // namespace edgepipe::nn

#include "nn/kernel_inl.h"
