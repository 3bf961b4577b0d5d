#include "edgepipe/nn/executor.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "edgepipe/core/parallel.h"
#include "edgepipe/nn/passes.h"
#include "edgepipe/nn/shape_inference.h"
#include "nn/kernel.h"
#include "nn/memory_plan.h"
#include "nn/op_params.h"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
// libdnnl links libgomp; declaring the two entry points avoids needing
// -fopenmp (and clang's libomp) just to set the thread count.
extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads();
#endif

namespace edgepipe::nn {
namespace {

dnnl::engine& CpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// oneDNN sizes its work split by the thread count seen when a primitive is
// created *and* when it runs, so set it before both (per calling thread:
// it is an OpenMP ICV).
void ApplyThreads(int threads) {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  if (threads > 0) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

// Converts a blocked layout to plain (or any layout to any other).
class ReorderKernel final : public Kernel {
 public:
  const char* name() const override { return "reorder"; }
  bool AcceptsBlockedInputs() const override { return true; }
  Status Prepare(KernelPrepareContext* ctx) override {
    return DnnlCall(*ctx->node, "reorder", [&] {
      src_ = dnnl::memory(ctx->inputs[0].desc, *ctx->engine, DNNL_MEMORY_NONE);
      dst_ = dnnl::memory(ctx->outputs[0].desc, *ctx->engine, DNNL_MEMORY_NONE);
      reorder_ = dnnl::reorder(src_, dst_);
      return Status::OK();
    });
  }
  Status Run(const KernelRunContext& ctx) override {
    src_.set_data_handle(const_cast<void*>(ctx.inputs[0]));
    dst_.set_data_handle(ctx.outputs[0]);
    reorder_.execute(*ctx.stream, src_, dst_);
    return Status::OK();
  }

 private:
  dnnl::memory src_, dst_;
  dnnl::reorder reorder_;
};

enum class SlotKind : uint8_t { kArena, kConstant, kInput, kAlias };

struct Slot {
  SlotKind kind = SlotKind::kArena;
  KernelTensor tensor;        // layout of the bytes in this slot
  size_t offset = 0;          // kArena
  const void* constant = nullptr;  // kConstant
  int input_index = -1;       // kInput
  int alias_of = -1;          // kAlias: the slot whose bytes these are
};

struct Step {
  std::unique_ptr<Kernel> kernel;  // null for an alias step
  int node_index = -1;             // -1 for an inserted reorder
  std::vector<int> in_slots;       // -1 when absent
  std::vector<int> out_slots;
  std::vector<const void*> in_ptrs;  // filled per run
  std::vector<void*> out_ptrs;
  std::string label;
};

struct Plan {
  std::vector<Slot> slots;
  std::vector<Step> steps;
  std::vector<int> output_slots;   // plain slot of each graph output
  std::vector<Shape> output_shapes;
  std::vector<DType> output_dtypes;
  std::shared_ptr<Buffer> arena;
  std::vector<void*> ptrs;  // per slot, per run
  PlanStats stats;
};

KernelTensor TensorFor(const Value& v) {
  KernelTensor t;
  t.present = true;
  t.dtype = v.dtype;
  t.shape = v.shape;
  t.constant = v.constant.get();
  t.plain = true;
  t.desc = PlainDesc(v.dtype, v.shape);
  t.bytes = static_cast<size_t>(std::max<int64_t>(NumElements(v.shape), 0)) * DTypeSize(v.dtype);
  return t;
}

// "f32,-,s8": the input dtypes a kernel lookup matched against ("-": omitted).
std::string InputDTypes(const std::vector<KernelTensor>& inputs) {
  std::string dtypes;
  for (const KernelTensor& t : inputs) {
    dtypes += (dtypes.empty() ? "" : ",") + std::string(t.present ? DTypeName(t.dtype) : "-");
  }
  return dtypes;
}

// The graph with its inputs bound to `input_shapes` and every shape inferred.
// A copy: constants are shared, not copied.
Result<Graph> BindInputShapes(const Graph& graph, const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() != graph.inputs.size()) {
    return Status::InvalidArgument("model has " + std::to_string(graph.inputs.size()) + " inputs, got " +
                                   std::to_string(input_shapes.size()) + " shapes");
  }
  Graph g = graph;
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    Value& v = g.values[g.inputs[i]];
    const Shape& s = input_shapes[i];
    bool fits = v.shape.size() == s.size() && IsStatic(s);
    for (size_t d = 0; fits && d < s.size(); ++d) fits = v.shape[d] < 0 || v.shape[d] == s[d];
    if (!fits) {
      return Status::InvalidArgument("input '" + v.name + "' has shape " + ShapeToString(s) + ", model expects " +
                                     ShapeToString(v.shape));
    }
    v.shape = s;
  }
  RETURN_NOT_OK(InferShapes(&g));
  return g;
}

// Turns a shape-bound graph into the plan's slots and steps: one kernel per
// node, in node order, plus a reorder wherever a kernel or a graph output
// needs plain bytes that the producer wrote in a blocked layout. Borrows the
// graph, options and registry: they outlive the builder.
class PlanBuilder {
 public:
  PlanBuilder(const Graph& graph, const ExecutorOptions& options, const KernelRegistry& registry)
      : graph_(graph),
        options_(options),
        registry_(registry),
        plan_(std::make_unique<Plan>()),
        slot_of_(graph.values.size(), -1),
        plain_of_(graph.values.size(), -1) {}
  PlanBuilder(const PlanBuilder&) = delete;
  PlanBuilder& operator=(const PlanBuilder&) = delete;

