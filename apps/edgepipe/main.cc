// edgepipe: columnar sensor-log toolkit. Exit status: 0 success, 1 runtime
// failure (bad input data, I/O), 2 usage error (bad flags or arguments).

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "edgepipe/core/parallel.h"

int main(int argc, char** argv) {
  using namespace edgepipe;
  CLI::App app{"edgepipe: sensor-log I/O and analytics (CSV, Parquet) and quantized inference (ONNX) for edge boards",
               "edgepipe"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edgepipe 0.1.0");
  int threads = 0;
  app.add_option("--threads", threads, "Worker threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_flag("-q,--quiet", cli::g_quiet, "No progress output on stderr");

  cli::RunFn run;
  cli::AddGenCommand(&app, &run);
  cli::AddConvertCommand(&app, &run);
  cli::AddInspectCommand(&app, &run);
  cli::AddAggCommand(&app, &run);
  cli::AddBenchCommand(&app, &run);
  cli::AddModelsCommand(&app, &run);
  cli::AddRunCommand(&app, &run);
  cli::AddInspectModelCommand(&app, &run);
  cli::AddQuantizeCommand(&app, &run);
  cli::AddReportCommand(&app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help/usage; flags it cannot parse are usage errors: exit 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  SetNumThreads(threads);
  Status st = run ? run() : Status::InvalidArgument("no command given");
  if (!st.ok()) {
    fmt::print(stderr, "edgepipe: error: {}\n", st.ToString());
    return st.IsInvalidArgument() ? 2 : 1;
  }
  return 0;
}
