#pragma once
// `edgepipe report`: regenerates every table of the seed's week-2 report
// (/work/shared/seed/week2-report.md) with this machine's numbers and
// edgepipe in them, in one run (docs/report.md):
//   Day 1 A  multiply 50M f64          RunVectorizeBench (vectorize_scenario.h)
//   Day 1 B  group-by mean 5M rows     RunGroupByBench (groupby_scenario.h)
//   Day 3    TinyNet/BiggerNet INT8    RunQuantBench (quant_scenario.h)
//   Day 4    MobileNetV2 static PTQ    not implemented yet: the seed's figures only
//   Final    1M sensor rows            RunIoBench (io_scenario.h) + a pandas peer
// Output in `out_dir`: benchmarks.md (each seed table with the seed's own
// figure, this machine's, speed-ups vs the seed's baseline row and vs the
// fastest engine; machine facts, every peer's version, the command),
// results.json (every timing) and one SVG bar chart per table (log time
// axis). A scenario this build does not contain, or an engine that is not
// installed, is shown as such, never dropped and never invented.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::bench {

// Section ids, in report order: "day1a", "day1b", "day3", "day4", "final".
const std::vector<std::string>& ReportSections();

struct ReportOptions {
  std::string out_dir = "report";
  // Quick: the same tables on 1/10 of the sizes with fewer runs (under a
  // minute on a 2-core machine).
  bool quick = false;
  // Size factor applied to every table's size; 0 = 1 (full) or 0.1 (quick).
  // Tests use tiny factors.
  double scale = 0;
  int runs = 0;     // timed runs per data benchmark; 0 = 5 (full) or 2 (quick)
  int warmup = -1;  // -1 = 1
  int model_runs = 0;  // timed runs per model latency; 0 = 200 (full) or 30 (quick)
  int threads = 0;     // passed to every scenario (0 = all cores)
  std::vector<std::string> sections = ReportSections();  // a subset to run (the others say "skipped")
  std::string source_dir;                     // repo root; empty: $EDGEPIPE_SOURCE_DIR, else the build's
  std::string node = "node";
  std::string python = "/usr/bin/python3";
  double peer_timeout_seconds = 1800;
  std::function<void(std::string_view line)> progress;  // "[report] ..." lines
  std::string command_line;
};

struct ReportOutput {
  std::string markdown;       // the text of benchmarks.md
  std::string markdown_path;  // <out_dir>/benchmarks.md
  std::string json_path;      // <out_dir>/results.json
  std::vector<std::string> svg_paths;
};

// InvalidArgument for bad options (unknown section, scale <= 0 or > 1,
// runs < 0); IOError when out_dir or a file cannot be written. A scenario
// that fails is a section saying so, not an error.
Result<ReportOutput> GenerateReport(const ReportOptions& options);

}  // namespace edgepipe::bench