  // Slots for graph inputs and constants: bytes the plan reads but does not own.
  void AddExternalSlots();
  // The first candidate kernel (priority order) whose Prepare accepts the node.
  Status PlaceNode(size_t node_index);
  // Graph outputs are copied out of plain slots.
  Status AddGraphOutputs();
  std::unique_ptr<Plan> Finish() { return std::move(plan_); }

 private:
  int AddSlot(Slot slot);
  Result<int> EnsurePlain(ValueId value);
  KernelPrepareContext PrepareContextFor(const Node& node) const;
  Result<std::vector<int>> BindInputs(const Node& node, const Kernel& kernel, KernelPrepareContext* ctx);
  bool DisabledByOptions(const Kernel& kernel, bool last_candidate) const;
  void AddNodeStep(size_t node_index, std::unique_ptr<Kernel> kernel, std::vector<int> in_slots,
                   const std::vector<KernelTensor>& outputs);

  const Graph& graph_;
  const ExecutorOptions& options_;
  const KernelRegistry& registry_;
  std::unique_ptr<Plan> plan_;
  std::vector<int> slot_of_;   // value -> slot (its producer's layout)
  std::vector<int> plain_of_;  // value -> plain slot
};

int PlanBuilder::AddSlot(Slot slot) {
  plan_->slots.push_back(std::move(slot));
  return static_cast<int>(plan_->slots.size() - 1);
}

void PlanBuilder::AddExternalSlots() {
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    Slot s;
    s.kind = SlotKind::kInput;
    s.tensor = TensorFor(graph_.values[graph_.inputs[i]]);
    s.input_index = static_cast<int>(i);
    slot_of_[graph_.inputs[i]] = plain_of_[graph_.inputs[i]] = AddSlot(std::move(s));
  }
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    if (!graph_.values[v].is_constant()) continue;
    Slot s;
    s.kind = SlotKind::kConstant;
    s.tensor = TensorFor(graph_.values[v]);
    s.constant = graph_.values[v].constant->data();
    slot_of_[v] = plain_of_[v] = AddSlot(std::move(s));
  }
}

