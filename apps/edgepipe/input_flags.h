#pragma once
// Input flags shared by the commands that read files (convert, agg,
// inspect): --schema and --delimiter for CSV inputs.

#include <string>

#include "apps/edgepipe/cli_util.h"

namespace CLI {
class App;
}

namespace edgepipe::cli {

struct InputFlags {
  std::string schema;  // NAME:TYPE,...
  char delimiter = ',';

  void Add(CLI::App* cmd);
  Result<InputOptions> ToOptions() const;
};

}  // namespace edgepipe::cli
