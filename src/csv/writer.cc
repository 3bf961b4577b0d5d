#include "edgepipe/csv/writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "csv/timestamp.h"
#include "edgepipe/core/atomic_file.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::csv {
namespace {

// Longest text of one value, per type (strings are sized from their bytes).
size_t MaxValueBytes(Type type, TimestampFormat ts_format) {
  switch (type) {
    case Type::kBool: return 5;                 // false
    case Type::kInt32: return 11;               // -2147483648
    case Type::kInt64: return 20;               // -9223372036854775808
    case Type::kFloat32: return 24;             // shortest float32 <= 15, + ".0"
    case Type::kFloat64: return 32;             // shortest double <= 24, + ".0"
    case Type::kTimestamp: return ts_format == TimestampFormat::kIso8601 ? kIsoTimestampLength : 20;
    case Type::kString: return 2;               // the quotes; bytes counted apart
  }
  return 32;
}

// Text the reader would read as null if unquoted (CsvReadOptions defaults).
bool LooksNull(const char* p, size_t n) {
  switch (n) {
    case 2: return std::memcmp(p, "NA", 2) == 0;
    case 3: return std::memcmp(p, "N/A", 3) == 0;
    case 4: return std::memcmp(p, "null", 4) == 0 || std::memcmp(p, "NULL", 4) == 0;
    default: return false;
  }
}

// Bytes of the strings in rows [begin, end) (null rows count their slot).
size_t StringBytes(const Column& col, int64_t begin, int64_t end) {
  if (!col.is_dictionary()) {
    const int32_t* offs = col.string_offsets();
    return static_cast<size_t>(offs[end] - offs[begin]);
  }
  const Column& dict = *col.dictionary();
  // Null rows may hold code 0 of an empty dictionary; nothing to look up then.
  if (dict.length() == 0) return 0;
  const int32_t* codes = col.dictionary_codes();
  const int32_t* dict_offs = dict.string_offsets();
  size_t bytes = 0;
  for (int64_t row = begin; row < end; ++row) {
    bytes += static_cast<size_t>(dict_offs[codes[row] + 1] - dict_offs[codes[row]]);
  }
  return bytes;
}

class Formatter {
 public:
  explicit Formatter(const CsvWriteOptions& options) : options_(options) {
    special_.fill(false);
    special_[static_cast<uint8_t>(options.delimiter)] = true;
    special_[static_cast<uint8_t>(options.quote)] = true;
    special_['\n'] = true;
    special_['\r'] = true;
  }

  // Writes a string field, quoted if needed; returns the end.
  char* String(char* out, const char* p, size_t n) const {
    bool quote = n == 0 || LooksNull(p, n);
    for (size_t i = 0; i < n && !quote; ++i) quote = special_[static_cast<uint8_t>(p[i])];
    if (!quote) {
      std::memcpy(out, p, n);
      return out + n;
    }
    *out++ = options_.quote;
    for (size_t i = 0; i < n; ++i) {
      if (p[i] == options_.quote) *out++ = options_.quote;
      *out++ = p[i];
    }
    *out++ = options_.quote;
    return out;
  }

  template <typename T>
  static char* Float(char* out, T v) {
    if (std::isnan(v)) {
      std::memcpy(out, "NaN", 3);
      return out + 3;
    }
    if (std::isinf(v)) {
      if (v < 0) *out++ = '-';
      std::memcpy(out, "inf", 3);
      return out + 3;
    }
    char* end = std::to_chars(out, out + 30, v).ptr;
    // Keep a '.' or an exponent so that inference reads a float back.
    bool has_mark = false;
    for (char* p = out; p != end; ++p) has_mark |= (*p == '.' || *p == 'e');
    if (!has_mark) {
      end[0] = '.';
      end[1] = '0';
      end += 2;
    }
    return end;
  }

  char* Value(char* out, const Column& col, int64_t row) const {
    switch (col.type()) {
      case Type::kBool:
        if (col.GetBool(row)) {
          std::memcpy(out, "true", 4);
          return out + 4;
        }
        std::memcpy(out, "false", 5);
        return out + 5;
      case Type::kInt32: return std::to_chars(out, out + 12, col.values<int32_t>()[row]).ptr;
      case Type::kInt64: return std::to_chars(out, out + 21, col.values<int64_t>()[row]).ptr;
      case Type::kFloat32: return Float(out, col.values<float>()[row]);
      case Type::kFloat64: return Float(out, col.values<double>()[row]);
      case Type::kTimestamp:
        if (options_.timestamp_format == TimestampFormat::kIso8601) {
          return out + FormatIsoTimestamp(col.values<int64_t>()[row], out);
        }
        return std::to_chars(out, out + 21, col.values<int64_t>()[row]).ptr;
      case Type::kString: {
        const std::string_view s = col.GetString(row);
        return String(out, s.data(), s.size());
      }
    }
    return out;
  }