// A plain copy of `value`: a reorder step, added once per value.
Result<int> PlanBuilder::EnsurePlain(ValueId value) {
  if (plain_of_[value] >= 0) return plain_of_[value];
  const int src = slot_of_[value];
  Slot dst;
  dst.tensor = plan_->slots[src].tensor;
  dst.tensor.plain = true;
  dst.tensor.desc = PlainDesc(dst.tensor.dtype, dst.tensor.shape);
  dst.tensor.bytes = static_cast<size_t>(NumElements(dst.tensor.shape)) * DTypeSize(dst.tensor.dtype);
  Node reorder_node;
  reorder_node.name = graph_.values[value].name + "/to_plain";
  reorder_node.op = "Reorder";
  KernelPrepareContext ctx;
  ctx.node = &reorder_node;
  ctx.inputs = {plan_->slots[src].tensor};
  ctx.outputs = {dst.tensor};
  ctx.engine = &CpuEngine();
  auto kernel = std::make_unique<ReorderKernel>();
  RETURN_NOT_OK(kernel->Prepare(&ctx));
  const int dst_slot = AddSlot(std::move(dst));
  Step step;
  step.kernel = std::move(kernel);
  step.in_slots = {src};
  step.out_slots = {dst_slot};
  step.label = reorder_node.name;
  plan_->steps.push_back(std::move(step));
  ++plan_->stats.reorder_steps;
  plain_of_[value] = dst_slot;
  return dst_slot;
}

// Inputs in their producers' layouts; outputs plain, for a kernel to change.
KernelPrepareContext PlanBuilder::PrepareContextFor(const Node& node) const {
  KernelPrepareContext ctx;
  ctx.node = &node;
  ctx.engine = &CpuEngine();
  ctx.threads = options_.threads > 0 ? options_.threads : GetNumThreads();
  ctx.inputs.resize(node.inputs.size());
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i] != kNoValue) ctx.inputs[i] = plan_->slots[slot_of_[node.inputs[i]]].tensor;
  }
  ctx.outputs.resize(node.outputs.size());
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o] != kNoValue) ctx.outputs[o] = TensorFor(graph_.values[node.outputs[o]]);
  }
  return ctx;
}

// The slot each input is read from: as produced if the kernel takes blocked
// layouts (or it is plain already), else a plain copy.
Result<std::vector<int>> PlanBuilder::BindInputs(const Node& node, const Kernel& kernel, KernelPrepareContext* ctx) {
  std::vector<int> in_slots(node.inputs.size(), -1);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ValueId in = node.inputs[i];
    if (in == kNoValue) continue;
    if (kernel.AcceptsBlockedInputs() || plan_->slots[slot_of_[in]].tensor.plain) {
      in_slots[i] = slot_of_[in];
    } else {
      ASSIGN_OR_RETURN(in_slots[i], EnsurePlain(in));  // harmless if the kernel declines
    }
    ctx->inputs[i] = plan_->slots[in_slots[i]].tensor;
  }
  return in_slots;
}

// direct_kernels = false still keeps a direct kernel that is the node's last
// candidate: there is no oneDNN primitive to fall back to.
bool PlanBuilder::DisabledByOptions(const Kernel& kernel, bool last_candidate) const {
  return !options_.direct_kernels && std::string(kernel.name()).rfind("direct", 0) == 0 && !last_candidate;
}

Status PlanBuilder::PlaceNode(size_t node_index) {
  const Node& node = graph_.nodes[node_index];
  const KernelPrepareContext ctx = PrepareContextFor(node);
  const std::vector<const KernelRegistration*> candidates = registry_.Candidates(node, ctx.inputs);
  if (candidates.empty()) {
    return Status::NotSupported(NodeContext(node) + "no kernel for op " + node.op + " with input types (" +
                                InputDTypes(ctx.inputs) + ")");
  }
  std::string declined;
  for (const KernelRegistration* reg : candidates) {
    std::unique_ptr<Kernel> kernel = reg->factory();
    KernelPrepareContext try_ctx = ctx;
    ASSIGN_OR_RETURN(std::vector<int> in_slots, BindInputs(node, *kernel, &try_ctx));
    if (DisabledByOptions(*kernel, reg == candidates.back())) {
      declined += std::string(kernel->name()) + ": disabled by options; ";
      continue;
    }
    Status st = kernel->Prepare(&try_ctx);
    if (st.IsNotSupported()) {
      declined += std::string(kernel->name()) + ": " + st.message() + "; ";
      continue;
    }
    RETURN_NOT_OK(st);
    AddNodeStep(node_index, std::move(kernel), std::move(in_slots), try_ctx.outputs);
    return Status::OK();
  }
  return Status::NotSupported(NodeContext(node) + "every kernel declined: " + declined);
}

