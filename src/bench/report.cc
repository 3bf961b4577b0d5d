#include "edgepipe/bench/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "bench/scenario_util.h"
#include "bench/svg_chart.h"
#include "edgepipe/bench/bench_report.h"
#include "edgepipe/bench/groupby_scenario.h"
#include "edgepipe/bench/io_scenario.h"
#include "edgepipe/bench/machine_info.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/bench/quant_scenario.h"
#include "edgepipe/bench/vectorize_scenario.h"
#include "edgepipe/core/atomic_file.h"

namespace edgepipe::bench {

namespace fs = std::filesystem;

namespace {

// One line of a section's table: one engine doing one thing on this
// machine, with the seed's figure when the seed has that line.
struct Line {
  std::string group;        // lines are compared within a group ("CSV read", "TinyNet batch 1, 1 thread")
  std::string label;        // "NumPy", "edgepipe"
  std::string engine;       // engine id in the scenario's report
  std::string operation;    // row id in the scenario's report
  std::string seed_text;    // the seed's figure as printed ("0.17–0.25"), "" when the seed has none
  std::optional<double> seed_value;  // seconds (midpoint of a range)
  bool baseline = false;    // the seed's baseline row (speed-ups are relative to it)
  bool subject = false;     // edgepipe
  Cell here;
};

struct Section {
  std::string id, heading, chart_title;
  double unit_scale = 1;  // seconds -> shown unit
  std::string unit = "s";
  std::string seed_table;  // the seed's own table, quoted
  std::string baseline_name;
  std::string status = "ok";  // "ok", or why there are no measurements
  std::string size_note;
  std::vector<Line> lines;
  std::vector<std::string> notes;
  nlohmann::json bench;  // the scenario's full report (every sample)
  std::string svg_file;
  int64_t size = 0;      // N or rows measured here (the seed's, scaled)
};

// ------------------------------------------------------------------ line specs

// Which rows of a scenario's report become lines of a section, and how.
struct RowSpec {
  const char* operation;  // row id in the scenario's report; "*": every row, in report order
  const char* group;      // lines are compared within a group; "": the row's label
  const char* label;      // fmt pattern over {engine} (its label), {row} (the row's label) and {group}
};

// A figure of the seed's table: on the line of `engine` in the rows
// `operation` names ("": every row, "x*": ids starting with x).
struct SeedFigure {
  const char* operation;
  const char* engine;
  const char* text;  // as printed
  double seconds;    // the midpoint of a range
  bool baseline;     // the row speed-ups are relative to
};

struct LineSpec {
  std::vector<RowSpec> rows;
  std::vector<std::string> engines;  // in this order; empty: every engine of the report, in its order
  bool skip_not_run = false;         // a "not run" cell is a variant the engine lacks: no line
  std::vector<SeedFigure> seed;
};

bool Matches(std::string_view pattern, std::string_view id) {
  if (pattern.empty()) return true;
  if (pattern.back() == '*') return id.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == id;
}

// The line of engine `engine` (column `col`, -1 when the report lacks it)
// in `row` (nullptr when the report lacks it).
Line MakeLine(const BenchReport& r, const LineSpec& spec, const RowSpec& row_spec, const OperationRow* row,
              const std::string& engine, int col) {
  Line l;
  const std::string row_label = row != nullptr ? row->label : "";
  l.group = *row_spec.group != '\0' ? row_spec.group : row_label;
  l.engine = engine;
  l.operation = row != nullptr ? row->id : row_spec.operation;
  const std::string& engine_label = col >= 0 ? r.engines[static_cast<size_t>(col)].label : engine;
  l.label = fmt::format(fmt::runtime(row_spec.label), fmt::arg("engine", engine_label), fmt::arg("row", row_label),
                        fmt::arg("group", l.group));
  l.subject = engine.rfind("edgepipe", 0) == 0;
  for (const SeedFigure& f : spec.seed) {
    if (engine != f.engine || !Matches(f.operation, l.operation)) continue;
    l.seed_text = f.text;
    l.seed_value = f.seconds;
    l.baseline = f.baseline;
    break;
  }
  if (row != nullptr && col >= 0 && static_cast<size_t>(col) < row->cells.size()) {
    l.here = row->cells[static_cast<size_t>(col)];
  } else {
    l.here.status = CellStatus::kNotRun;
  }
  return l;
}

std::vector<Line> LinesFrom(const BenchReport& r, const LineSpec& spec) {
  std::vector<Line> lines;
  auto add_row = [&](const RowSpec& row_spec, const OperationRow* row) {
    std::vector<std::pair<std::string, int>> engines;  // (id, column)
    if (spec.engines.empty()) {
      for (size_t i = 0; i < r.engines.size() && (row == nullptr || i < row->cells.size()); ++i) {
        engines.emplace_back(r.engines[i].id, static_cast<int>(i));
      }
    } else {
      for (const auto& id : spec.engines) engines.emplace_back(id, r.EngineIndex(id));
    }
    for (const auto& [engine, col] : engines) {
      Line l = MakeLine(r, spec, row_spec, row, engine, col);
      if (spec.skip_not_run && l.here.status == CellStatus::kNotRun) continue;
      lines.push_back(std::move(l));
    }
  };
  for (const RowSpec& row_spec : spec.rows) {
    if (std::string_view(row_spec.operation) != "*") {
      add_row(row_spec, r.FindRow(row_spec.operation));
      continue;
    }
    for (const auto& row : r.rows) add_row(row_spec, &row);
  }
  return lines;
}

// ------------------------------------------------------------------ helpers

std::string FormatIn(double seconds, double unit_scale) { return FormatSeconds(seconds * unit_scale); }

// A cell that is not a timing: its status, or a short reason.
std::string CellWords(const Cell& cell) {
  if (cell.status == CellStatus::kFailed && !cell.message.empty() && cell.message.size() <= 60) {
    return cell.message;
  }
  if (cell.status == CellStatus::kNotRun && !cell.message.empty()) return cell.message;
  return std::string(CellStatusName(cell.status));
}

// What a section says before anything is measured, in report order.
struct SectionSpec {
  const char* id;
  const char* svg;            // the chart's file
  double seed_size;           // the seed's N or rows, scaled by --scale (at least 1,000); 0: none
  const char* heading;
  const char* chart_title;    // fmt pattern over {size}, the size measured here ("5,000,000")
  const char* size_note;      // likewise ("" for none)
  const char* baseline_name;  // the seed's row speed-ups are relative to
  const char* unit;           // "s" or "ms"
  const char* seed_table;     // the seed's own table, as printed
};
constexpr SectionSpec kSections[] = {
    {"day1a", "day1a_multiply.svg", 50e6, "Day 1 A — Elementwise multiply (seed: N = 50,000,000 f64)",
     "Day 1 A: multiply {size} f64 values", "N = {size} float64 values (a, b uniform in [0.5, 1.5))", "Python loop",
     "s",
     "| Method | Time (sec) | Speed-up |\n|---|---|---|\n| Python loop | 1.9672 | 1.0× |\n| NumPy | 0.1124 | 17.5× |\n"
     "| Polars | 0.1187 | 16.6× |\n| PyTorch | 0.0703 | **28×** |\n"},
    {"day1b", "day1b_groupby.svg", 5e6, "Day 1 B — GroupBy mean (seed: 5,000,000 rows)",
     "Day 1 B: group-by mean, {size} rows, 1,000 int64 keys", "{size} rows, int64 keys uniform in [0, 1000), float64 values",
     "Python dict", "s",
     "| Method | Time (sec) | Speed-up |\n|---|---|---|\n| Python dict | 1.4242 | 1× |\n| Polars | 0.1375 | **10.4×** |\n"},
    {"day3", "day3_quant.svg", 0, "Day 3 — Dynamic INT8 quantization (TinyNet, BiggerNet; batch 1)",
     "Day 3: TinyNet / BiggerNet latency, batch 1",
     "TinyNet = Linear(128,64)-ReLU-Linear(64,10); BiggerNet = Linear(1024,1024)-ReLU-Linear(1024,1024)-ReLU-"
     "Linear(1024,10) (the seed does not define them; /work/shared/peer-timings.md); batch 1",
     "PyTorch FP32", "ms",
     "TinyNet:\n\n| Model | Latency (ms) | Speedup |\n|---|---|---|\n| FP32 | 0.2805 | 1.0× |\n| INT8 | 0.2285 | 1.23× |\n\n"
     "BiggerNet:\n\n| Model | Latency (ms) | Speedup |\n|---|---|---|\n| FP32 | 1.3467 | 1.0× |\n| INT8 | 0.4190 | **3.21×** |\n"},
    {"day4", "day4_mobilenet.svg", 0, "Day 4 — MobileNetV2 static PTQ (FP32 → INT8)",
     "Day 4: MobileNetV2-224 latency, batch 1 (seed's figures only)", "", "FP32", "ms",
     "| Model | Size | Latency | Notes |\n|---|---|---|---|\n| FP32 | ~14 MB | ~11–13 ms | baseline |\n"
     "| **INT8** | **~3.5 MB** | **~5–7 ms** | ~70% smaller, ~2× faster |\n"},
    {"final", "final_pipeline.svg", 1e6, "Final results — pipeline benchmarks (seed: 1,000,000 synthetic sensor rows)",
     "Final table: {size} sensor rows",
     "{size} sensor rows (timestamp_ns, sensor_id of 10, ax..gz float64 with 6 decimals); Parquet with zstd, each "
     "engine's defaults",
     "pandas", "s",
     "| Operation | Pandas (s) | Polars (s) | Speedup |\n|---|---|---|---|\n| **CSV Read** | 1.56 | **0.17–0.25** | "
     "**~7.5×** |\n| Parquet Write | 0.66–1.66 | **0.37–1.50** | ~2× |\n| Parquet Read | 0.10–0.20 | **0.06–0.12** | ~2× "
     "|\n| GroupBy Mean | 0.06–0.08 | **0.04–0.07** | ~1.4× |\n"},
};

const std::vector<std::string>& SectionIds() {
  static const std::vector<std::string> ids = IdsOf(kSections);
  return ids;
}

// The pandas peer's operations: the others of the io report are not its.
const char* const kPandasOps[] = {"csv_read", "parquet_write_zstd", "parquet_read_zstd", "group_by_mean"};

class Generator {
 public:
  explicit Generator(const ReportOptions& options) : options_(options), progress_("[report]", options.progress) {}
  Result<ReportOutput> Run();

