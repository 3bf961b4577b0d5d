// edgepipe convert IN OUT: CSV <-> Parquet (either direction, or re-encode),
// streaming batch by batch so memory stays bounded by a row group.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "apps/edgepipe/input_flags.h"
#include "apps/edgepipe/output_flags.h"

namespace edgepipe::cli {

namespace {
struct ConvertFlags {
  std::string in, out, columns;
  InputFlags input;
  OutputFlags output;
};
}  // namespace

void AddConvertCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("convert", "Convert between CSV and Parquet (format from the file extensions)");
  auto flags = std::make_shared<ConvertFlags>();
  cmd->add_option("input", flags->in, "Input file (.csv or .parquet)")->required();
  cmd->add_option("output", flags->out, "Output file (.csv or .parquet); written atomically")->required();
  cmd->add_option("--columns", flags->columns, "Only these columns, comma-separated");
  flags->input.Add(cmd);
  flags->output.Add(cmd);
  cmd->callback([run, flags] {
    *run = [flags]() -> Status {
      if (flags->in == flags->out) return Status::InvalidArgument("input and output are the same file");
      ASSIGN_OR_RETURN(OutputOptions out_options, flags->output.ToOptions());
      ASSIGN_OR_RETURN(InputOptions in_options, flags->input.ToOptions());
      in_options.columns = SplitList(flags->columns);
      out_options.csv.delimiter = flags->input.delimiter;
      ASSIGN_OR_RETURN(auto reader, OpenInput(flags->in, in_options));
      ASSIGN_OR_RETURN(auto writer, OpenOutput(flags->out, reader->schema(), out_options));
      ASSIGN_OR_RETURN(int64_t rows, CopyBatches(reader.get(), writer.get(), "convert"));
      if (!g_quiet) fmt::print(stderr, "wrote {} rows to {}\n", rows, flags->out);
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
