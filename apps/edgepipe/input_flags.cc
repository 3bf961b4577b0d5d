#include "apps/edgepipe/input_flags.h"

#include <CLI/CLI.hpp>

namespace edgepipe::cli {

void InputFlags::Add(CLI::App* cmd) {
  cmd->add_option("--schema", schema,
                  "CSV column types overriding inference, NAME:TYPE,... (types: bool, int32, int64, float32, "
                  "float64, string, timestamp)");
  cmd->add_option("--delimiter", delimiter, "CSV field delimiter")->capture_default_str();
}

Result<InputOptions> InputFlags::ToOptions() const {
  InputOptions options;
  options.csv.delimiter = delimiter;
  ASSIGN_OR_RETURN(options.csv.column_types, ParseSchemaOverride(schema));
  return options;
}

}  // namespace edgepipe::cli
