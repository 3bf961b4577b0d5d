#pragma once
// Output flags shared by the commands that write files (gen, convert, agg):
// --compression, --row-group-rows, --page-v2, --encoding COL=ENC, --timestamps.

#include <string>
#include <vector>

#include "apps/edgepipe/cli_util.h"

namespace CLI {
class App;
}

namespace edgepipe::cli {

struct OutputFlags {
  std::string compression = "zstd";
  int compression_level = -1;
  int64_t row_group_rows = 256 * 1024;
  bool page_v2 = false;
  std::vector<std::string> encodings;  // "col=enc"
  std::string timestamps = "iso";      // CSV: iso | ns

  void Add(CLI::App* cmd);
  Result<OutputOptions> ToOptions() const;
};

}  // namespace edgepipe::cli