  // Formats rows [begin, end) of batch into *buffer; returns the byte count.
  size_t Rows(const RecordBatch& batch, int64_t begin, int64_t end, std::vector<char>* buffer) const {
    const int num_cols = batch.num_columns();
    size_t bound = 0;
    for (int c = 0; c < num_cols; ++c) {
      const Column& col = batch.column(c);
      bound += static_cast<size_t>(end - begin) * (MaxValueBytes(col.type(), options_.timestamp_format) + 1);
      if (col.type() == Type::kString && end > begin) bound += 2 * StringBytes(col, begin, end);
    }
    bound += static_cast<size_t>(end - begin) + 1;
    if (buffer->size() < bound) buffer->resize(bound);
    char* const start = buffer->data();
    char* out = start;
    for (int64_t row = begin; row < end; ++row) {
      for (int c = 0; c < num_cols; ++c) {
        if (c > 0) *out++ = options_.delimiter;
        const Column& col = batch.column(c);
        if (col.IsValid(row)) out = Value(out, col, row);
      }
      *out++ = '\n';
    }
    return static_cast<size_t>(out - start);
  }

 private:
  const CsvWriteOptions& options_;
  std::array<bool, 256> special_;
};

}  // namespace

CsvWriter::CsvWriter(std::unique_ptr<AtomicFile> file, std::shared_ptr<const Schema> schema,
                     const CsvWriteOptions& options)
    : file_(std::move(file)), schema_(std::move(schema)), options_(options) {}

CsvWriter::~CsvWriter() = default;

Result<std::unique_ptr<CsvWriter>> CsvWriter::Open(const std::string& path, std::shared_ptr<const Schema> schema,
                                                   const CsvWriteOptions& options) {
  RETURN_NOT_OK(options.Validate());
  if (schema == nullptr) return Status::InvalidArgument("CsvWriter: null schema");
  ASSIGN_OR_RETURN(auto file, AtomicFile::Open(path));
  return std::unique_ptr<CsvWriter>(new CsvWriter(std::move(file), std::move(schema), options));
}

Status CsvWriter::WriteHeader() {
  header_written_ = true;
  if (!options_.header) return Status::OK();
  const Formatter fmt(options_);
  std::string line;
  for (int i = 0; i < schema_->num_fields(); ++i) {
    const std::string& name = schema_->field(i).name;
    std::vector<char> buf(2 * name.size() + 3);
    if (i > 0) line += options_.delimiter;
    char* end = fmt.String(buf.data(), name.data(), name.size());
    line.append(buf.data(), static_cast<size_t>(end - buf.data()));
  }
  line += '\n';
  return file_->Write(line);
}

Status CsvWriter::WriteBatch(const RecordBatch& batch) {
  if (closed_) return Status::InvalidArgument(file_->path() + ": write after Close()");
  if (!(*batch.schema() == *schema_)) {
    return Status::InvalidArgument(file_->path() + ": batch schema differs from the writer's:\n" +
                                   batch.schema()->ToString() + "vs\n" + schema_->ToString());
  }
  if (!header_written_) RETURN_NOT_OK(WriteHeader());
  const int64_t rows = batch.num_rows();
  if (rows == 0) return Status::OK();
  const Formatter fmt(options_);
  const int64_t per_task = options_.rows_per_task;
  const int64_t num_tasks = (rows + per_task - 1) / per_task;
  // Rounds of 2 x threads tasks bound the formatted text held at once.
  const int64_t round = std::max(2, 2 * GetNumThreads());
  std::vector<std::vector<char>> buffers(static_cast<size_t>(std::min(round, num_tasks)));
  std::vector<size_t> sizes(buffers.size());
  for (int64_t first = 0; first < num_tasks; first += round) {
    const int64_t count = std::min(round, num_tasks - first);
    ParallelFor(count, [&](int64_t i) {
      const int64_t begin = (first + i) * per_task;
      sizes[i] = fmt.Rows(batch, begin, std::min(rows, begin + per_task), &buffers[i]);
    });
    for (int64_t i = 0; i < count; ++i) RETURN_NOT_OK(file_->Write(buffers[i].data(), sizes[i]));
  }
  rows_written_ += rows;
  return Status::OK();
}

Status CsvWriter::WriteTable(const Table& table) {
  for (const auto& batch : table.batches()) RETURN_NOT_OK(WriteBatch(batch));
  return Status::OK();
}

Status CsvWriter::Close() {
  if (closed_) return Status::OK();
  if (!header_written_) RETURN_NOT_OK(WriteHeader());
  closed_ = true;
  return file_->Commit();
}

Status WriteCsv(const std::string& path, const Table& table, const CsvWriteOptions& options) {
  ASSIGN_OR_RETURN(auto writer, CsvWriter::Open(path, table.schema(), options));
  RETURN_NOT_OK(writer->WriteTable(table));
  return writer->Close();
}

}  // namespace edgepipe::csv
