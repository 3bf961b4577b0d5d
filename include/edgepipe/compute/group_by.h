#pragma once
// Hash/dense group-by aggregation over a Table (see docs/group_by.md).
//
// Semantics (Polars/DuckDB-like):
// - Keys: int32, int64, timestamp, bool or string columns, one or several.
//   String columns may be dictionary-encoded (Column::is_dictionary()): the
//   result is identical to grouping the decoded column (dictionaries may
//   differ per batch and repeat entries); output columns are always plain.
//   No keys = one group holding every row (always one output row).
// - Null keys form their own group. With sort_keys the output is sorted by
//   the keys ascending, nulls last (DuckDB's ORDER BY ... NULLS LAST; pandas'
//   groupby(dropna=False)); strings compare bytewise. Without sort_keys,
//   groups appear in order of first occurrence.
// - Aggregates skip nulls. count(column) counts non-null values; count with
//   an empty column counts rows. Over no values: count = 0, sum/mean/min/max/
//   first/last = null; std needs >= 2 values (sample std, ddof = 1).
// - Output types: count int64; sum of ints/bools int64 (InvalidArgument on
//   int64 overflow), sum of floats float64; mean and std float64; min/max/
//   first/last keep the input type. Floats accumulate in double with
//   compensated sums (TwoSum per row, Neumaier when merging morsels).
//   min/max ignore NaN unless every value is NaN.
// - sum/mean/std need int32/int64/float/bool columns, min/max need a
//   non-string column (InvalidArgument otherwise); count/first/last take any.
// - Output columns: keys first (same names and types), then the aggregates
//   in order.
// Runs on the process thread pool. The result does not depend on the thread
// count: the input is cut into fixed morsels whose partial states are merged
// in row order.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"
#include "edgepipe/core/table.h"

namespace edgepipe::compute {

enum class AggKind { kCount, kSum, kMean, kMin, kMax, kFirst, kLast, kStd /* sample std, ddof=1 */ };

struct Aggregate {
  AggKind kind = AggKind::kCount;
  std::string column;       // empty for count(*)
  std::string output_name;  // empty: "<column>_<kind>" (e.g. "ax_mean"), or "count" for count(*)
};

struct GroupByOptions {
  bool sort_keys = true;
  // Rows per parallel task. Results are bitwise identical for any thread
  // count at a given morsel size (and batch layout); tests lower it to
  // exercise merging on small inputs.
  int64_t morsel_rows = 65536;
};

// NotFound naming the column for a missing key or aggregate column;
// InvalidArgument for an unsupported key type (float), an aggregate that
// needs numbers on a string column, a missing column for a non-count
// aggregate, or duplicate output names.
Result<Table> GroupBy(const Table& input, const std::vector<std::string>& keys, const std::vector<Aggregate>& aggs,
                      const GroupByOptions& options = {});

// "count", "sum", "mean", "min", "max", "first", "last", "std".
Result<AggKind> ParseAggKind(std::string_view name);
std::string_view AggKindName(AggKind kind);

}  // namespace edgepipe::compute
