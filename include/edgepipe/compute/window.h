#pragma once
// Time-window aggregation over a Table (see docs/windows.md).
//
// - GroupByWindow: tumbling windows on a time column, like Polars'
//   group_by_dynamic(every=..., closed="left", label="left",
//   start_by="window"). Row t falls in the window starting at
//   floor((t - offset) / every) * every + offset, i.e. windows are aligned to
//   multiples of `every` since the epoch (shifted by `offset`) and half-open
//   [start, start + every). Empty windows are omitted. The aggregation is
//   compute::GroupBy's (same aggregate kinds, null rules, output types,
//   accuracy and thread-count independence): the window is one more key.
// - RollingMean: for every row, the mean over the rows of the same key whose
//   time lies in (t - period, t] (Polars' rolling(closed="right")): rows with
//   the same time as t are all inside. One output row per input row, in
//   input order. O(n): one sliding window per key.
//
// Times are int64: a timestamp column (ns since the epoch, UTC) or an int64
// column read as ns. Durations are nanoseconds.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/compute/group_by.h"
#include "edgepipe/core/status.h"
#include "edgepipe/core/table.h"

namespace edgepipe::compute {

// "1s", "100ms", "250us" (or "250µs"), "10ns", "1m" (minute), "1h", "1d"
// (24 h), "1w", and sums of them ("1h30m", "2s500ms"); an optional leading
// '-' for negative offsets. Calendar units (mo, y) are not supported.
// InvalidArgument saying what was expected for anything else or on int64
// overflow.
Result<int64_t> ParseDuration(std::string_view text);
// The largest unit that divides it exactly: 1500000000 -> "1500ms",
// 3600000000000 -> "1h", 7 -> "7ns", 0 -> "0ns". ParseDuration reads it back.
std::string FormatDuration(int64_t ns);

struct WindowOptions {
  std::string time_column = "timestamp";  // timestamp or int64 column
  int64_t every_ns = 0;                   // window length and step, > 0
  int64_t offset_ns = 0;                  // windows start at k * every + offset
  std::vector<std::string> by;            // extra key columns (as GroupBy keys)
  std::string output_name = "window_start";
  // sort_keys orders by (window start, keys); morsel_rows as in GroupBy.
  GroupByOptions group_by;
};

// Output columns: `output_name` (the time column's type; the window start),
// then the `by` keys, then the aggregates; sorted by window start, then keys
// (or first appearance without sort_keys). Rows with a null time form one
// group with a null window start (sorted last), as null keys in GroupBy.
// NotFound for a missing column; InvalidArgument for every_ns <= 0, a time
// column that is not timestamp/int64, `output_name` clashing with a key or
// aggregate column, and everything GroupBy rejects.
Result<Table> GroupByWindow(const Table& input, const WindowOptions& options, const std::vector<Aggregate>& aggs);

struct RollingOptions {
  std::string time_column = "timestamp";  // timestamp or int64 column, no nulls
  int64_t period_ns = 0;                  // window length, > 0
  std::vector<std::string> by;            // a window per distinct key tuple (null keys are one group)
};

// Output columns: the time column, the `by` keys, then `<column>_rolling_mean`
// (float64) per column; one row per input row in input order. Nulls in a
// value column are skipped; a window without values gives null. NaN in the
// window gives NaN; +inf and -inf give inf, -inf or NaN as a plain sum would.
// Values: int32, int64, float32, float64, bool.
// InvalidArgument when period_ns <= 0, when the time column has nulls or is
// not sorted (non-decreasing) within each key (the message names the rows),
// or for a non-numeric value column; NotFound for a missing column.
Result<Table> RollingMean(const Table& input, const RollingOptions& options, const std::vector<std::string>& columns);

}  // namespace edgepipe::compute
