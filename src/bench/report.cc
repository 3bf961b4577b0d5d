#include "edgepipe/bench/report.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "bench/svg_chart.h"
#include "edgepipe/bench/bench_report.h"
#include "edgepipe/bench/groupby_scenario.h"
#include "edgepipe/bench/io_scenario.h"
#include "edgepipe/bench/machine_info.h"
#include "edgepipe/bench/peer_runner.h"
#include "edgepipe/bench/quant_scenario.h"
#include "edgepipe/bench/vectorize_scenario.h"
#include "edgepipe/core/atomic_file.h"

#ifndef EDGEPIPE_SOURCE_DIR_DEFAULT
#define EDGEPIPE_SOURCE_DIR_DEFAULT "."
#endif

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
};

std::string WithThousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string FormatIn(double seconds, double unit_scale) { return FormatSeconds(seconds * unit_scale); }

// A cell that is not a timing: its status, or a short reason.
std::string CellWords(const Cell& cell) {
  if (cell.status == CellStatus::kFailed && !cell.message.empty() && cell.message.size() <= 60) {
    return cell.message;
  }
  if (cell.status == CellStatus::kNotRun && !cell.message.empty()) return cell.message;
  return std::string(CellStatusName(cell.status));
}

const std::vector<std::string>& SectionIds() {
  static const std::vector<std::string> ids = {"day1a", "day1b", "day3", "day4", "final"};
  return ids;
}

class Generator {
 public:
  explicit Generator(const ReportOptions& options) : options_(options) {}
  Result<ReportOutput> Run();

 private:
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress("[report] " + line);
  }
  bool Wanted(const std::string& id) const {
    return std::find(options_.sections.begin(), options_.sections.end(), id) != options_.sections.end();
  }
  std::function<void(std::string_view)> Forward() const {
    if (!options_.progress) return {};
    return [this](std::string_view line) { options_.progress(line); };
  }
  void Collect(const BenchReport& report) {
    for (const auto& e : report.engines) {
      std::string v = e.version.empty() ? "version unknown" : e.version;
      if (e.status != CellStatus::kOk) v += " (" + std::string(CellStatusName(e.status)) + ")";
      versions_[e.label] = v;
    }
  }
  Section Day1A();
  Section Day1B();
  Section Day3();
  Section Day4();
  Section Final();
  std::string RenderSection(const Section& s) const;
  BarChart Chart(const Section& s) const;

  const ReportOptions& options_;
  double scale_ = 1;
  int runs_ = 5, warmup_ = 1, model_runs_ = 200;
  std::string source_dir_;
  std::map<std::string, std::string> versions_;
};

// ------------------------------------------------------------------ Day 1 A

Section Generator::Day1A() {
  Section s;
  s.id = "day1a";
  const int64_t n = std::max<int64_t>(1000, static_cast<int64_t>(std::llround(50e6 * scale_)));
  s.heading = "Day 1 A — Elementwise multiply (seed: N = 50,000,000 f64)";
  s.chart_title = fmt::format("Day 1 A: multiply {} f64 values", WithThousands(n));
  s.size_note = fmt::format("N = {} float64 values (a, b uniform in [0.5, 1.5))", WithThousands(n));
  s.baseline_name = "Python loop";
  s.seed_table =
      "| Method | Time (sec) | Speed-up |\n|---|---|---|\n| Python loop | 1.9672 | 1.0× |\n| NumPy | 0.1124 | 17.5× |\n"
      "| Polars | 0.1187 | 16.6× |\n| PyTorch | 0.0703 | **28×** |\n";
  if (!Wanted(s.id)) {
    s.status = "skipped (not in --sections)";
    return s;
  }
  VectorizeBenchOptions o;
  o.n = n;
  o.runs = runs_;
  o.warmup = warmup_;
  o.threads = options_.threads;
  o.python_prefix = std::min<int64_t>(n, 1000000);
  o.source_dir = source_dir_;
  o.python = options_.python;
  o.node = options_.node;
  o.peer_timeout_seconds = options_.peer_timeout_seconds;
  o.progress = Forward();
  o.command_line = options_.command_line;
  Progress("Day 1 A: multiply (bench vectorize)");
  auto r = RunVectorizeBench(o);
  if (!r.ok()) {
    s.status = "failed: " + r.status().ToString();
    return s;
  }
  Collect(*r);
  s.bench = ToJson(*r);
  const std::map<std::string, std::pair<const char*, double>> seed = {
      {"python", {"1.9672", 1.9672}}, {"numpy", {"0.1124", 0.1124}}, {"polars", {"0.1187", 0.1187}},
      {"torch", {"0.0703", 0.0703}}};
  for (const auto& row : r->rows) {
    const bool alloc = row.id == "multiply_alloc";
    for (size_t i = 0; i < row.cells.size() && i < r->engines.size(); ++i) {
      const Cell& cell = row.cells[i];
      if (cell.status == CellStatus::kNotRun) continue;  // the engine has no such variant
      Line l;
      l.group = "multiply";
      l.engine = r->engines[i].id;
      l.operation = row.id;
      l.label = r->engines[i].label + (alloc ? "" : " (into an existing output)");
      l.subject = l.engine == "edgepipe";
      // The seed's loop is the Python loop in whichever variant the
      // scenario runs it; its NumPy/Polars/PyTorch figures are `a * b`.
      if (alloc || l.engine == "python") {
        if (auto it = seed.find(l.engine); it != seed.end()) {
          l.seed_text = it->second.first;
          l.seed_value = it->second.second;
          l.baseline = l.engine == "python";
        }
      }
      l.here = cell;
      s.lines.push_back(std::move(l));
    }
  }
  s.notes = r->notes;
  return s;
}

