#pragma once
// Helpers shared by the subcommands: format detection, opening inputs and
// outputs of either format, flag parsing and progress on stderr.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgepipe/core/table.h"
#include "edgepipe/csv/options.h"
#include "edgepipe/parquet/reader.h"
#include "edgepipe/parquet/writer.h"

namespace edgepipe::cli {

extern bool g_quiet;

enum class FileFormat { kCsv, kParquet };
// By extension: .csv/.tsv/.txt -> CSV, .parquet/.pq -> Parquet.
Result<FileFormat> FormatFromPath(const std::string& path);

struct InputOptions {
  std::vector<std::string> columns;  // projection (empty = all)
  csv::CsvReadOptions csv;
  parquet::ParquetReadOptions parquet;
};
// A stream of batches from a CSV or Parquet file.
Result<std::unique_ptr<BatchReader>> OpenInput(const std::string& path, const InputOptions& options);

// Writes batches to a CSV or Parquet file that appears only on Close().
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual Status Write(const RecordBatch& batch) = 0;
  virtual Status Close() = 0;
};
struct OutputOptions {
  parquet::ParquetWriteOptions parquet;
  csv::CsvWriteOptions csv;
};
Result<std::unique_ptr<TableWriter>> OpenOutput(const std::string& path, std::shared_ptr<const Schema> schema,
                                                const OutputOptions& options);

// Streams every batch of `reader` into `writer` with progress under `label`,
// then closes the writer (the output appears only if everything succeeded).
// Returns the number of rows.
Result<int64_t> CopyBatches(BatchReader* reader, TableWriter* writer, const std::string& label);

// "a,b , c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> SplitList(const std::string& text);
// "ts:timestamp,id:string" -> {{"ts",kTimestamp},{"id",kString}}.
Result<std::map<std::string, Type>> ParseSchemaOverride(const std::string& text);

// Progress on stderr for work that takes longer than a second: silent
// before that, then a line at most every half second (overwritten in place
// on a terminal), and a summary at Finish() if anything was printed.
class Progress {
 public:
  explicit Progress(std::string label);
  void Update(int64_t rows);
  void Finish();
  double elapsed_seconds() const;

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_, last_;
  bool printed_ = false;
  int64_t rows_ = 0;
};

std::string HumanBytes(double bytes);

}  // namespace edgepipe::cli
