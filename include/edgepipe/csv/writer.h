#pragma once
// CsvWriter: writes record batches as CSV through an AtomicFile, so the file
// appears under its name only when Close() succeeds (a writer destroyed
// without Close(), or after an error, leaves no output file).
//
// Each batch is cut into row ranges formatted in parallel on the
// process-wide pool, then written in order. Output (see options.h): a header
// line of column names (if options.header), LF line ends, a null as an empty
// field, strings quoted only when needed (delimiter, quote, CR, LF, the
// empty string, or text the reader would take for null such as NA), floats
// as their shortest round-trip text, timestamps as ISO-8601 UTC with 9
// fractional digits or as epoch nanoseconds. Reading the output back with
// CsvReader and the same types gives back the same values, bit for bit.
// Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "edgepipe/core/status.h"
#include "edgepipe/core/table.h"
#include "edgepipe/csv/options.h"

namespace edgepipe {
class AtomicFile;
}

namespace edgepipe::csv {

class CsvWriter {
 public:
  static Result<std::unique_ptr<CsvWriter>> Open(const std::string& path, std::shared_ptr<const Schema> schema,
                                                 const CsvWriteOptions& options = CsvWriteOptions::Defaults());
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // The batch's schema must equal the writer's (InvalidArgument otherwise).
  Status WriteBatch(const RecordBatch& batch);
  Status WriteTable(const Table& table);
  // Writes the header if no batch did, and commits the file. Further writes
  // fail.
  Status Close();

  int64_t rows_written() const { return rows_written_; }

 private:
  CsvWriter(std::unique_ptr<AtomicFile> file, std::shared_ptr<const Schema> schema, const CsvWriteOptions& options);
  Status WriteHeader();

  std::unique_ptr<AtomicFile> file_;
  std::shared_ptr<const Schema> schema_;
  CsvWriteOptions options_;
  bool header_written_ = false;
  bool closed_ = false;
  int64_t rows_written_ = 0;
};

// Writes a whole table to `path`.
Status WriteCsv(const std::string& path, const Table& table,
                const CsvWriteOptions& options = CsvWriteOptions::Defaults());

}  // namespace edgepipe::csv