// ------------------------------------------------------------------ Day 1 B

Section Generator::Day1B() {
  Section s;
  s.id = "day1b";
  const int64_t rows = std::max<int64_t>(1000, static_cast<int64_t>(std::llround(5e6 * scale_)));
  s.heading = "Day 1 B — GroupBy mean (seed: 5,000,000 rows)";
  s.chart_title = fmt::format("Day 1 B: group-by mean, {} rows, 1,000 int64 keys", WithThousands(rows));
  s.size_note = fmt::format("{} rows, int64 keys uniform in [0, 1000), float64 values", WithThousands(rows));
  s.baseline_name = "Python dict";
  s.seed_table = "| Method | Time (sec) | Speed-up |\n|---|---|---|\n| Python dict | 1.4242 | 1× |\n| Polars | 0.1375 | **10.4×** |\n";
  if (!Wanted(s.id)) {
    s.status = "skipped (not in --sections)";
    return s;
  }
  GroupByBenchOptions o;
  o.rows = rows;
  o.keys = 1000;
  o.runs = runs_;
  o.warmup = warmup_;
  o.threads = options_.threads;
  o.python_dict_rows = std::min<int64_t>(rows, 500000);
  o.source_dir = source_dir_;
  o.python = options_.python;
  o.node = options_.node;
  o.peer_timeout_seconds = options_.peer_timeout_seconds;
  o.progress = Forward();
  o.command_line = options_.command_line;
  Progress("Day 1 B: group-by mean (bench groupby)");
  auto r = RunGroupByBench(o);
  if (!r.ok()) {
    s.status = "failed: " + r.status().ToString();
    return s;
  }
  Collect(*r);
  s.bench = ToJson(*r);
  for (size_t i = 0; i < r->engines.size(); ++i) {
    Line l;
    l.group = "group_by_mean";
    l.engine = r->engines[i].id;
    l.operation = "group_by_mean";
    l.label = r->engines[i].label;
    l.subject = l.engine == "edgepipe";
    if (l.engine == "python_dict") {
      l.seed_text = "1.4242";
      l.seed_value = 1.4242;
      l.baseline = true;
    } else if (l.engine == "polars") {
      l.seed_text = "0.1375";
      l.seed_value = 0.1375;
    }
    l.here = r->rows[0].cells[i];
    s.lines.push_back(std::move(l));
  }
  s.notes = r->notes;
  return s;
}

// ------------------------------------------------------------------ Day 3

