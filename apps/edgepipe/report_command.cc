// edgepipe report --out DIR [--quick]: regenerates every table of the seed's
// week-2 report with this machine's numbers and edgepipe in them
// (docs/report.md). The work is in edgepipe_bench (bench/report.h).

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "edgepipe/bench/report.h"

namespace edgepipe::cli {

namespace {

struct ReportFlags {
  bench::ReportOptions options;
  std::string sections;
};

}  // namespace

void AddReportCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand(
      "report",
      "Re-measure every table of the week-2 report (multiply, group-by, dynamic INT8, MobileNetV2 PTQ, CSV/Parquet "
      "pipeline) with edgepipe and its peers: writes OUT/benchmarks.md, OUT/results.json and one SVG chart per table");
  auto flags = std::make_shared<ReportFlags>();
  cmd->add_option("--out,-o", flags->options.out_dir, "Output directory")->capture_default_str();
  cmd->add_flag("--quick", flags->options.quick, "The same tables on 1/10 of the sizes with fewer runs (under a minute)");
  cmd->add_option("--runs", flags->options.runs, "Timed runs per data benchmark (default 5, quick 2)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--peers-dir", flags->options.source_dir,
                  "Repository root holding bench/peers/ and node_modules/ (default: $EDGEPIPE_SOURCE_DIR, else the "
                  "source tree edgepipe was built from)");
  cmd->add_option("--python", flags->options.python, "Python for the NumPy/pandas/PyTorch peers")->capture_default_str();
  cmd->add_option("--node", flags->options.node, "Node.js executable for the peers")->capture_default_str();
  cmd->add_option("--timeout", flags->options.peer_timeout_seconds, "Seconds before a peer is killed")
      ->capture_default_str()->check(CLI::PositiveNumber);
  // Advanced (tests, partial reruns): hidden from --help.
  cmd->add_option("--scale", flags->options.scale, "Size factor of every table (0 = 1, or 0.1 with --quick)")
      ->group("")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--model-runs", flags->options.model_runs, "Timed runs per model latency")->group("")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sections", flags->sections, "Sections to run: day1a,day1b,day3,day4,final")->group("");
  cmd->callback([app, run, flags] {
    *run = [app, flags]() -> Status {
      bench::ReportOptions options = flags->options;
      if (!flags->sections.empty()) options.sections = SplitList(flags->sections);
      if (const CLI::Option* t = app->get_option("--threads"); t != nullptr && t->count() > 0) {
        options.threads = t->as<int>();
      }
      std::string command = "edgepipe";
      if (options.threads > 0) command += fmt::format(" --threads {}", options.threads);
      command += " report --out " + options.out_dir;
      if (options.quick) command += " --quick";
      if (options.runs > 0) command += fmt::format(" --runs {}", options.runs);
      if (options.scale > 0) command += fmt::format(" --scale {:g}", options.scale);
      if (options.model_runs > 0) command += fmt::format(" --model-runs {}", options.model_runs);
      if (!flags->sections.empty()) command += " --sections " + flags->sections;
      options.command_line = command;
      if (!g_quiet) options.progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
      ASSIGN_OR_RETURN(bench::ReportOutput out, bench::GenerateReport(options));
      if (!g_quiet) {
        fmt::print(stderr, "wrote {}, {} and {} SVG chart(s)\n", out.markdown_path, out.json_path, out.svg_paths.size());
      }
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
