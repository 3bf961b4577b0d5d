#pragma once
// Group-by planning (module-private): what each key and aggregate reads and
// produces, resolved once from the schema before any data is touched, and
// the morsels the input is cut into. See docs/group_by.md.

#include <cstdint>
#include <string>

#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/status.h"
#include "edgepipe/core/type.h"

namespace edgepipe::compute::internal {

// A single integer key whose range (within a morsel, and then over the
// table) spans fewer values than this is grouped by direct indexing
// (slot = key - min): a morsel's state arrays stay small next to its rows.
inline constexpr int64_t kDenseMaxSlots = int64_t{1} << 14;
inline constexpr int64_t kMaxMorselRows = int64_t{1} << 30;

// How aggregate kernels read a value column.
enum class ValueClass : uint8_t { kInt32, kInt64, kFloat32, kFloat64, kBool, kString };

ValueClass ClassOf(Type t);
inline bool IsFloatClass(ValueClass vc) { return vc == ValueClass::kFloat32 || vc == ValueClass::kFloat64; }

struct AggPlan {
  AggKind kind;
  int column = -1;  // -1: count(*)
  Type in_type = Type::kInt64;
  ValueClass vc = ValueClass::kInt64;
  Type out_type = Type::kInt64;
  std::string name;
};

struct KeyPlan {
  int column;
  Type type;
};

// A fixed row range of one batch: the unit of parallel work. The cut
// depends only on the batch layout and GroupByOptions::morsel_rows.
struct Morsel {
  int batch;
  int64_t offset;  // first row within the batch
  int64_t length;
  int64_t row_base;  // global row index of the first row
};

// NotFound for a missing column; InvalidArgument for a type the aggregate
// does not take or a non-count aggregate without a column.
Result<AggPlan> PlanAggregate(const Schema& schema, const Aggregate& agg);
// NotFound for a missing column; InvalidArgument for a float key.
Result<KeyPlan> PlanKey(const Schema& schema, const std::string& name);

}  // namespace edgepipe::compute::internal