Section Generator::Day3() {
  Section s;
  s.id = "day3";
  s.heading = "Day 3 — Dynamic INT8 quantization (TinyNet, BiggerNet; batch 1)";
  s.chart_title = "Day 3: TinyNet / BiggerNet latency, batch 1";
  s.unit = "ms";
  s.unit_scale = 1e3;
  s.baseline_name = "PyTorch FP32";
  s.size_note = "TinyNet = Linear(128,64)-ReLU-Linear(64,10); BiggerNet = Linear(1024,1024)-ReLU-Linear(1024,1024)-ReLU-"
                "Linear(1024,10) (the seed does not define them; /work/shared/peer-timings.md); batch 1";
  s.seed_table =
      "TinyNet:\n\n| Model | Latency (ms) | Speedup |\n|---|---|---|\n| FP32 | 0.2805 | 1.0× |\n| INT8 | 0.2285 | 1.23× |\n\n"
      "BiggerNet:\n\n| Model | Latency (ms) | Speedup |\n|---|---|---|\n| FP32 | 1.3467 | 1.0× |\n| INT8 | 0.4190 | **3.21×** |\n";
  if (!Wanted(s.id)) {
    s.status = "skipped (not in --sections)";
    return s;
  }
  QuantBenchOptions o;
  o.batches = {1};
  o.threads = options_.quick ? std::vector<int>{1} : std::vector<int>{1, 2};
  o.runs = model_runs_;
  o.warmup = std::max(1, model_runs_ / 10);
  o.source_dir = source_dir_;
  o.python = options_.python;
  o.node = options_.node;
  o.peer_timeout_seconds = options_.peer_timeout_seconds;
  o.progress = Forward();
  o.command_line = options_.command_line;
  Progress("Day 3: dynamic INT8 (bench quant)");
  auto r = RunQuantBench(o);
  if (!r.ok()) {
    s.status = "failed: " + r.status().ToString();
    return s;
  }
  Collect(*r);
  s.bench = ToJson(*r);
  for (const auto& row : r->rows) {
    std::string lower = row.label;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool tiny = lower.find("tinynet") != std::string::npos;
    const double fp32 = tiny ? 0.2805 : 1.3467, int8 = tiny ? 0.2285 : 0.4190;
    for (size_t i = 0; i < row.cells.size() && i < r->engines.size(); ++i) {
      Line l;
      l.group = row.label;
      l.engine = r->engines[i].id;
      l.operation = row.id;
      l.label = r->engines[i].label + " — " + row.label;
      l.subject = l.engine.rfind("edgepipe", 0) == 0;
      if (l.engine == "torch_fp32") {
        l.seed_text = fmt::format("{:.4f} (FP32)", fp32);
        l.seed_value = fp32 / 1e3;
        l.baseline = true;
      } else if (l.engine == "torch_onednn") {
        l.seed_text = fmt::format("{:.4f} (INT8)", int8);
        l.seed_value = int8 / 1e3;
      }
      l.here = row.cells[i];
      s.lines.push_back(std::move(l));
    }
  }
  s.notes = r->notes;
  s.notes.insert(s.notes.begin(),
                 "The seed's INT8 figure is PyTorch quantize_dynamic with its default engine; it is shown beside "
                 "PyTorch's onednn engine (x86). Debian's PyTorch runs FP32 on the reference BLAS, which inflates "
                 "its INT8 speed-ups.");
  return s;
}

// ------------------------------------------------------------------ Day 4

