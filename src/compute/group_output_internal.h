#pragma once
// Output finishing of the group-by (module-private): builds the key and
// aggregate columns of the result from the merged state, in output order.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "compute/group_plan_internal.h"
#include "compute/group_state_internal.h"
#include "compute/group_table_internal.h"
#include "edgepipe/core/table.h"

namespace edgepipe::compute::internal {

// Global row index -> (batch, row within the batch).
struct RowLocator {
  std::vector<int64_t> starts;  // global row of each batch's first row
  std::pair<int, int64_t> Find(int64_t row) const {
    const auto it = std::upper_bound(starts.begin(), starts.end(), row);
    const int b = static_cast<int>(it - starts.begin()) - 1;
    return {b, row - starts[b]};
  }
};

// The column of aggregate `p` for the groups in `order` (global ids);
// `rows` are the row counts per group (count(*)). first/last read the value
// at the recorded global row of `input`. InvalidArgument when an integer sum
// overflows int64.
Result<Column> FinishAggregate(const AggPlan& p, const AggState& st, const std::vector<int64_t>& rows,
                               const std::vector<uint32_t>& order, const Table& input, const RowLocator& loc);

// A key column of type `type` for the groups in `order`: from `table_col`
// when given, else dense (group g holds key dense_min + g; `null_slot` the
// null key).
Result<Column> FinishKeyColumn(Type type, const std::vector<uint32_t>& order, const GlobalKeyColumn* table_col,
                               int64_t dense_min, uint32_t null_slot);

}  // namespace edgepipe::compute::internal