// An aliasing kernel (Reshape, Flatten, Identity) runs nothing: its output is
// a new view of input 0's bytes. Other kernels get a fresh slot per output, in
// the layout their Prepare chose.
void PlanBuilder::AddNodeStep(size_t node_index, std::unique_ptr<Kernel> kernel, std::vector<int> in_slots,
                              const std::vector<KernelTensor>& outputs) {
  const Node& node = graph_.nodes[node_index];
  Step step;
  step.node_index = static_cast<int>(node_index);
  step.in_slots = std::move(in_slots);
  step.label = node.name + " (" + node.op + ") -> " + kernel->name();
  if (kernel->AliasesInput0()) {
    Slot s;
    s.kind = SlotKind::kAlias;
    s.tensor = outputs[0];
    s.alias_of = step.in_slots[0];
    const int id = AddSlot(std::move(s));
    slot_of_[node.outputs[0]] = plain_of_[node.outputs[0]] = id;
    step.out_slots = {id};
    ++plan_->stats.alias_steps;
  } else {
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      if (node.outputs[o] == kNoValue) {
        step.out_slots.push_back(-1);
        continue;
      }
      Slot s;
      s.tensor = outputs[o];
      if (!s.tensor.plain) s.tensor.bytes = s.tensor.desc.get_size();
      const int id = AddSlot(std::move(s));
      slot_of_[node.outputs[o]] = id;
      if (plan_->slots[id].tensor.plain) plain_of_[node.outputs[o]] = id;
      step.out_slots.push_back(id);
    }
    step.kernel = std::move(kernel);
    ++plan_->stats.kernel_steps;
  }
  plan_->steps.push_back(std::move(step));
}

Status PlanBuilder::AddGraphOutputs() {
  for (ValueId out : graph_.outputs) {
    ASSIGN_OR_RETURN(int s, EnsurePlain(out));
    plan_->output_slots.push_back(s);
    plan_->output_shapes.push_back(graph_.values[out].shape);
    plan_->output_dtypes.push_back(graph_.values[out].dtype);
  }
  return Status::OK();
}

// Arena offsets for the kArena slots and the arena size (memory_plan.h).
Status PlaceSlotsInArena(Plan* plan, size_t max_arena_bytes) {
  std::vector<MemoryPlanBuffer> buffers;
  buffers.reserve(plan->slots.size());
  for (const Slot& slot : plan->slots) {
    buffers.push_back(
        {slot.tensor.bytes, slot.kind == SlotKind::kArena, slot.kind == SlotKind::kAlias ? slot.alias_of : -1});
  }
  std::vector<MemoryPlanStep> steps;
  steps.reserve(plan->steps.size());
  for (const Step& step : plan->steps) steps.push_back({step.in_slots, step.out_slots});
  ASSIGN_OR_RETURN(const MemoryPlan memory, PlanMemory(buffers, steps, plan->output_slots, max_arena_bytes));
  for (size_t s = 0; s < plan->slots.size(); ++s) plan->slots[s].offset = memory.offsets[s];
  plan->stats.arena_bytes = memory.arena_bytes;
  plan->stats.unshared_bytes = memory.unshared_bytes;
  return Status::OK();
}

// Allocates once per plan, and sizes the pointer tables, so Execute does not allocate.
Status AllocateArena(Plan* plan) {
  ASSIGN_OR_RETURN(plan->arena, Buffer::AllocateZeroed(std::max<size_t>(plan->stats.arena_bytes, 1)));
  plan->ptrs.assign(plan->slots.size(), nullptr);
  for (size_t s = 0; s < plan->slots.size(); ++s) {
    const Slot& slot = plan->slots[s];
    if (slot.kind == SlotKind::kArena) plan->ptrs[s] = plan->arena->mutable_data() + slot.offset;
    if (slot.kind == SlotKind::kConstant) plan->ptrs[s] = const_cast<void*>(slot.constant);
  }
  for (Step& step : plan->steps) {
    step.in_ptrs.assign(step.in_slots.size(), nullptr);
    step.out_ptrs.assign(step.out_slots.size(), nullptr);
  }
  return Status::OK();
}

}  // namespace

