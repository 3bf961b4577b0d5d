#include "edgepipe/core/record_batch.h"

#include <string>

namespace edgepipe {

Result<RecordBatch> RecordBatch::Make(std::shared_ptr<const Schema> schema, std::vector<Column> columns) {
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status::InvalidArgument("record batch has " + std::to_string(columns.size()) +
                                   " columns, schema has " + std::to_string(schema->num_fields()));
  }
  const int64_t num_rows = columns.empty() ? 0 : columns[0].length();
  for (size_t i = 0; i < columns.size(); ++i) {
    const Field& field = schema->field(static_cast<int>(i));
    if (columns[i].type() != field.type) {
      return Status::InvalidArgument("column '" + field.name + "' is " + std::string(TypeName(columns[i].type())) +
                                     ", schema says " + std::string(TypeName(field.type)));
    }
    if (columns[i].length() != num_rows) {
      return Status::InvalidArgument("column '" + field.name + "' has " + std::to_string(columns[i].length()) +
                                     " rows, expected " + std::to_string(num_rows));
    }
  }
  return RecordBatch(std::move(schema), std::move(columns), num_rows);
}

RecordBatch RecordBatch::Slice(int64_t offset, int64_t length) const {
  std::vector<Column> cols;
  cols.reserve(columns_.size());
  for (const auto& c : columns_) cols.push_back(c.Slice(offset, length));
  const int64_t rows = cols.empty() ? 0 : cols[0].length();
  return RecordBatch(schema_, std::move(cols), rows);
}

RecordBatch RecordBatch::SelectColumns(const std::vector<int>& indices) const {
  std::vector<Field> fields;
  std::vector<Column> cols;
  for (int idx : indices) {
    fields.push_back(schema_->field(idx));
    cols.push_back(columns_[idx]);
  }
  return RecordBatch(std::make_shared<Schema>(std::move(fields)), std::move(cols), num_rows_);
}

}  // namespace edgepipe
