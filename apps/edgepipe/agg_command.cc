// edgepipe agg FILE --by KEYS --mean COLS ...: group-by aggregation.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "apps/edgepipe/input_flags.h"
#include "apps/edgepipe/output_flags.h"
#include "edgepipe/compute/group_by.h"
#include "edgepipe/compute/window.h"

namespace edgepipe::cli {

namespace {

struct AggFlags {
  std::string in, out, by;
  std::string count_cols, sum, mean, min, max, first, last, std;
  bool count = false;
  bool unsorted = false;
  std::string every, offset, rolling, time_column;  // time windows (docs/windows.md)
  InputFlags input;
  OutputFlags output;
};

void PrintTable(const Table& table) {
  auto batch = table.Concatenate();
  if (!batch.ok()) return;
  const int ncols = batch->num_columns();
  std::vector<size_t> widths(ncols);
  for (int c = 0; c < ncols; ++c) {
    widths[c] = batch->schema()->field(c).name.size();
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      widths[c] = std::max(widths[c], batch->column(c).ValueToString(r).size());
    }
  }
  for (int c = 0; c < ncols; ++c) fmt::print("{}{:<{}}", c ? "  " : "", batch->schema()->field(c).name, widths[c]);
  fmt::print("\n");
  for (int64_t r = 0; r < batch->num_rows(); ++r) {
    for (int c = 0; c < ncols; ++c) {
      const bool numeric = IsNumeric(batch->column(c).type());
      const std::string v = batch->column(c).ValueToString(r);
      if (numeric) {
        fmt::print("{}{:>{}}", c ? "  " : "", v, widths[c]);
      } else {
        fmt::print("{}{:<{}}", c ? "  " : "", v, widths[c]);
      }
    }
    fmt::print("\n");
  }
}

// --time-column default: "timestamp", else the only timestamp column, else
// "timestamp_ns" (the sensor CSV layout).
Result<std::string> DefaultTimeColumn(const Schema& schema) {
  if (schema.FieldIndex("timestamp") >= 0) return std::string("timestamp");
  std::vector<std::string> ts;
  for (const auto& f : schema.fields()) {
    if (f.type == Type::kTimestamp) ts.push_back(f.name);
  }
  if (ts.size() == 1) return ts[0];
  if (schema.FieldIndex("timestamp_ns") >= 0) return std::string("timestamp_ns");
  std::string names;
  for (const auto& n : ts) names += (names.empty() ? "" : ", ") + n;
  return Status::InvalidArgument(ts.empty() ? "no time column (timestamp, timestamp_ns or a timestamp-typed column): "
                                              "give --time-column"
                                            : "several timestamp columns (" + names + "): give --time-column");
}

}  // namespace

void AddAggCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("agg", "Group-by aggregation, optionally over time windows (--every) or rolling (--rolling); prints a table or writes --out");
  auto flags = std::make_shared<AggFlags>();
  cmd->add_option("input", flags->in, "Input file (.csv or .parquet)")->required();
  cmd->add_option("--by", flags->by, "Key columns, comma-separated (integer, timestamp, bool or string)");
  cmd->add_flag("--count", flags->count, "Rows per group (column 'count')");
  cmd->add_option("--count-of", flags->count_cols, "Non-null values per group of these columns");
  cmd->add_option("--sum", flags->sum, "Columns to sum");
  cmd->add_option("--mean", flags->mean, "Columns to average");
  cmd->add_option("--min", flags->min, "Columns to take the minimum of");
  cmd->add_option("--max", flags->max, "Columns to take the maximum of");
  cmd->add_option("--first", flags->first, "First value per group (file order)");
  cmd->add_option("--last", flags->last, "Last value per group (file order)");
  cmd->add_option("--std", flags->std, "Sample standard deviation (ddof=1)");
  cmd->add_flag("--unsorted", flags->unsorted, "Groups in first-seen order instead of sorted by key");
  cmd->add_option("--every", flags->every,
                  "Tumbling time windows of this length (1s, 100ms, 250us, 10ns, 1m, 1h, 1h30m): one row per "
                  "non-empty window (and --by key), column window_start first");
  cmd->add_option("--offset", flags->offset, "With --every: windows start at k*every + offset (e.g. 250ms, -1h)");
  cmd->add_option("--rolling", flags->rolling,
                  "Rolling mean over (t - DURATION, t] per --by key, one output row per input row (only --mean; "
                  "rows must be sorted by time within each key)");
  cmd->add_option("--time-column", flags->time_column,
                  "Time column of --every/--rolling (timestamp or int64 ns; default: 'timestamp', else the only "
                  "timestamp column, else 'timestamp_ns')");
  cmd->add_option("--out,-o", flags->out, "Write the result to this .csv or .parquet file instead of stdout");
  flags->input.Add(cmd);
  flags->output.Add(cmd);
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      std::vector<compute::Aggregate> aggs;
      if (flags->count) aggs.push_back({compute::AggKind::kCount, "", "count"});
      const std::pair<const std::string*, compute::AggKind> lists[] = {
          {&flags->count_cols, compute::AggKind::kCount}, {&flags->sum, compute::AggKind::kSum},
          {&flags->mean, compute::AggKind::kMean},        {&flags->min, compute::AggKind::kMin},
          {&flags->max, compute::AggKind::kMax},          {&flags->first, compute::AggKind::kFirst},
          {&flags->last, compute::AggKind::kLast},        {&flags->std, compute::AggKind::kStd}};
      std::set<std::string> needed;
      const std::vector<std::string> keys = SplitList(flags->by);
      needed.insert(keys.begin(), keys.end());
      for (const auto& [list, kind] : lists) {
        for (const std::string& col : SplitList(*list)) {
          aggs.push_back({kind, col, ""});
          needed.insert(col);
        }
      }
      if (aggs.empty()) {
        return Status::InvalidArgument("nothing to compute: give --count or --mean/--sum/--min/--max/... COLUMNS");
      }
      if (!flags->every.empty() && !flags->rolling.empty()) {
        return Status::InvalidArgument("--every and --rolling are exclusive: give one");
      }
      if (!flags->offset.empty() && flags->every.empty()) return Status::InvalidArgument("--offset needs --every");
      const bool windowed = !flags->every.empty() || !flags->rolling.empty();
      ASSIGN_OR_RETURN(OutputOptions out_options, flags->output.ToOptions());
      ASSIGN_OR_RETURN(InputOptions in_options, flags->input.ToOptions());
      std::string time_column = flags->time_column;
      if (windowed && time_column.empty()) {
        // Look at the schema only (no projection) to pick the time column.
        ASSIGN_OR_RETURN(auto probe, OpenInput(flags->in, in_options));
        ASSIGN_OR_RETURN(time_column, DefaultTimeColumn(*probe->schema()));
      }
      if (windowed) needed.insert(time_column);
      in_options.columns.assign(needed.begin(), needed.end());
      ASSIGN_OR_RETURN(auto reader, OpenInput(flags->in, in_options));
      ASSIGN_OR_RETURN(Table table, ReadAll(reader.get()));
      compute::GroupByOptions options;
      options.sort_keys = !flags->unsorted;
      Table result;
      if (!flags->rolling.empty()) {
        std::vector<std::string> columns;
        for (const auto& agg : aggs) {
          if (agg.kind != compute::AggKind::kMean) {
            return Status::InvalidArgument("--rolling computes rolling means: give only --mean COLUMNS");
          }
          columns.push_back(agg.column);
        }
        compute::RollingOptions rolling;
        rolling.time_column = time_column;
        ASSIGN_OR_RETURN(rolling.period_ns, compute::ParseDuration(flags->rolling));
        rolling.by = keys;
        ASSIGN_OR_RETURN(result, compute::RollingMean(table, rolling, columns));
      } else if (!flags->every.empty()) {
        compute::WindowOptions window;
        window.time_column = time_column;
        ASSIGN_OR_RETURN(window.every_ns, compute::ParseDuration(flags->every));
        if (!flags->offset.empty()) {
          ASSIGN_OR_RETURN(window.offset_ns, compute::ParseDuration(flags->offset));
        }
        window.by = keys;
        window.group_by = options;
        ASSIGN_OR_RETURN(result, compute::GroupByWindow(table, window, aggs));
      } else {
        ASSIGN_OR_RETURN(result, compute::GroupBy(table, keys, aggs, options));
      }
      if (flags->out.empty()) {
        PrintTable(result);
        return Status::OK();
      }
      ASSIGN_OR_RETURN(auto writer, OpenOutput(flags->out, result.schema(), out_options));
      for (const auto& batch : result.batches()) RETURN_NOT_OK(writer->Write(batch));
      RETURN_NOT_OK(writer->Close());
      if (!g_quiet) fmt::print(stderr, "wrote {} rows to {}\n", result.num_rows(), flags->out);
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
