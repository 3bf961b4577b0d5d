// A CLI with only the inference subcommands, so tests/nn can exercise them
// (and their exit codes) without building the whole edgepipe binary.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/commands.h"

namespace edgepipe::cli {
void AddModelsCommand(CLI::App* app, RunFn* run);
void AddRunCommand(CLI::App* app, RunFn* run);
void AddInspectModelCommand(CLI::App* app, RunFn* run);
void AddQuantizeCommand(CLI::App* app, RunFn* run);
}  // namespace edgepipe::cli

int main(int argc, char** argv) {
  using namespace edgepipe;
  CLI::App app{"edgepipe (inference subcommands only, for tests)", "edgepipe_nn_cli"};
  app.require_subcommand(1);
  cli::RunFn run;
  cli::AddModelsCommand(&app, &run);
  cli::AddRunCommand(&app, &run);
  cli::AddInspectModelCommand(&app, &run);
  cli::AddQuantizeCommand(&app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  Status st = run ? run() : Status::InvalidArgument("no command given");
  if (!st.ok()) {
    fmt::print(stderr, "edgepipe: error: {}\n", st.ToString());
    return st.IsInvalidArgument() ? 2 : 1;
  }
  return 0;
}