struct Executor::Impl {
  Graph graph;
  ExecutorOptions options;
  const KernelRegistry* registry = nullptr;
  dnnl::stream stream;
  std::map<std::vector<Shape>, std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;

  Result<std::unique_ptr<Plan>> BuildPlan(const std::vector<Shape>& input_shapes);
  Status Execute(Plan* plan, const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs);
};

Result<std::unique_ptr<Plan>> Executor::Impl::BuildPlan(const std::vector<Shape>& input_shapes) {
  ASSIGN_OR_RETURN(const Graph g, BindInputShapes(graph, input_shapes));
  PlanBuilder builder(g, options, *registry);
  builder.AddExternalSlots();
  for (size_t node_idx = 0; node_idx < g.nodes.size(); ++node_idx) RETURN_NOT_OK(builder.PlaceNode(node_idx));
  RETURN_NOT_OK(builder.AddGraphOutputs());
  std::unique_ptr<Plan> plan = builder.Finish();
  RETURN_NOT_OK(PlaceSlotsInArena(plan.get(), options.max_arena_bytes));
  RETURN_NOT_OK(AllocateArena(plan.get()));
  return plan;
}

Status Executor::Impl::Execute(Plan* plan, const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) {
  std::vector<void*>& ptrs = plan->ptrs;
  for (size_t s = 0; s < plan->slots.size(); ++s) {
    const Slot& slot = plan->slots[s];
    if (slot.kind == SlotKind::kInput) ptrs[s] = const_cast<void*>(inputs[slot.input_index].data());
  }
  const KernelRunContext base{nullptr, nullptr, &stream};
  for (Step& step : plan->steps) {
    if (step.kernel == nullptr) {  // alias: same bytes, new shape
      ptrs[step.out_slots[0]] = ptrs[step.in_slots[0]];
      continue;
    }
    for (size_t i = 0; i < step.in_slots.size(); ++i) {
      step.in_ptrs[i] = step.in_slots[i] < 0 ? nullptr : ptrs[step.in_slots[i]];
    }
    for (size_t o = 0; o < step.out_slots.size(); ++o) {
      step.out_ptrs[o] = step.out_slots[o] < 0 ? nullptr : ptrs[step.out_slots[o]];
    }
    KernelRunContext ctx = base;
    ctx.inputs = step.in_ptrs.data();
    ctx.outputs = step.out_ptrs.data();
    const Node* node = step.node_index >= 0 ? &graph.nodes[step.node_index] : nullptr;
    Status st;
    try {
      st = step.kernel->Run(ctx);
    } catch (const dnnl::error& e) {
      st = Status::Internal(std::string("oneDNN: ") + e.what());
    }
    if (!st.ok()) return node ? st.WithContext(NodeContext(*node)) : st;
  }
  try {
    stream.wait();
  } catch (const dnnl::error& e) {
    return Status::Internal(std::string("oneDNN stream: ") + e.what());
  }
  outputs->resize(plan->output_slots.size());
  for (size_t i = 0; i < plan->output_slots.size(); ++i) {
    Tensor& out = (*outputs)[i];
    if (out.empty_tensor() || out.shape() != plan->output_shapes[i] || out.dtype() != plan->output_dtypes[i]) {
      ASSIGN_OR_RETURN(out, Tensor::Make(plan->output_dtypes[i], plan->output_shapes[i]));
    }
    const Slot& slot = plan->slots[plan->output_slots[i]];
    std::memcpy(out.mutable_data(), ptrs[plan->output_slots[i]], slot.tensor.bytes);
  }
  return Status::OK();
}

Executor::Executor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Executor::~Executor() = default;

