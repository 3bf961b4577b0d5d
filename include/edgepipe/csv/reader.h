#pragma once
// CsvReader: a CSV file as a stream of RecordBatches (one per block).
//
// The file is memory-mapped and cut into blocks of ~block_size bytes at row
// boundaries; up to 2 x threads blocks are parsed and converted at once on
// the process-wide pool (edgepipe/core/parallel.h) and handed out in file
// order. Only the blocks in flight are decoded, so memory is bounded by
// ~4 x threads x block_size whatever the file size. Open() reads the header
// and infers the column types from the first block (see options.h and
// docs/csv.md).
//
// Errors: NotFound / IOError from opening; Corruption for input that breaks
// the dialect or does not fit a column's type, as
//   "imu.csv:1043: column 'ax': cannot parse "1.2.3" as float64 ...".
// An error is sticky: Next() returns it from then on.
// Thread safety: one reader is used by one thread at a time.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "edgepipe/core/status.h"
#include "edgepipe/core/table.h"
#include "edgepipe/csv/options.h"

namespace edgepipe::csv {

class CsvReader : public BatchReader {
 public:
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, const CsvReadOptions& options);
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path) {
    return Open(path, CsvReadOptions::Defaults());
  }
  // Reads CSV text held in memory; `data` must outlive the reader. `name`
  // stands for the path in error messages.
  static Result<std::unique_ptr<CsvReader>> OpenBuffer(std::string_view data, const CsvReadOptions& options,
                                                       std::string name = "<buffer>");

  ~CsvReader() override;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::shared_ptr<const Schema>& schema() const override;
  // The next block's rows (never an empty batch), or nullopt at the end.
  Result<std::optional<RecordBatch>> Next() override;

 private:
  struct Impl;
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a whole CSV file into a table (one batch per block).
Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options = CsvReadOptions::Defaults());
// Same for CSV text in memory.
Result<Table> ReadCsvBuffer(std::string_view data, const CsvReadOptions& options = CsvReadOptions::Defaults(),
                            std::string name = "<buffer>");

}  // namespace edgepipe::csv
