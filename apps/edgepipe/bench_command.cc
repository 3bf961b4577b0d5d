// edgepipe bench io: edgepipe vs Polars vs DuckDB on generated sensor rows,
// in the same run (docs/benchmarks.md). The work is in edgepipe_bench.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "edgepipe/bench/io_scenario.h"

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
}

}  // namespace edgepipe::cli