Result<std::unique_ptr<Executor>> Executor::Create(Graph graph, ExecutorOptions options) {
  auto impl = std::make_unique<Impl>();
  ApplyThreads(options.threads);  // constant folding runs kernels too
  RETURN_NOT_OK(graph.SortTopologically());
  RETURN_NOT_OK(InferShapes(&graph));
  if (options.optimize) RETURN_NOT_OK(OptimizeGraph(&graph));
  for (ValueId id : graph.inputs) {
    if (!graph.values[id].shape_known) {
      return Status::InvalidArgument("input '" + graph.values[id].name + "' has no declared shape");
    }
  }
  impl->graph = std::move(graph);
  impl->options = options;
  impl->registry = &KernelRegistry::Default();
  RETURN_NOT_OK(DnnlCall(Node{}, "stream", [&] {
    impl->stream = dnnl::stream(CpuEngine());
    return Status::OK();
  }));
  // Every node needs at least one candidate kernel: fail at load, not at Run.
  for (const Node& node : impl->graph.nodes) {
    std::vector<KernelTensor> ins(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] != kNoValue) ins[i] = TensorFor(impl->graph.values[node.inputs[i]]);
    }
    if (impl->registry->Candidates(node, ins).empty()) {
      return Status::NotSupported(NodeContext(node) + "no kernel for op " + node.op + " with input types (" +
                                  InputDTypes(ins) + ")" +
                                  (node.op.find("Integer") != std::string::npos || node.op.rfind("QLinear", 0) == 0 ||
                                           node.op.find("Quantize") != std::string::npos
                                       ? " (quantized execution is not implemented yet)"
                                       : ""));
    }
  }
  return std::unique_ptr<Executor>(new Executor(std::move(impl)));
}

const Graph& Executor::graph() const { return impl_->graph; }
const ExecutorOptions& Executor::options() const { return impl_->options; }

Status Executor::Prepare(const std::vector<Shape>& input_shapes) {
  auto it = impl_->plans.find(input_shapes);
  if (it != impl_->plans.end()) {
    impl_->last = it->second.get();
    return Status::OK();
  }
  ApplyThreads(impl_->options.threads);
  ASSIGN_OR_RETURN(std::unique_ptr<Plan> plan, impl_->BuildPlan(input_shapes));
  if (impl_->plans.size() >= impl_->options.max_cached_plans) impl_->plans.clear();
  impl_->last = plan.get();
  impl_->plans.emplace(input_shapes, std::move(plan));
  return Status::OK();
}

