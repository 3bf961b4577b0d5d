#include "edgepipe/core/table.h"

#include <cstring>
#include <string>

namespace edgepipe {

Result<Table> Table::Make(std::shared_ptr<const Schema> schema, std::vector<RecordBatch> batches) {
  Table table(std::move(schema));
  for (auto& b : batches) RETURN_NOT_OK(table.Append(std::move(b)));
  return table;
}

Status Table::Append(RecordBatch batch) {
  if (!(*batch.schema() == *schema_)) {
    return Status::InvalidArgument("batch schema differs from table schema:\n" + batch.schema()->ToString() +
                                   "vs\n" + schema_->ToString());
  }
  num_rows_ += batch.num_rows();
  batches_.push_back(std::move(batch));
  return Status::OK();
}

namespace {

// All parts dictionary-encoded: concatenate the codes and keep the
// dictionary. Parts sharing one dictionary (the batches of a Parquet column
// chunk) keep it as is; distinct dictionaries are appended into one and the
// codes rebased, which is valid since a dictionary need not be unique. No
// string is hashed or compared.
Result<Column> ConcatenateDictionaryColumns(const std::vector<Column>& columns) {
  std::vector<const Column*> dicts;       // distinct dictionaries, first-seen order
  std::vector<int32_t> code_base(columns.size());
  int64_t total = 0, nulls = 0, dict_rows = 0;
  for (size_t part = 0; part < columns.size(); ++part) {
    const Column& c = columns[part];
    total += c.length();
    nulls += c.null_count();
    const Column* d = c.dictionary().get();
    int64_t base = 0;
    bool found = false;
    for (const Column* seen : dicts) {
      if (seen == d) {
        found = true;
        break;
      }
      base += seen->length();
    }
    if (!found) {
      dicts.push_back(d);
      dict_rows += d->length();
      if (dict_rows > INT32_MAX) return Status::InvalidArgument("concatenated dictionary exceeds 2^31 entries");
    }
    code_base[part] = static_cast<int32_t>(base);
  }
  std::shared_ptr<const Column> dictionary = columns[0].dictionary();
  if (dicts.size() > 1) {
    std::vector<Column> plain;
    plain.reserve(dicts.size());
    for (const Column* d : dicts) plain.push_back(*d);
    ASSIGN_OR_RETURN(Column merged, ConcatenateColumns(plain));
    dictionary = std::make_shared<const Column>(std::move(merged));
  }
  ASSIGN_OR_RETURN(auto codes, Buffer::Allocate(static_cast<size_t>(total) * sizeof(int32_t)));
  std::shared_ptr<Buffer> validity;
  if (nulls > 0) {
    ASSIGN_OR_RETURN(validity, Buffer::Allocate(static_cast<size_t>(bit_util::BytesForBits(total))));
  }
  int32_t* out = codes->mutable_data_as<int32_t>();
  int64_t row = 0;
  for (size_t part = 0; part < columns.size(); ++part) {
    const Column& c = columns[part];
    const int32_t* in = c.dictionary_codes();
    const int32_t base = code_base[part];
    if (c.dictionary()->length() == 0) {
      // Every row is null with code 0; rebased, 0 could point past the end.
      std::memset(out + row, 0, static_cast<size_t>(c.length()) * sizeof(int32_t));
    } else {
      for (int64_t i = 0; i < c.length(); ++i) out[row + i] = in[i] + base;
    }
    if (validity) {
      if (c.validity_bits()) {
        bit_util::CopyBitmap(c.validity_bits(), c.offset(), c.length(), validity->mutable_data(), row);
      } else {
        for (int64_t i = 0; i < c.length(); ++i) bit_util::SetBit(validity->mutable_data(), row + i);
      }
    }
    row += c.length();
  }
  return Column::MakeDictionary(total, std::move(codes), std::move(dictionary), std::move(validity), nulls);
}

}  // namespace

Result<Column> ConcatenateColumns(const std::vector<Column>& columns) {
  if (columns.size() == 1) return columns[0];
  if (columns.empty()) return Status::InvalidArgument("nothing to concatenate");
  const Type type = columns[0].type();
  if (type == Type::kString) {
    bool all_dict = true, any_dict = false;
    for (const auto& c : columns) {
      if (c.type() != type) return Status::InvalidArgument("cannot concatenate columns of different types");
      all_dict &= c.is_dictionary();
      any_dict |= c.is_dictionary();
    }
    if (all_dict) return ConcatenateDictionaryColumns(columns);
    if (any_dict) {
      // Mixed (a Parquet chunk that fell back to PLAIN beside dictionary
      // chunks): decode to plain strings, the common representation.
      std::vector<Column> plain;
      plain.reserve(columns.size());
      for (const auto& c : columns) {
        ASSIGN_OR_RETURN(Column p, c.DecodeDictionary());
        plain.push_back(std::move(p));
      }
      return ConcatenateColumns(plain);
    }
  }
  int64_t total = 0, nulls = 0, string_bytes = 0;
  for (const auto& c : columns) {
    if (c.type() != type) return Status::InvalidArgument("cannot concatenate columns of different types");
    total += c.length();
    nulls += c.null_count();
    if (type == Type::kString && c.length() > 0) {
      string_bytes += c.string_offsets()[c.length()] - c.string_offsets()[0];
    }
  }
  if (string_bytes > INT32_MAX) return Status::InvalidArgument("string column exceeds 2 GiB");
  std::shared_ptr<Buffer> validity;
  if (nulls > 0) {
    ASSIGN_OR_RETURN(validity, Buffer::Allocate(static_cast<size_t>(bit_util::BytesForBits(total))));
  }
  std::shared_ptr<Buffer> values, data;
  int64_t row = 0;
  if (type == Type::kString) {
    ASSIGN_OR_RETURN(values, Buffer::Allocate(static_cast<size_t>(total + 1) * 4));
    ASSIGN_OR_RETURN(data, Buffer::Allocate(static_cast<size_t>(string_bytes)));
    int32_t* out_offsets = values->mutable_data_as<int32_t>();
    int32_t base = 0;
    out_offsets[0] = 0;
    for (const auto& c : columns) {
      const int32_t* offs = c.string_offsets();
      const int32_t first = c.length() > 0 ? offs[0] : 0;
      for (int64_t i = 0; i < c.length(); ++i) out_offsets[row + i + 1] = base + offs[i + 1] - first;
      const int32_t bytes = c.length() > 0 ? offs[c.length()] - first : 0;
      if (bytes > 0) std::memcpy(data->mutable_data() + base, c.string_data() + first, static_cast<size_t>(bytes));
      base += bytes;
      row += c.length();
    }
  } else if (type == Type::kBool) {
    ASSIGN_OR_RETURN(values, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(total))));
    for (const auto& c : columns) {
      bit_util::CopyBitmap(c.values_buffer()->data(), c.offset(), c.length(), values->mutable_data(), row);
      row += c.length();
    }
  } else {
    const int width = TypeByteWidth(type);
    ASSIGN_OR_RETURN(values, Buffer::Allocate(static_cast<size_t>(total * width)));
    for (const auto& c : columns) {
      std::memcpy(values->mutable_data() + row * width, c.values_buffer()->data() + c.offset() * width,
                  static_cast<size_t>(c.length() * width));
      row += c.length();
    }
  }
  if (validity) {
    row = 0;
    for (const auto& c : columns) {
      if (c.validity_bits()) {
        bit_util::CopyBitmap(c.validity_bits(), c.offset(), c.length(), validity->mutable_data(), row);
      } else {
        for (int64_t i = 0; i < c.length(); ++i) bit_util::SetBit(validity->mutable_data(), row + i);
      }
      row += c.length();
    }
  }
  if (type == Type::kString) return Column::MakeString(total, values, data, validity, nulls);
  return Column(type, total, values, validity, nulls);
}

