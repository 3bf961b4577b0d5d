#pragma once
// Table: a schema and a sequence of record batches (chunks). Sensor logs
// arrive as a stream of batches, so a table is never forced to be one
// contiguous block; Concatenate() makes one when a kernel wants it.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "edgepipe/core/record_batch.h"

namespace edgepipe {

class Table {
 public:
  Table() : schema_(std::make_shared<Schema>()) {}
  explicit Table(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {}
  // All batches must have `schema` (InvalidArgument otherwise).
  static Result<Table> Make(std::shared_ptr<const Schema> schema, std::vector<RecordBatch> batches);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return schema_->num_fields(); }
  const std::vector<RecordBatch>& batches() const { return batches_; }

  Status Append(RecordBatch batch);
  // One batch holding every row (copies unless there is exactly one batch).
  Result<RecordBatch> Concatenate() const;
  // True when both have the same schema and the same values row by row,
  // whatever the batch boundaries.
  bool Equals(const Table& other) const;

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<RecordBatch> batches_;
  int64_t num_rows_ = 0;
};

// Pull-based stream of batches: readers of CSV and Parquet implement it so
// that `convert` and aggregations run in bounded memory.
class BatchReader {
 public:
  virtual ~BatchReader() = default;
  virtual const std::shared_ptr<const Schema>& schema() const = 0;
  // The next batch, or std::nullopt at the end of the stream.
  virtual Result<std::optional<RecordBatch>> Next() = 0;
};

// Drains a reader into a table.
Result<Table> ReadAll(BatchReader* reader);

// Concatenates columns of one type into one column.
Result<Column> ConcatenateColumns(const std::vector<Column>& columns);

}  // namespace edgepipe
