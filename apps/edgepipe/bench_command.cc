// edgepipe bench io: edgepipe vs Polars vs DuckDB on generated sensor rows,
// in the same run (docs/benchmarks.md). edgepipe bench quant: dynamic INT8
// vs FP32, PyTorch and ONNX Runtime. edgepipe bench model: latency of given
// ONNX files. The work is in edgepipe_bench.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "edgepipe/bench/groupby_scenario.h"
#include "edgepipe/bench/io_scenario.h"
#include "edgepipe/bench/quant_scenario.h"
#include "edgepipe/bench/vectorize_scenario.h"

namespace edgepipe::cli {

namespace {

struct BenchIoFlags {
  bench::IoBenchOptions options;
  std::string engines = "edgepipe,polars,duckdb";
  std::string json;
};

std::string Quote(const std::string& a) {
  const bool plain = !a.empty() && a.find_first_of(" \t\"'$\\;&|") == std::string::npos;
  return plain ? a : "'" + a + "'";
}

// The effective command (every option that changes the result), for the report.
std::string CommandLine(const bench::IoBenchOptions& o, const BenchIoFlags& flags) {
  std::string out = "edgepipe";
  if (o.threads > 0) out += fmt::format(" --threads {}", o.threads);
  out += fmt::format(" bench io --rows {} --runs {} --warmup {} --engines {}", o.rows, o.runs, o.warmup,
                     Quote(flags.engines));
  if (o.seed != bench::IoBenchOptions().seed) out += fmt::format(" --seed {}", o.seed);
  if (!o.dir.empty()) out += " --dir " + Quote(o.dir);
  if (o.keep) out += " --keep";
  if (!flags.json.empty()) out += " --json " + Quote(flags.json);
  return out;
}

}  // namespace

// `edgepipe bench vectorize`: elementwise multiply vs NumPy, PyTorch,
// pandas, Polars, DuckDB, a C loop and a Python loop (vectorize_scenario.h).
namespace {

struct BenchVectorizeFlags {
  bench::VectorizeBenchOptions options;
  std::string engines = "edgepipe,c,c_native,numpy,torch,pandas,polars,duckdb,python";
  std::string json;
};

std::string VectorizeCommandLine(const bench::VectorizeBenchOptions& o, const BenchVectorizeFlags& flags) {
  std::string out = "edgepipe";
  if (o.threads > 0) out += fmt::format(" --threads {}", o.threads);
  out += fmt::format(" bench vectorize --n {} --dtype {} --runs {} --warmup {} --engines {}", o.n, o.dtype, o.runs,
                     o.warmup, Quote(flags.engines));
  if (!flags.json.empty()) out += " --json " + Quote(flags.json);
  return out;
}

void AddBenchVectorize(CLI::App* app, CLI::App* bench_cmd, RunFn* run) {
  auto* vec = bench_cmd->add_subcommand(
      "vectorize",
      "Elementwise multiply of N values (into a reused output and with a new output per call): edgepipe vs a C "
      "loop, NumPy, PyTorch, pandas, Polars, DuckDB and a Python loop, with this machine's memory-bandwidth floor");
  auto flags = std::make_shared<BenchVectorizeFlags>();
  vec->add_option("--n", flags->options.n, "Values per input array")->capture_default_str()->check(CLI::PositiveNumber);
  vec->add_option("--dtype", flags->options.dtype, "f64 or f32")->capture_default_str()->check(CLI::IsMember({"f64", "f32"}));
  vec->add_option("--runs", flags->options.runs, "Timed runs per operation (the median is reported)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  vec->add_option("--warmup", flags->options.warmup, "Untimed runs before them")->capture_default_str()->check(CLI::NonNegativeNumber);
  vec->add_option("--engines", flags->engines, "Engines to run, comma-separated")->capture_default_str();
  vec->add_option("--json", flags->json, "Also write the report with every sample to this JSON file");
  vec->add_option("--python-prefix", flags->options.python_prefix, "Values the pure Python loop runs on (scaled to --n)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  vec->add_option("--dir", flags->options.dir, "Work directory for the compiled C peer (default: a new one under /tmp)");
  vec->add_option("--peers-dir", flags->options.source_dir,
                  "Repository root holding bench/peers/ and node_modules/ (default: $EDGEPIPE_SOURCE_DIR, else the "
                  "source tree edgepipe was built from)");
  vec->add_option("--python", flags->options.python, "Python for the NumPy/PyTorch/pandas peers")->capture_default_str();
  vec->add_option("--node", flags->options.node, "Node.js executable for the peers")->capture_default_str();
  vec->add_option("--cc", flags->options.cc, "C compiler for the C loop peer")->capture_default_str();
  vec->add_option("--timeout", flags->options.peer_timeout_seconds, "Seconds before a peer is killed")
      ->capture_default_str()->check(CLI::PositiveNumber);
  vec->callback([app, run, flags] {
    *run = [app, flags]() -> Status {
      bench::VectorizeBenchOptions options = flags->options;
      options.engines = SplitList(flags->engines);
      if (const CLI::Option* t = app->get_option("--threads"); t != nullptr && t->count() > 0) {
        options.threads = t->as<int>();
      }
      options.command_line = VectorizeCommandLine(options, *flags);
      if (!g_quiet) options.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::BenchReport report, bench::RunVectorizeBench(options));
      fmt::print("{}", bench::RenderMarkdown(report));
      std::fflush(stdout);
      if (!flags->json.empty()) {
        RETURN_NOT_OK(bench::WriteJsonFile(bench::ToJson(report), flags->json));
        if (!g_quiet) fmt::print(stderr, "[bench vectorize] wrote {}\n", flags->json);
      }
      return Status::OK();
    };
  });
}

}  // namespace

// `edgepipe bench groupby`: group-by mean of int64 keys vs a Python dict
// loop, NumPy, pandas, PyTorch, Polars and DuckDB (groupby_scenario.h).
namespace {

struct BenchGroupByFlags {
  bench::GroupByBenchOptions options;
  std::string engines = "edgepipe,python_dict,numpy,pandas,torch,polars,duckdb";
  std::string json;
};

void AddBenchGroupBy(CLI::App* app, CLI::App* bench_cmd, RunFn* run) {
  auto* gb = bench_cmd->add_subcommand(
      "groupby",
      "Group-by mean of float64 values per int64 key (keys uniform in [0, --keys)): edgepipe vs a Python dict loop "
      "(prefix, scaled), NumPy bincount, pandas, PyTorch index_add_, Polars and DuckDB, in the same run");
  auto flags = std::make_shared<BenchGroupByFlags>();
  gb->add_option("--rows", flags->options.rows, "Rows")->capture_default_str()->check(CLI::PositiveNumber);
  gb->add_option("--keys", flags->options.keys, "Distinct keys (uniform)")->capture_default_str()->check(CLI::Range(1, 1 << 30));
  gb->add_option("--runs", flags->options.runs, "Timed runs (the median is reported)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  gb->add_option("--warmup", flags->options.warmup, "Untimed runs before them")->capture_default_str()->check(CLI::NonNegativeNumber);
  gb->add_option("--engines", flags->engines, "Engines to run, comma-separated")->capture_default_str();
  gb->add_option("--json", flags->json, "Also write the report with every sample to this JSON file");
  gb->add_option("--python-dict-rows", flags->options.python_dict_rows, "Rows the Python dict loop runs on (scaled)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  gb->add_option("--seed", flags->options.seed, "Seed of the generated data")->capture_default_str();
  gb->add_option("--dir", flags->options.dir, "Work directory for the data files (default: a new one under /tmp)");
  gb->add_option("--peers-dir", flags->options.source_dir,
                 "Repository root holding bench/peers/ and node_modules/ (default: $EDGEPIPE_SOURCE_DIR, else the "
                 "source tree edgepipe was built from)");
  gb->add_option("--python", flags->options.python, "Python for the dict/NumPy/pandas/PyTorch peers")->capture_default_str();
  gb->add_option("--node", flags->options.node, "Node.js executable for the peers")->capture_default_str();
  gb->add_option("--timeout", flags->options.peer_timeout_seconds, "Seconds before a peer is killed")
      ->capture_default_str()->check(CLI::PositiveNumber);
  gb->callback([app, run, flags] {
    *run = [app, flags]() -> Status {
      bench::GroupByBenchOptions options = flags->options;
      options.engines = SplitList(flags->engines);
      if (const CLI::Option* t = app->get_option("--threads"); t != nullptr && t->count() > 0) {
        options.threads = t->as<int>();
      }
      options.command_line = "edgepipe";
      if (options.threads > 0) options.command_line += fmt::format(" --threads {}", options.threads);
      options.command_line += fmt::format(" bench groupby --rows {} --keys {} --runs {} --warmup {} --engines {}",
                                          options.rows, options.keys, options.runs, options.warmup,
                                          Quote(flags->engines));
      if (!flags->json.empty()) options.command_line += " --json " + Quote(flags->json);
      if (!g_quiet) options.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::BenchReport report, bench::RunGroupByBench(options));
      fmt::print("{}", bench::RenderMarkdown(report));
      std::fflush(stdout);
      if (!flags->json.empty()) {
        RETURN_NOT_OK(bench::WriteJsonFile(bench::ToJson(report), flags->json));
        if (!g_quiet) fmt::print(stderr, "[bench groupby] wrote {}\n", flags->json);
      }
      return Status::OK();
    };
  });
}

template <typename T>
Result<std::vector<T>> ParseNumbers(const std::string& text, const char* flag) {
  std::vector<T> out;
  for (const std::string& item : SplitList(text)) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 1 || v > (1 << 20)) throw std::invalid_argument(item);
      out.push_back(static_cast<T>(v));
    } catch (const std::exception&) {
      return Status::InvalidArgument(fmt::format("{}: '{}' is not a positive integer", flag, item));
    }
  }
  if (out.empty()) return Status::InvalidArgument(fmt::format("{}: empty list", flag));
  return out;
}

struct BenchQuantFlags {
  bench::QuantBenchOptions options;
  std::string models = "tinynet,biggernet", batches = "1,32", threads = "1,2", engines = "edgepipe,pytorch,onnxruntime";
  std::string json;
};

struct BenchModelFlags {
  bench::ModelBenchOptions options;
  std::string batches = "1", threads = "1";
  std::string json;
};

Status PrintReport(const bench::BenchReport& report, const std::string& json) {
  fmt::print("{}", bench::RenderMarkdown(report));
  std::fflush(stdout);
  if (!json.empty()) RETURN_NOT_OK(bench::WriteJsonFile(bench::ToJson(report), json));
  return Status::OK();
}

void AddBenchQuant(CLI::App* bench_cmd, RunFn* run) {
  auto* cmd = bench_cmd->add_subcommand(
      "quant", "Dynamic INT8 vs FP32: edgepipe, PyTorch (FP32, qnnpack, onednn) and ONNX Runtime (FP32, INT8) on "
               "TinyNet and BiggerNet, in the same run; model sizes on disk");
  auto flags = std::make_shared<BenchQuantFlags>();
  cmd->add_option("--models", flags->models, "tinynet,biggernet")->capture_default_str();
  cmd->add_option("--batch", flags->batches, "Batch sizes, comma-separated")->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Thread counts, comma-separated")->capture_default_str();
  cmd->add_option("--runs", flags->options.runs, "Timed runs per cell")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", flags->options.warmup, "Untimed runs first")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--engines", flags->engines, "edgepipe,pytorch,onnxruntime")->capture_default_str();
  cmd->add_option("--dir", flags->options.dir, "Where the .onnx files go (default: a new /tmp directory, removed)");
  cmd->add_flag("--keep", flags->options.keep, "Keep the model files");
  cmd->add_option("--json", flags->json, "Also write the report with every sample to this JSON file");
  cmd->add_option("--peers-dir", flags->options.source_dir, "Repository root (bench/peers, scripts/models, node_modules)");
  cmd->add_option("--python", flags->options.python, "Python with torch for the PyTorch peer")->capture_default_str();
  cmd->add_option("--node", flags->options.node, "Node.js for the ONNX Runtime peer")->capture_default_str();
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      bench::QuantBenchOptions o = flags->options;
      o.models = SplitList(flags->models);
      o.engines = SplitList(flags->engines);
      ASSIGN_OR_RETURN(o.batches, ParseNumbers<int64_t>(flags->batches, "--batch"));
      ASSIGN_OR_RETURN(o.threads, ParseNumbers<int>(flags->threads, "--threads"));
      o.command_line = fmt::format("edgepipe bench quant --models {} --batch {} --threads {} --runs {} --warmup {} --engines {}",
                                   flags->models, flags->batches, flags->threads, o.runs, o.warmup, flags->engines);
      if (!g_quiet) o.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::BenchReport report, bench::RunQuantBench(o));
      return PrintReport(report, flags->json);
    };
  });
}