Result<RecordBatch> Table::Concatenate() const {
  if (batches_.size() == 1) return batches_[0];
  std::vector<Column> cols;
  for (int col_idx = 0; col_idx < schema_->num_fields(); ++col_idx) {
    std::vector<Column> parts;
    for (const auto& b : batches_) parts.push_back(b.column(col_idx));
    if (parts.empty()) {
      ASSIGN_OR_RETURN(auto empty, Column::MakeNull(schema_->field(col_idx).type, 0));
      cols.push_back(std::move(empty));
      continue;
    }
    ASSIGN_OR_RETURN(auto col, ConcatenateColumns(parts));
    cols.push_back(std::move(col));
  }
  return RecordBatch::Make(schema_, std::move(cols));
}

bool Table::Equals(const Table& other) const {
  if (!(*schema_ == *other.schema_) || num_rows_ != other.num_rows_) return false;
  auto a = Concatenate();
  auto b = other.Concatenate();
  if (!a.ok() || !b.ok()) return false;
  for (int i = 0; i < a->num_columns(); ++i) {
    if (!a->column(i).Equals(b->column(i))) return false;
  }
  return true;
}

Result<Table> ReadAll(BatchReader* reader) {
  Table table(reader->schema());
  while (true) {
    ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    RETURN_NOT_OK(table.Append(std::move(*batch)));
  }
  return table;
}

}  // namespace edgepipe