 private:
  bool Wanted(const std::string& id) const {
    return std::find(options_.sections.begin(), options_.sections.end(), id) != options_.sections.end();
  }
  void Collect(const BenchReport& report) {
    for (const auto& e : report.engines) {
      std::string v = e.version.empty() ? "version unknown" : e.version;
      if (e.status != CellStatus::kOk) v += " (" + std::string(CellStatusName(e.status)) + ")";
      versions_[e.label] = v;
    }
  }
  Status CheckOptions();
  // A section's texts from kSections, with its size at this --scale.
  Section NewSection(std::string_view id) const;
  // The fields every scenario's options share: timing, peers, progress,
  // command.
  template <typename Options>
  Options ScenarioOptions(int runs, int warmup) const;
  // Runs a section's scenario, unless --sections leaves it out, and makes
  // its lines; on failure the section's status says why it has none.
  Section Measured(Section s, const std::string& what, const LineSpec& spec,
                   const std::function<Result<BenchReport>()>& run);
  Section Day1A();
  Section Day1B();
  Section Day3();
  Section Day4();
  Section Final();
  void AddPandasColumn(const std::string& dir, int64_t rows, BenchReport* io) const;
  std::string RenderSection(const Section& s) const;
  BarChart Chart(const Section& s) const;
  Status WriteCharts(std::vector<Section>* sections, ReportOutput* output) const;
  std::string RenderMarkdown(const std::vector<Section>& sections, const MachineInfo& machine, const BuildInfo& build,
                             const std::string& date, double seconds) const;
  nlohmann::json ResultsJson(const std::vector<Section>& sections, const MachineInfo& machine, const BuildInfo& build,
                             const std::string& date, double seconds) const;