void AddBenchModel(CLI::App* bench_cmd, RunFn* run) {
  auto* cmd = bench_cmd->add_subcommand("model", "Latency of ONNX models per batch size and thread count (edgepipe; "
                                                 "--compare adds ONNX Runtime on the same files)");
  auto flags = std::make_shared<BenchModelFlags>();
  cmd->add_option("models", flags->options.model_paths, "Models (.onnx); the first is the subject")->required();
  cmd->add_option("--batch", flags->batches, "Batch sizes, comma-separated")->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Thread counts, comma-separated")->capture_default_str();
  cmd->add_option("--runs", flags->options.runs, "Timed runs per cell")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", flags->options.warmup, "Untimed runs first")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_flag("--compare", flags->options.compare, "Also run ONNX Runtime (onnxruntime-node) on each file");
  cmd->add_option("--json", flags->json, "Also write the report with every sample to this JSON file");
  cmd->add_option("--peers-dir", flags->options.source_dir, "Repository root (bench/peers, node_modules)");
  cmd->add_option("--node", flags->options.node, "Node.js for the ONNX Runtime peer")->capture_default_str();
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      bench::ModelBenchOptions o = flags->options;
      ASSIGN_OR_RETURN(o.batches, ParseNumbers<int64_t>(flags->batches, "--batch"));
      ASSIGN_OR_RETURN(o.threads, ParseNumbers<int>(flags->threads, "--threads"));
      std::string models;
      for (const auto& m : o.model_paths) models += " " + Quote(m);
      o.command_line = fmt::format("edgepipe bench model{} --batch {} --threads {} --runs {} --warmup {}{}", models,
                                   flags->batches, flags->threads, o.runs, o.warmup, o.compare ? " --compare" : "");
      if (!g_quiet) o.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::BenchReport report, bench::RunModelBench(o));
      return PrintReport(report, flags->json);
    };
  });
}

}  // namespace

