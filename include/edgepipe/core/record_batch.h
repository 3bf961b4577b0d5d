#pragma once
// RecordBatch: equal-length columns under one schema; the unit that readers
// produce, kernels consume and writers write. Cheap to copy (shared buffers).

#include <cstdint>
#include <memory>
#include <vector>

#include "edgepipe/core/column.h"
#include "edgepipe/core/type.h"

namespace edgepipe {

class RecordBatch {
 public:
  RecordBatch() : schema_(std::make_shared<Schema>()) {}
  // Checks that the columns match the schema's types and all have num_rows.
  static Result<RecordBatch> Make(std::shared_ptr<const Schema> schema, std::vector<Column> columns);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const Column& column(int i) const { return columns_[i]; }
  const std::vector<Column>& columns() const { return columns_; }

  RecordBatch Slice(int64_t offset, int64_t length) const;
  // Projection by column index, in the order given.
  RecordBatch SelectColumns(const std::vector<int>& indices) const;

 private:
  RecordBatch(std::shared_ptr<const Schema> schema, std::vector<Column> columns, int64_t num_rows)
      : schema_(std::move(schema)), columns_(std::move(columns)), num_rows_(num_rows) {}

  std::shared_ptr<const Schema> schema_;
  std::vector<Column> columns_;
  int64_t num_rows_ = 0;
};

}  // namespace edgepipe