  const ReportOptions& options_;
  const ScenarioProgress progress_;
  double scale_ = 1;
  int runs_ = 5, warmup_ = 1, model_runs_ = 200;
  std::string source_dir_;
  std::map<std::string, std::string> versions_;
};

Section Generator::NewSection(std::string_view id) const {
  Section s;
  for (const SectionSpec& spec : kSections) {
    if (id != spec.id) continue;
    s.id = spec.id;
    s.svg_file = spec.svg;
    if (spec.seed_size > 0) s.size = std::max<int64_t>(1000, static_cast<int64_t>(std::llround(spec.seed_size * scale_)));
    const std::string size = WithThousands(s.size);
    s.heading = spec.heading;
    s.chart_title = fmt::format(fmt::runtime(spec.chart_title), fmt::arg("size", size));
    s.size_note = fmt::format(fmt::runtime(spec.size_note), fmt::arg("size", size));
    s.baseline_name = spec.baseline_name;
    s.unit = spec.unit;
    s.unit_scale = s.unit == "ms" ? 1e3 : 1;
    s.seed_table = spec.seed_table;
  }
  return s;
}

template <typename Options>
Options Generator::ScenarioOptions(int runs, int warmup) const {
  Options o;
  o.runs = runs;
  o.warmup = warmup;
  if constexpr (requires { o.python; }) o.python = options_.python;
  o.source_dir = source_dir_;
  o.node = options_.node;
  o.peer_timeout_seconds = options_.peer_timeout_seconds;
  o.progress = options_.progress;
  o.command_line = options_.command_line;
  return o;
}

Section Generator::Measured(Section s, const std::string& what, const LineSpec& spec,
                            const std::function<Result<BenchReport>()>& run) {
  if (!Wanted(s.id)) {
    s.status = "skipped (not in --sections)";
    return s;
  }
  progress_(what);
  Result<BenchReport> r = run();
  if (!r.ok()) {
    s.status = "failed: " + r.status().ToString();
    return s;
  }
  Collect(*r);
  s.bench = ToJson(*r);
  s.lines = LinesFrom(*r, spec);
  s.notes = r->notes;
  return s;
}

// ------------------------------------------------------------------ Day 1 A

Section Generator::Day1A() {
  Section s = NewSection("day1a");
  const int64_t n = s.size;
  // The seed's loop is the Python loop in whichever variant the scenario
  // runs it; its NumPy/Polars/PyTorch figures are `a * b`.
  const LineSpec lines = {{{"multiply_out", "multiply", "{engine} (into an existing output)"},
                           {"multiply_alloc", "multiply", "{engine}"}},
                          {},
                          true,
                          {{"", "python", "1.9672", 1.9672, true},
                           {"multiply_alloc", "numpy", "0.1124", 0.1124, false},
                           {"multiply_alloc", "polars", "0.1187", 0.1187, false},
                           {"multiply_alloc", "torch", "0.0703", 0.0703, false}}};
  auto o = ScenarioOptions<VectorizeBenchOptions>(runs_, warmup_);
  o.n = n;
  o.threads = options_.threads;
  o.python_prefix = std::min<int64_t>(n, 1000000);
  return Measured(std::move(s), "Day 1 A: multiply (bench vectorize)", lines, [&] { return RunVectorizeBench(o); });
}

// ------------------------------------------------------------------ Day 1 B

Section Generator::Day1B() {
  Section s = NewSection("day1b");
  const int64_t rows = s.size;
  const LineSpec lines = {{{"group_by_mean", "group_by_mean", "{engine}"}},
                          {},
                          false,
                          {{"", "python_dict", "1.4242", 1.4242, true}, {"", "polars", "0.1375", 0.1375, false}}};
  auto o = ScenarioOptions<GroupByBenchOptions>(runs_, warmup_);
  o.rows = rows;
  o.keys = 1000;
  o.threads = options_.threads;
  o.python_dict_rows = std::min<int64_t>(rows, 500000);
  return Measured(std::move(s), "Day 1 B: group-by mean (bench groupby)", lines, [&] { return RunGroupByBench(o); });
}

// ------------------------------------------------------------------ Day 3

Section Generator::Day3() {
  Section s = NewSection("day3");
  // The seed's INT8 is PyTorch's default engine: shown beside onednn (x86).
  const LineSpec lines = {{{"*", "", "{engine} — {row}"}},
                          {},
                          false,
                          {{"tinynet_*", "torch_fp32", "0.2805 (FP32)", 0.2805 / 1e3, true},
                           {"tinynet_*", "torch_onednn", "0.2285 (INT8)", 0.2285 / 1e3, false},
                           {"biggernet_*", "torch_fp32", "1.3467 (FP32)", 1.3467 / 1e3, true},
                           {"biggernet_*", "torch_onednn", "0.4190 (INT8)", 0.4190 / 1e3, false}}};
  auto o = ScenarioOptions<QuantBenchOptions>(model_runs_, std::max(1, model_runs_ / 10));
  o.batches = {1};
  o.threads = options_.quick ? std::vector<int>{1} : std::vector<int>{1, 2};
  s = Measured(std::move(s), "Day 3: dynamic INT8 (bench quant)", lines, [&] { return RunQuantBench(o); });
  if (s.status == "ok") {
    s.notes.insert(s.notes.begin(),
                   "The seed's INT8 figure is PyTorch quantize_dynamic with its default engine; it is shown beside "
                   "PyTorch's onednn engine (x86). Debian's PyTorch runs FP32 on the reference BLAS, which inflates "
                   "its INT8 speed-ups.");
  }
  return s;
}

// ------------------------------------------------------------------ Day 4

Section Generator::Day4() {
  Section s = NewSection("day4");
  s.status = "static PTQ: coming in a later issue (edgepipe has no static INT8 quantizer yet; no figures are measured "
             "or invented here)";
  Line fp32, int8, ours;
  fp32.group = int8.group = ours.group = "mobilenet_v2";
  fp32.label = "FP32 (seed: PyTorch)";
  fp32.seed_text = "~11–13";
  fp32.seed_value = 12e-3;
  fp32.baseline = true;
  int8.label = "INT8 (seed: PyTorch PTQ)";
  int8.seed_text = "~5–7";
  int8.seed_value = 6e-3;
  ours.label = "edgepipe static PTQ INT8";
  ours.subject = true;
  for (Line* l : {&fp32, &int8}) {
    l->here.status = CellStatus::kNotRun;
    l->here.message = "not measured (PyTorch PTQ is not re-run)";
  }
  ours.here.status = CellStatus::kNotRun;
  ours.here.message = "static PTQ: coming in a later issue";
  s.lines = {fp32, int8, ours};
  s.notes.push_back("Reference figures on a machine like this one (/work/shared/peer-timings.md): ONNX Runtime INT8 "
                    "3.19 ms (1 thread) / 1.80 ms (2 threads), PyTorch onednn TorchScript 4.60 / 2.91 ms; per-channel "
                    "INT8 keeps accuracy, per-tensor INT8 collapses it.");
  return s;
}

// ------------------------------------------------------------------ Final

Section Generator::Final() {
  Section s = NewSection("final");
  const int64_t rows = s.size;
  const LineSpec lines = {{{"csv_read", "CSV read", "{group}: {engine}"},
                           {"parquet_write_zstd", "Parquet write (zstd)", "{group}: {engine}"},
                           {"parquet_read_zstd", "Parquet read (zstd, own file)", "{group}: {engine}"},
                           {"group_by_mean", "GroupBy mean per sensor (6 cols)", "{group}: {engine}"}},
                          {"pandas", "polars", "duckdb", "edgepipe"},
                          false,
                          {{"csv_read", "pandas", "1.56", 1.56, true},
                           {"csv_read", "polars", "0.17–0.25", 0.21, false},
                           {"parquet_write_zstd", "pandas", "0.66–1.66", 1.16, true},
                           {"parquet_write_zstd", "polars", "0.37–1.50", 0.935, false},
                           {"parquet_read_zstd", "pandas", "0.10–0.20", 0.15, true},
                           {"parquet_read_zstd", "polars", "0.06–0.12", 0.09, false},
                           {"group_by_mean", "pandas", "0.06–0.08", 0.07, true},
                           {"group_by_mean", "polars", "0.04–0.07", 0.055, false}}};
  s = Measured(std::move(s), "Final table: CSV and Parquet I/O, group-by (bench io)", lines,
               [&]() -> Result<BenchReport> {
                 // The io scenario keeps its CSV in our directory so pandas reads the same bytes.
                 WorkDir work;
                 RETURN_NOT_OK(work.Prepare("", "edgepipe-report-io"));
                 auto o = ScenarioOptions<IoBenchOptions>(runs_, warmup_);
                 o.rows = rows;
                 o.threads = options_.threads;
                 o.dir = work.path();
                 o.keep = true;
                 ASSIGN_OR_RETURN(BenchReport io, RunIoBench(o));
                 AddPandasColumn(work.path(), rows, &io);
                 return io;
               });
  if (s.status != "ok") return s;
  // Our work directory is removed.
  std::erase_if(s.notes, [](const std::string& n) { return n.rfind("Files kept in", 0) == 0; });
  s.notes.push_back("Seed ranges are shown as printed; their midpoints are used for the seed bars of the chart.");
  s.notes.push_back("Parquet write/read use zstd (Polars' default codec); snappy and the cross-read of edgepipe's "
                    "file by every engine are in results.json (section final, bench.results).");
  return s;
}

// pandas (bench/peers/io_pandas.py) on the io scenario's CSV, as one more
// column of its report: the seed's baseline. When pandas cannot run, its
// own operations say why; the others of the io report are "not run".
void Generator::AddPandasColumn(const std::string& dir, int64_t rows, BenchReport* io) const {
  progress_("Final table: pandas (bench/peers/io_pandas.py)");
  EngineInfo& pandas = io->engines.emplace_back();
  pandas.id = "pandas";
  pandas.label = "pandas";
  const size_t col = io->engines.size() - 1;
  for (auto& row : io->rows) row.cells.emplace_back();
  auto unavailable = [&](CellStatus status, const std::string& message) {
    pandas.status = status;
    pandas.message = message;
    for (const char* op : kPandasOps) {
      if (OperationRow* row = io->FindRow(op); row != nullptr) row->cells[col] = {status, {}, std::nullopt, message};
    }
  };
  if (!FindOnPath(options_.python)) return unavailable(CellStatus::kNotInstalled, "'" + options_.python + "' not found");
  PeerCommand cmd;
  cmd.name = "pandas";
  cmd.argv = PythonPeerArgv(options_.python, source_dir_, "io_pandas.py");
  cmd.argv.insert(cmd.argv.end(), {"--csv", dir + "/sensors.csv", "--dir", dir, "--runs", std::to_string(runs_),
                                   "--warmup", std::to_string(warmup_)});
  cmd.timeout_seconds = options_.peer_timeout_seconds;
  Result<PeerOutcome> outcome = PeerRunner().Run(cmd, progress_.ForPeer("pandas"));
  if (!outcome.ok()) return unavailable(CellStatus::kFailed, outcome.status().ToString());
  if (outcome->status != PeerStatus::kOk) return unavailable(CellStatusFromPeer(outcome->status), outcome->message);
  const nlohmann::json& out = outcome->output;
  pandas.version = out.value("version", "");
  pandas.details = {{"runtime", out.value("runtime", "")},
                    {"parquet_engine", out.contains("parquet_engine") ? out["parquet_engine"] : nlohmann::json()},
                    {"env_unset", PythonEnvUnset()}};
  for (auto& row : io->rows) {
    const nlohmann::json* entry = PeerOperation(out, row.id);
    if (entry == nullptr) continue;
    Cell cell = CellFromPeerEntry(entry, CellStatus::kNotRun, "");
    if (auto n = JsonInt(*entry, "rows"); cell.status == CellStatus::kOk && n && *n != rows) {
      cell.status = CellStatus::kFailed;
      cell.message = fmt::format("wrong result: {} rows", *n);
    }
    row.cells[col] = std::move(cell);
  }
}

// ------------------------------------------------------------------ rendering

std::string Generator::RenderSection(const Section& s) const {
  std::string out = "## " + s.heading + "\n\n";
  out += "Seed table (week2-report.md), as printed:\n\n" + s.seed_table + "\n";
  if (!s.size_note.empty()) out += "This machine: " + s.size_note + ".\n\n";
  if (s.status != "ok") out += "> **" + s.status + "**\n\n";
  if (s.lines.empty()) return out;
  out += fmt::format("| Method | Seed ({0}) | This machine ({0}) | Speed-up vs {1} (this machine) | vs fastest here |\n",
                     s.unit, s.baseline_name);
  out += "|---|---:|---:|---:|---|\n";
  // Per group: the baseline's time and the fastest time.
  std::map<std::string, double> baseline, fastest;
  for (const auto& l : s.lines) {
    if (l.here.status != CellStatus::kOk) continue;
    const double m = l.here.samples.median;
    if (l.baseline) baseline[l.group] = m;
    auto it = fastest.find(l.group);
    if (it == fastest.end() || m < it->second) fastest[l.group] = m;
  }
  for (const auto& l : s.lines) {
    const bool ok = l.here.status == CellStatus::kOk && l.here.samples.median > 0;
    std::string label = l.subject ? "**" + l.label + "**" : l.label;
    std::string here = ok ? FormatIn(l.here.samples.median, s.unit_scale) : CellWords(l.here);
    if (ok && l.here.bytes) here += fmt::format(" ({:.1f} MB)", static_cast<double>(*l.here.bytes) / 1e6);
    if (ok && l.subject) here = "**" + here + "**";
    std::string speedup, vs_fastest;
    if (ok) {
      if (auto b = baseline.find(l.group); b != baseline.end()) {
        speedup = fmt::format("{:.3g}×", b->second / l.here.samples.median);
      }
      const double f = fastest[l.group];
      vs_fastest = l.here.samples.median <= f ? "fastest" : fmt::format("{:.2f}× slower", l.here.samples.median / f);
    }
    out += fmt::format("| {} | {} | {} | {} | {} |\n", label, l.seed_text.empty() ? "—" : l.seed_text, here, speedup,
                       vs_fastest);
  }
  if (!s.svg_file.empty()) out += "\n![" + s.chart_title + "](" + s.svg_file + ")\n";
  if (!s.notes.empty()) {
    out += "\n";
    for (const auto& n : s.notes) out += "- " + n + "\n";
  }
  out += "\n";
  return out;
}

BarChart Generator::Chart(const Section& s) const {
  BarChart c;
  c.title = s.chart_title;
  c.unit = s.unit;
  c.series = {"seed (week 2 report)", "this machine"};
  for (const auto& l : s.lines) {
    BarChart::Group g;
    g.label = l.label;
    if (l.seed_value) g.bars.push_back({0, *l.seed_value * s.unit_scale, ""});
    BarChart::Bar here{1, std::nullopt, CellWords(l.here)};
    if (l.here.status == CellStatus::kOk && l.here.samples.median > 0) here.value = l.here.samples.median * s.unit_scale;
    g.bars.push_back(here);
    c.groups.push_back(std::move(g));
  }
  return c;
}

Status Generator::WriteCharts(std::vector<Section>* sections, ReportOutput* output) const {
  for (auto& s : *sections) {
    if (s.lines.empty()) {
      s.svg_file.clear();  // no chart
      continue;
    }
    const std::string path = options_.out_dir + "/" + s.svg_file;
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
    RETURN_NOT_OK(file->Write(RenderBarChartSvg(Chart(s))));
    RETURN_NOT_OK(file->Commit());
    output->svg_paths.push_back(path);
  }
  return Status::OK();
}

// benchmarks.md: what was run where, the versions, every section.
std::string Generator::RenderMarkdown(const std::vector<Section>& sections, const MachineInfo& machine,
                                      const BuildInfo& build, const std::string& date, double seconds) const {
  std::string md = "# Week 2 benchmarks, regenerated by edgepipe\n\n";
  md += "Every table of the seed's week-2 report (`/work/shared/seed/week2-report.md`), re-measured on this machine "
        "in one run with edgepipe in it. The seed's own figure is kept in a column for reference; figures from "
        "another machine are not comparable with ours, the ratios within a table are.\n\n";
  for (const auto& w : BuildWarnings(build)) md += "> **" + w + "**\n\n";
  for (const auto& w : MachineWarnings(machine)) md += "> " + w + "\n\n";
  if (options_.quick || scale_ < 1) {
    md += fmt::format("> Quick run: every size × {:g}, {} timed run(s) after {} warm-up; rerun without --quick for "
                      "the seed's sizes.\n\n",
                      scale_, runs_, warmup_);
  }
  md += "- Date: " + date + "\n";
  md += "- Command: `" + options_.command_line + "`\n";
  md += "- Machine: " + MachineSummary(machine) + "\n";
  md += fmt::format("- CPU: {}; {} logical cores; {:.1f} GiB memory; SIMD target chosen: {}\n", machine.cpu_model,
                    machine.logical_cores, static_cast<double>(machine.memory_bytes) / (1024.0 * 1024 * 1024),
                    machine.simd_target);
  md += "- Build: " + BuildSummary(build) + "\n";
  md += "- Python peers run as `/usr/bin/env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE " + options_.python +
        " ...` (those variables removed for them only); Node peers run with `node --expose-gc`.\n";
  md += "- Times are medians of each engine's timed runs; speed-up = baseline time / time (both on this machine); "
        "\"vs fastest here\" compares with the fastest engine of the same group.\n\n";
  md += "## Versions\n\n";
  for (const auto& [label, version] : versions_) md += "- " + label + ": " + version + "\n";
  md += "\n";
  for (const auto& s : sections) md += RenderSection(s);
  md += fmt::format("---\nGenerated in {:.1f} s by `{}`; every sample is in results.json.\n", seconds,
                    options_.command_line);
  return md;
}

// results.json: everything, with every sample.
nlohmann::json Generator::ResultsJson(const std::vector<Section>& sections, const MachineInfo& machine,
                                      const BuildInfo& build, const std::string& date, double seconds) const {
  nlohmann::json doc;
  doc["generator"] = "edgepipe report";
  doc["command"] = options_.command_line;
  doc["date"] = date;
  doc["quick"] = options_.quick;
  doc["scale"] = scale_;
  doc["runs"] = runs_;
  doc["warmup"] = warmup_;
  doc["machine"] = ToJson(machine);
  doc["build"] = ToJson(build);
  doc["versions"] = versions_;
  doc["seconds_total"] = seconds;
  doc["sections"] = nlohmann::json::array();
  for (const auto& s : sections) {
    nlohmann::json js = {{"id", s.id},          {"heading", s.heading}, {"status", s.status},
                         {"unit", s.unit},      {"size", s.size_note},  {"chart", s.svg_file},
                         {"notes", s.notes},    {"lines", nlohmann::json::array()}};
    for (const auto& l : s.lines) {
      nlohmann::json jl = {{"group", l.group},         {"label", l.label},       {"engine", l.engine},
                           {"operation", l.operation}, {"seed", l.seed_text},    {"baseline", l.baseline},
                           {"status", CellStatusName(l.here.status)}};
      if (l.seed_value) jl["seed_s"] = *l.seed_value;
      if (l.here.status == CellStatus::kOk) {
        jl["median_s"] = l.here.samples.median;
        jl["min_s"] = l.here.samples.min;
        jl["p90_s"] = l.here.samples.p90;
        jl["samples_s"] = l.here.samples.all;
      }
      if (l.here.bytes) jl["bytes"] = *l.here.bytes;
      if (!l.here.message.empty()) jl["message"] = l.here.message;
      js["lines"].push_back(std::move(jl));
    }
    js["bench"] = s.bench;
    doc["sections"].push_back(std::move(js));
  }
  return doc;
}

Status Generator::CheckOptions() {
  for (const auto& id : options_.sections) {
    if (std::find(SectionIds().begin(), SectionIds().end(), id) == SectionIds().end()) {
      return Status::InvalidArgument("unknown report section '" + id + "' (expected day1a, day1b, day3, day4, final)");
    }
  }
  scale_ = options_.scale > 0 ? options_.scale : (options_.quick ? 0.1 : 1.0);
  if (!(scale_ > 0) || scale_ > 1) return Status::InvalidArgument("--scale must be in (0, 1]");
  if (options_.runs < 0 || options_.model_runs < 0) return Status::InvalidArgument("--runs must be >= 0");
  runs_ = options_.runs > 0 ? options_.runs : (options_.quick ? 2 : 5);
  warmup_ = options_.warmup >= 0 ? options_.warmup : 1;
  model_runs_ = options_.model_runs > 0 ? options_.model_runs : (options_.quick ? 30 : 200);
  source_dir_ = ResolveSourceDir(options_.source_dir);
  return Status::OK();
}

Result<ReportOutput> Generator::Run() {
  RETURN_NOT_OK(CheckOptions());
  std::error_code ec;
  fs::create_directories(options_.out_dir, ec);
  if (ec) return Status::IOError("cannot create " + options_.out_dir + ": " + ec.message());

  const MachineInfo machine = GetMachineInfo();
  const BuildInfo build = GetBuildInfo();
  const std::string date = UtcNow();
  Timer total;
  versions_["edgepipe"] = build.edgepipe_version;

  std::vector<Section> sections;
  sections.push_back(Day1A());
  sections.push_back(Day1B());
  sections.push_back(Day3());
  sections.push_back(Day4());
  sections.push_back(Final());

  ReportOutput output;
  RETURN_NOT_OK(WriteCharts(&sections, &output));
  output.markdown = RenderMarkdown(sections, machine, build, date, total.Seconds());
  output.markdown_path = options_.out_dir + "/benchmarks.md";
  {
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(output.markdown_path));
    RETURN_NOT_OK(file->Write(output.markdown));
    RETURN_NOT_OK(file->Commit());
  }
  output.json_path = options_.out_dir + "/results.json";
  RETURN_NOT_OK(WriteJsonFile(ResultsJson(sections, machine, build, date, total.Seconds()), output.json_path));
  progress_(fmt::format("wrote {} and {} ({} charts) in {:.1f} s", output.markdown_path, output.json_path,
                        output.svg_paths.size(), total.Seconds()));
  return output;
}

}  // namespace

const std::vector<std::string>& ReportSections() { return SectionIds(); }

Result<ReportOutput> GenerateReport(const ReportOptions& options) {
  return Generator(options).Run();
}

}  // namespace edgepipe::bench
