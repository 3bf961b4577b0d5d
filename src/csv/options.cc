#include "edgepipe/csv/options.h"

#include <string>

namespace edgepipe::csv {
namespace {

Status CheckDialect(char delimiter, char quote, std::string_view who) {
  auto bad = [](char c) { return c == '\n' || c == '\r'; };
  if (bad(delimiter)) return Status::InvalidArgument(std::string(who) + ": the delimiter cannot be CR or LF");
  if (bad(quote)) return Status::InvalidArgument(std::string(who) + ": the quote cannot be CR or LF");
  if (delimiter == quote) {
    return Status::InvalidArgument(std::string(who) + ": the delimiter and the quote must differ");
  }
  return Status::OK();
}

}  // namespace

Status CsvReadOptions::Validate() const {
  RETURN_NOT_OK(CheckDialect(delimiter, quote, "CSV read options"));
  if (block_size < 1 || block_size > (int64_t{256} << 20)) {
    return Status::InvalidArgument("CSV read options: block_size must be in [1, 256 MiB], got " +
                                   std::to_string(block_size));
  }
  if (infer_rows < 0) return Status::InvalidArgument("CSV read options: infer_rows must be >= 0");
  return Status::OK();
}

Status CsvWriteOptions::Validate() const {
  RETURN_NOT_OK(CheckDialect(delimiter, quote, "CSV write options"));
  if (rows_per_task < 1) return Status::InvalidArgument("CSV write options: rows_per_task must be >= 1");
  return Status::OK();
}

}  // namespace edgepipe::csv