Status Executor::Run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) {
  const Graph& g = impl_->graph;
  if (inputs.size() != g.inputs.size()) {
    return Status::InvalidArgument("model has " + std::to_string(g.inputs.size()) + " inputs, got " +
                                   std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = g.values[g.inputs[i]];
    if (inputs[i].empty_tensor() || inputs[i].dtype() != v.dtype) {
      return Status::InvalidArgument("input '" + v.name + "' must be " + std::string(DTypeName(v.dtype)) + ", got " +
                                     (inputs[i].empty_tensor() ? "no tensor" : std::string(DTypeName(inputs[i].dtype()))));
    }
  }
  Plan* plan = impl_->last;
  bool same = plan != nullptr;
  if (same) {
    // The common case: the shapes of the previous call.
    for (size_t i = 0; same && i < inputs.size(); ++i) {
      same = plan->slots[i].kind == SlotKind::kInput && plan->slots[i].tensor.shape == inputs[i].shape();
    }
  }
  if (!same) {
    std::vector<Shape> shapes;
    for (const Tensor& t : inputs) shapes.push_back(t.shape());
    RETURN_NOT_OK(Prepare(shapes));
    plan = impl_->last;
  }
  ApplyThreads(impl_->options.threads);
  return impl_->Execute(plan, inputs, outputs);
}

std::string Executor::DescribePlan() const {
  const Plan* plan = impl_->last;
  if (plan == nullptr) return "(no plan yet: call Prepare or Run)\n";
  std::string s;
  for (const Step& step : plan->steps) {
    s += step.label;
    if (!step.out_slots.empty() && step.out_slots[0] >= 0) {
      const KernelTensor& t = plan->slots[step.out_slots[0]].tensor;
      s += "  " + ShapeToString(t.shape) + (t.plain ? " plain" : " blocked");
    }
    s += "\n";
  }
  s += "arena: " + std::to_string(plan->stats.arena_bytes) + " bytes (" + std::to_string(plan->stats.unshared_bytes) +
       " without sharing)\n";
  return s;
}

PlanStats Executor::plan_stats() const { return impl_->last ? impl_->last->stats : PlanStats{}; }

Result<std::vector<Tensor>> EvaluateConstantNode(const Graph& graph, const Node& node) {
  Graph g;
  g.opset = graph.opset;
  Node copy = node;
  for (ValueId& in : copy.inputs) {
    if (in == kNoValue) continue;
    const Value& v = graph.values[in];
    if (!v.is_constant()) return Status::InvalidArgument(NodeContext(node) + "input '" + v.name + "' is not constant");
    const ValueId id = g.AddValue(v.name, v.dtype, v.shape);
    g.values[id].constant = v.constant;
    in = id;
  }
  for (ValueId& out : copy.outputs) {
    if (out == kNoValue) continue;
    out = g.AddValue(graph.values[out].name, DType::kF32, {}, false);
    g.outputs.push_back(out);
  }
  g.nodes.push_back(std::move(copy));
  ExecutorOptions options;
  options.optimize = false;
  ASSIGN_OR_RETURN(std::unique_ptr<Executor> exec, Executor::Create(std::move(g), options));
  std::vector<Tensor> outputs;
  RETURN_NOT_OK(exec->Run({}, &outputs));
  return outputs;
}

std::string RuntimeDescription() {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                  std::to_string(v->patch);
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  s += " (OpenMP runtime, up to " + std::to_string(omp_get_max_threads()) + " threads)";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_TBB
  s += " (TBB runtime)";
#else
  s += " (sequential runtime)";
#endif
  return s;
}

// ---- Registry -------------------------------------------------------------

const KernelRegistry& KernelRegistry::Default() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterDnnlFp32Kernels(r);
    RegisterDirectFp32Kernels(r);
    RegisterInt8Kernels(r);
    return r;
  }();
  return *registry;
}

void KernelRegistry::Register(KernelRegistration registration) { entries_.push_back(std::move(registration)); }

std::vector<const KernelRegistration*> KernelRegistry::Candidates(const Node& node,
                                                                  const std::vector<KernelTensor>& inputs) const {
  std::vector<const KernelRegistration*> out;
  for (const KernelRegistration& r : entries_) {
    if (r.op != node.op) continue;
    bool match = true;
    for (size_t i = 0; match && i < r.input_dtypes.size() && i < inputs.size(); ++i) {
      match = !inputs[i].present || inputs[i].dtype == r.input_dtypes[i];
    }
    if (match) out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->priority > b->priority; });
  return out;
}

std::optional<dnnl::memory::data_type> ToDnnlType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return dnnl::memory::data_type::f32;
    case DType::kS8: return dnnl::memory::data_type::s8;
    case DType::kU8: return dnnl::memory::data_type::u8;
    case DType::kS32: return dnnl::memory::data_type::s32;
    case DType::kS64: return std::nullopt;
  }
  return std::nullopt;
}

dnnl::memory::desc PlainDesc(DType dtype, const Shape& shape) {
  const auto dt = ToDnnlType(dtype);
  if (!dt || !IsStatic(shape) || shape.size() > DNNL_MAX_NDIMS) return {};
  dnnl::memory::dims dims(shape.begin(), shape.end());
  if (dims.empty()) dims = {1};
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i-- > 0;) strides[i] = strides[i + 1] * std::max<int64_t>(dims[i + 1], 1);
  try {
    return dnnl::memory::desc(dims, *dt, strides);
  } catch (const dnnl::error&) {
    return {};
  }
}

}  // namespace edgepipe::nn