void AddBenchCommand(CLI::App* app, RunFn* run) {
  auto* bench_cmd = app->add_subcommand("bench", "Scenario benchmarks against peer engines (docs/benchmarks.md)");
  bench_cmd->require_subcommand(1);
  auto* io = bench_cmd->add_subcommand(
      "io",
      "CSV read, Parquet write (zstd, snappy) and read, group-by mean per sensor: edgepipe vs Polars vs DuckDB "
      "(Node peers) on the same generated sensor CSV; prints a Markdown table, --json writes every sample");
  auto flags = std::make_shared<BenchIoFlags>();
  io->add_option("--rows", flags->options.rows, "Sensor rows to generate")->capture_default_str()->check(CLI::PositiveNumber);
  io->add_option("--runs", flags->options.runs, "Timed runs per operation (the median is reported)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  io->add_option("--warmup", flags->options.warmup, "Untimed runs before them")->capture_default_str()->check(CLI::NonNegativeNumber);
  io->add_option("--engines", flags->engines, "Engines to run, comma-separated: edgepipe,polars,duckdb")->capture_default_str();
  io->add_option("--dir", flags->options.dir, "Work directory for the CSV and Parquet files (default: a new one under /tmp)");
  io->add_flag("--keep", flags->options.keep, "Keep the work directory and its files");
  io->add_option("--json", flags->json, "Also write the report with every sample to this JSON file");
  io->add_option("--seed", flags->options.seed, "Seed of the generated data")->capture_default_str();
  io->add_option("--peers-dir", flags->options.source_dir,
                 "Repository root holding bench/peers/ and node_modules/ (default: $EDGEPIPE_SOURCE_DIR, else the "
                 "source tree edgepipe was built from)");
  io->add_option("--node", flags->options.node, "Node.js executable for the peers")->capture_default_str();
  io->add_option("--timeout", flags->options.peer_timeout_seconds, "Seconds before a peer is killed")
      ->capture_default_str()->check(CLI::PositiveNumber);
  io->callback([app, run, flags] {
    *run = [app, flags]() -> Status {
      bench::IoBenchOptions options = flags->options;
      options.engines = SplitList(flags->engines);
      // The global --threads applies to every engine; unset = each engine's default.
      if (const CLI::Option* t = app->get_option("--threads"); t != nullptr && t->count() > 0) {
        options.threads = t->as<int>();
      }
      options.command_line = CommandLine(options, *flags);
      if (!g_quiet) options.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::BenchReport report, bench::RunIoBench(options));
      fmt::print("{}", bench::RenderMarkdown(report));
      std::fflush(stdout);
      if (!flags->json.empty()) {
        RETURN_NOT_OK(bench::WriteJsonFile(bench::ToJson(report), flags->json));
        if (!g_quiet) fmt::print(stderr, "[bench io] wrote {}\n", flags->json);
      }
      return Status::OK();
    };
  });
  AddBenchVectorize(app, bench_cmd, run);
  AddBenchGroupBy(app, bench_cmd, run);
  AddBenchQuant(bench_cmd, run);
  AddBenchModel(bench_cmd, run);
}

}  // namespace edgepipe::cli
