#pragma once
// Each subcommand registers itself on the CLI11 app and leaves the work to
// run after parsing in *run (so main() maps every Status to one exit code).

#include <functional>

#include "edgepipe/core/status.h"

namespace CLI {
class App;
}

namespace edgepipe::cli {

using RunFn = std::function<Status()>;

void AddGenCommand(CLI::App* app, RunFn* run);
void AddConvertCommand(CLI::App* app, RunFn* run);
void AddInspectCommand(CLI::App* app, RunFn* run);
void AddAggCommand(CLI::App* app, RunFn* run);
void AddBenchCommand(CLI::App* app, RunFn* run);
void AddModelsCommand(CLI::App* app, RunFn* run);
void AddRunCommand(CLI::App* app, RunFn* run);
void AddInspectModelCommand(CLI::App* app, RunFn* run);
void AddReportCommand(CLI::App* app, RunFn* run);
void AddQuantizeCommand(CLI::App* app, RunFn* run);

}  // namespace edgepipe::cli