Section Generator::Day4() {
  Section s;
  s.id = "day4";
  s.heading = "Day 4 — MobileNetV2 static PTQ (FP32 → INT8)";
  s.chart_title = "Day 4: MobileNetV2-224 latency, batch 1 (seed's figures only)";
  s.unit = "ms";
  s.unit_scale = 1e3;
  s.baseline_name = "FP32";
  s.seed_table =
      "| Model | Size | Latency | Notes |\n|---|---|---|---|\n| FP32 | ~14 MB | ~11–13 ms | baseline |\n"
      "| **INT8** | **~3.5 MB** | **~5–7 ms** | ~70% smaller, ~2× faster |\n";
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
  Section s;
  s.id = "final";
  const int64_t rows = std::max<int64_t>(1000, static_cast<int64_t>(std::llround(1e6 * scale_)));
  s.heading = "Final results — pipeline benchmarks (seed: 1,000,000 synthetic sensor rows)";
  s.chart_title = fmt::format("Final table: {} sensor rows", WithThousands(rows));
  s.baseline_name = "pandas";
  s.size_note = fmt::format("{} sensor rows (timestamp_ns, sensor_id of 10, ax..gz float64 with 6 decimals); "
                            "Parquet with zstd, each engine's defaults",
                            WithThousands(rows));
  s.seed_table =
      "| Operation | Pandas (s) | Polars (s) | Speedup |\n|---|---|---|---|\n| **CSV Read** | 1.56 | **0.17–0.25** | "
      "**~7.5×** |\n| Parquet Write | 0.66–1.66 | **0.37–1.50** | ~2× |\n| Parquet Read | 0.10–0.20 | **0.06–0.12** | ~2× "
      "|\n| GroupBy Mean | 0.06–0.08 | **0.04–0.07** | ~1.4× |\n";
  if (!Wanted(s.id)) {
    s.status = "skipped (not in --sections)";
    return s;
  }
  // The io scenario keeps its CSV in our directory so pandas reads the same bytes.
  std::string dir = "/tmp/edgepipe-report-io-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    s.status = std::string("failed: cannot create a work directory: ") + std::strerror(errno);
    return s;
  }
  IoBenchOptions o;
  o.rows = rows;
  o.runs = runs_;
  o.warmup = warmup_;
  o.threads = options_.threads;
  o.dir = dir;
  o.keep = true;
  o.source_dir = source_dir_;
  o.node = options_.node;
  o.peer_timeout_seconds = options_.peer_timeout_seconds;
  o.progress = Forward();
  o.command_line = options_.command_line;
  Progress("Final table: CSV and Parquet I/O, group-by (bench io)");
  auto r = RunIoBench(o);
  if (!r.ok()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    s.status = "failed: " + r.status().ToString();
    return s;
  }
  Collect(*r);

  // pandas, on the same CSV.
  Progress("Final table: pandas (bench/peers/io_pandas.py)");
  EngineInfo pandas;
  pandas.id = "pandas";
  pandas.label = "pandas";
  std::map<std::string, Cell> pandas_cells;
  {
    PeerCommand cmd;
    cmd.name = "pandas";
    cmd.argv = {"/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", options_.python,
                source_dir_ + "/bench/peers/io_pandas.py", "--csv", dir + "/sensors.csv", "--dir", dir,
                "--runs", std::to_string(runs_), "--warmup", std::to_string(warmup_)};
    cmd.timeout_seconds = options_.peer_timeout_seconds;
    CellStatus engine_status = CellStatus::kOk;
    std::string engine_message;
    if (!FindOnPath(options_.python)) {
      engine_status = CellStatus::kNotInstalled;
      engine_message = "'" + options_.python + "' not found";
    } else {
      PeerRunner runner;
      auto outcome = runner.Run(cmd, [&](std::string_view line) {
        if (options_.progress) options_.progress("[report] pandas: " + std::string(line));
      });
      if (!outcome.ok()) {
        engine_status = CellStatus::kFailed;
        engine_message = outcome.status().ToString();
      } else if (outcome->status != PeerStatus::kOk) {
        engine_status = outcome->status == PeerStatus::kNotInstalled ? CellStatus::kNotInstalled
                        : outcome->status == PeerStatus::kTimedOut   ? CellStatus::kTimedOut
                                                                     : CellStatus::kFailed;
        engine_message = outcome->message;
      } else {
        const auto& out = outcome->output;
        pandas.version = out.value("version", "");
        pandas.details = {{"runtime", out.value("runtime", "")},
                          {"parquet_engine", out.contains("parquet_engine") ? out["parquet_engine"] : nlohmann::json()},
                          {"env_unset", {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}}};
        if (out.contains("operations") && out["operations"].is_object()) {
          for (const auto& [op, entry] : out["operations"].items()) {
            Cell c;
            if (entry.contains("error")) {
              c.status = CellStatus::kFailed;
              c.message = entry["error"].is_string() ? entry["error"].get<std::string>() : entry["error"].dump();
            } else {
              std::vector<double> secs;
              for (const auto& x : entry.value("seconds", nlohmann::json::array())) {
                if (x.is_number()) secs.push_back(x.get<double>());
              }
              c.status = secs.empty() ? CellStatus::kFailed : CellStatus::kOk;
              c.samples = SamplesFromSeconds(std::move(secs));
              if (entry.contains("bytes") && entry["bytes"].is_number_integer()) c.bytes = entry["bytes"].get<int64_t>();
              if (entry.contains("rows") && entry["rows"].is_number_integer() && entry["rows"].get<int64_t>() != rows) {
                c.status = CellStatus::kFailed;
                c.message = fmt::format("wrong result: {} rows", entry["rows"].get<int64_t>());
              }
            }
            pandas_cells[op] = std::move(c);
          }
        }
      }
    }
    pandas.status = engine_status;
    pandas.message = engine_message;
    if (engine_status != CellStatus::kOk) {
      for (const char* op : {"csv_read", "parquet_write_zstd", "parquet_read_zstd", "group_by_mean"}) {
        pandas_cells[op].status = engine_status;
        pandas_cells[op].message = engine_message;
      }
    }
    versions_["pandas"] = (pandas.version.empty() ? std::string("version unknown") : pandas.version) +
                          (engine_status != CellStatus::kOk ? " (" + std::string(CellStatusName(engine_status)) + ")" : "");
  }
  {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // The io report plus the pandas column, for results.json.
  BenchReport merged = *r;
  merged.engines.push_back(pandas);
  for (auto& row : merged.rows) {
    auto it = pandas_cells.find(row.id);
    Cell c;
    if (it != pandas_cells.end()) {
      c = it->second;
    } else {
      c.status = CellStatus::kNotRun;
    }
    row.cells.push_back(std::move(c));
  }
  s.bench = ToJson(merged);

  struct SeedOp {
    const char* op;
    const char* label;
    const char* pandas_text;
    double pandas_value;
    const char* polars_text;
    double polars_value;
  };
  const SeedOp ops[] = {{"csv_read", "CSV read", "1.56", 1.56, "0.17–0.25", 0.21},
                        {"parquet_write_zstd", "Parquet write (zstd)", "0.66–1.66", 1.16, "0.37–1.50", 0.935},
                        {"parquet_read_zstd", "Parquet read (zstd, own file)", "0.10–0.20", 0.15, "0.06–0.12", 0.09},
                        {"group_by_mean", "GroupBy mean per sensor (6 cols)", "0.06–0.08", 0.07, "0.04–0.07", 0.055}};
  for (const auto& op : ops) {
    const OperationRow* row = nullptr;
    for (const auto& rr : merged.rows) {
      if (rr.id == op.op) row = &rr;
    }
    for (const char* engine : {"pandas", "polars", "duckdb", "edgepipe"}) {
      Line l;
      l.group = op.label;
      l.engine = engine;
      l.operation = op.op;
      const int idx = merged.EngineIndex(engine);
      l.label = std::string(op.label) + ": " + (idx >= 0 ? merged.engines[static_cast<size_t>(idx)].label : engine);
      l.subject = std::string_view(engine) == "edgepipe";
      if (std::string_view(engine) == "pandas") {
        l.seed_text = op.pandas_text;
        l.seed_value = op.pandas_value;
        l.baseline = true;
      } else if (std::string_view(engine) == "polars") {
        l.seed_text = op.polars_text;
        l.seed_value = op.polars_value;
      }
      if (row != nullptr && idx >= 0) {
        l.here = row->cells[static_cast<size_t>(idx)];
      } else {
        l.here.status = CellStatus::kNotRun;
      }
      s.lines.push_back(std::move(l));
    }
  }
  for (const auto& n : r->notes) {
    if (n.rfind("Files kept in", 0) != 0) s.notes.push_back(n);  // our work directory is removed
  }
  s.notes.push_back("Seed ranges are shown as printed; their midpoints are used for the seed bars of the chart.");
  s.notes.push_back("Parquet write/read use zstd (Polars' default codec); snappy and the cross-read of edgepipe's "
                    "file by every engine are in results.json (section final, bench.results).");
  return s;
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

Result<ReportOutput> Generator::Run() {
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
  source_dir_ = options_.source_dir;
  if (source_dir_.empty()) {
    const char* env = std::getenv("EDGEPIPE_SOURCE_DIR");
    source_dir_ = env != nullptr && *env != '\0' ? env : EDGEPIPE_SOURCE_DIR_DEFAULT;
  }
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
  const std::map<std::string, std::string> files = {{"day1a", "day1a_multiply.svg"}, {"day1b", "day1b_groupby.svg"},
                                                    {"day3", "day3_quant.svg"},     {"day4", "day4_mobilenet.svg"},
                                                    {"final", "final_pipeline.svg"}};
  for (auto& s : sections) {
    if (s.lines.empty()) continue;
    s.svg_file = files.at(s.id);
    const std::string path = options_.out_dir + "/" + s.svg_file;
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
    RETURN_NOT_OK(file->Write(RenderBarChartSvg(Chart(s))));
    RETURN_NOT_OK(file->Commit());
    output.svg_paths.push_back(path);
  }

  // ---- benchmarks.md
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
  md += fmt::format("---\nGenerated in {:.1f} s by `{}`; every sample is in results.json.\n", total.Seconds(),
                    options_.command_line);

  output.markdown = md;
  output.markdown_path = options_.out_dir + "/benchmarks.md";
  {
    ASSIGN_OR_RETURN(auto file, AtomicFile::Open(output.markdown_path));
    RETURN_NOT_OK(file->Write(md));
    RETURN_NOT_OK(file->Commit());
  }

  // ---- results.json
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
  doc["seconds_total"] = total.Seconds();
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
  output.json_path = options_.out_dir + "/results.json";
  RETURN_NOT_OK(WriteJsonFile(doc, output.json_path));
  Progress(fmt::format("wrote {} and {} ({} charts) in {:.1f} s", output.markdown_path, output.json_path,
                       output.svg_paths.size(), total.Seconds()));
  return output;
}

}  // namespace

const std::vector<std::string>& ReportSections() { return SectionIds(); }

Result<ReportOutput> GenerateReport(const ReportOptions& options) {
  Generator generator(options);
  return generator.Run();
}

}  // namespace edgepipe::bench
