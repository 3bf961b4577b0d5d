#include "csv/converter.h"

#include <algorithm>
#include <cstring>

#include "csv/timestamp.h"
#include "csv/value_parser.h"
#include "edgepipe/core/bit_util.h"

namespace edgepipe::csv {
namespace {

// Value parsers with one signature: (begin, end, out) -> ok.
struct Int64Parser {
  [[gnu::always_inline]] bool operator()(const char* p, const char* e, const char*, int64_t* v) const { return ParseInt64(p, e, v); }
};
struct Int32Parser {
  [[gnu::always_inline]] bool operator()(const char* p, const char* e, const char*, int32_t* v) const {
    int64_t wide;
    if (!ParseInt64(p, e, &wide) || wide < INT32_MIN || wide > INT32_MAX) return false;
    *v = static_cast<int32_t>(wide);
    return true;
  }
};
struct Float64Parser {
  [[gnu::always_inline]] bool operator()(const char* p, const char* e, const char* limit, double* v) const {
    return ParseDouble(p, e, limit, v);
  }
};
struct Float32Parser {
  bool operator()(const char* p, const char* e, const char*, float* v) const { return ParseFloat(p, e, v); }
};
struct TimestampParser {
  bool strict;
  bool operator()(const char* p, const char* e, const char*, int64_t* v) const {
    // ISO dates have '-' at index 4; an integer never does.
    if (e - p >= 10 && p[4] == '-') return ParseIsoTimestamp(p, e, v);
    return !strict && ParseInt64(p, e, v);
  }
};
struct BoolParser {
  bool strict;
  bool operator()(const char* p, const char* e, const char*, bool* v) const { return ParseBool(p, e, !strict, v); }
};

int TypeRank(Type type) {
  switch (type) {
    case Type::kBool: return 0;
    case Type::kInt32:
    case Type::kInt64: return 1;
    case Type::kFloat32:
    case Type::kFloat64: return 2;
    case Type::kTimestamp: return 3;
    case Type::kString: return 4;
  }
  return 4;
}

bool ParsesAs(std::string_view text, Type type, bool strict) {
  const char* p = text.data();
  const char* e = p + text.size();
  switch (type) {
    case Type::kBool: {
      bool v;
      return BoolParser{strict}(p, e, e, &v);
    }
    case Type::kInt32: {
      int32_t v;
      return Int32Parser{}(p, e, e, &v);
    }
    case Type::kInt64: {
      int64_t v;
      return Int64Parser{}(p, e, e, &v);
    }
    case Type::kFloat32: {
      float v;
      return Float32Parser{}(p, e, e, &v);
    }
    case Type::kFloat64: {
      double v;
      return Float64Parser{}(p, e, e, &v);
    }
    case Type::kTimestamp: {
      int64_t v;
      return TimestampParser{strict}(p, e, e, &v);
    }
    case Type::kString: return true;
  }
  return false;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view SchemaTypeName(Type type) {
  switch (type) {
    case Type::kBool: return "bool";
    case Type::kInt32: return "int32";
    case Type::kInt64: return "int64";
    case Type::kFloat32: return "float32";
    case Type::kFloat64: return "float64";
    case Type::kString: return "string";
    case Type::kTimestamp: return "timestamp";
  }
  return "string";
}

Type WiderTypeFor(std::string_view text, Type type) {
  const int rank = TypeRank(type);
  for (Type candidate : {Type::kBool, Type::kInt64, Type::kFloat64, Type::kTimestamp}) {
    if (TypeRank(candidate) > rank && ParsesAs(TrimSpaces(text), candidate, /*strict=*/true)) return candidate;
  }
  return Type::kString;
}

NullValues::NullValues(const std::vector<std::string>& values) : values_(values) {
  for (const auto& v : values_) length_mask_ |= uint64_t{1} << std::min<size_t>(v.size(), 63);
}

void ConvertContext::Prepare() {
  nulls_first = false;
  if (type == Type::kString || nulls == nullptr) return;
  for (const auto& v : nulls->values()) {
    if (ParsesAs(v, type, inferring)) nulls_first = true;
  }
}

// ---------------------------------------------------------------- buffers

Status ColumnAccumulator::Reserve(int64_t rows) {
  if (values_ != nullptr && rows <= capacity_) return Status::OK();
  const Type type = context_->type;
  size_t bytes;
  if (type == Type::kBool) {
    bytes = static_cast<size_t>(bit_util::BytesForBits(rows));
  } else if (type == Type::kString) {
    bytes = static_cast<size_t>(rows + 1) * sizeof(int32_t);
  } else {
    bytes = static_cast<size_t>(rows) * static_cast<size_t>(TypeByteWidth(type));
  }
  if (values_ == nullptr) {
    ASSIGN_OR_RETURN(values_, Buffer::Allocate(0));
    if (type == Type::kString) {
      ASSIGN_OR_RETURN(data_, Buffer::Allocate(0));
    }
  }
  const size_t old_size = values_->size();
  RETURN_NOT_OK(values_->Reserve(bytes));
  RETURN_NOT_OK(values_->Resize(bytes));
  if (type == Type::kBool) {
    std::memset(values_->mutable_data() + old_size, 0, bytes - old_size);  // bits are OR-ed in
  } else if (type == Type::kString && old_size == 0) {
    values_->mutable_data_as<int32_t>()[0] = 0;
  }
  if (validity_ != nullptr) {
    const size_t old_bits = validity_->size();
    const auto bits = static_cast<size_t>(bit_util::BytesForBits(rows));
    RETURN_NOT_OK(validity_->Resize(bits));
    std::memset(validity_->mutable_data() + old_bits, 0xFF, bits - old_bits);
  }
  capacity_ = rows;
  return Status::OK();
}

Status ColumnAccumulator::Grow(int64_t rows) {
  if (values_ != nullptr && length_ + rows <= capacity_) return Status::OK();
  return Reserve(std::max(length_ + rows, capacity_ + capacity_ / 2));
}

Status ColumnAccumulator::MarkNull(int64_t index) {
  if (validity_ == nullptr) {
    const auto bytes = static_cast<size_t>(bit_util::BytesForBits(capacity_));
    ASSIGN_OR_RETURN(validity_, Buffer::Allocate(bytes));
    std::memset(validity_->mutable_data(), 0xFF, bytes);
  }
  bit_util::ClearBit(validity_->mutable_data(), index);
  ++null_count_;
  return Status::OK();
}

Result<Column> ColumnAccumulator::Finish() {
  if (values_ == nullptr) RETURN_NOT_OK(Reserve(0));
  std::shared_ptr<Buffer> validity = null_count_ > 0 ? std::move(validity_) : nullptr;
  Column col;
  if (context_->type == Type::kString) {
    RETURN_NOT_OK(data_->Resize(data_size_));
    col = Column::MakeString(length_, std::move(values_), std::move(data_), std::move(validity), null_count_);
  } else {
    col = Column(context_->type, length_, std::move(values_), std::move(validity), null_count_);
  }
  length_ = capacity_ = null_count_ = 0;
  validity_.reset();
  data_size_ = 0;
  return col;
}

// ---------------------------------------------------------------- errors

Status ColumnAccumulator::ValueError(const FieldBatch& batch, int64_t row, std::string_view text,
                                     std::string_view reason) const {
  const ConvertContext& ctx = *context_;
  if (ctx.inferring) return Status::InvalidArgument("does not fit");
  std::string what = "column '" + ctx.column_name + "': cannot parse " + internal::Snippet(text) + " as " +
                     std::string(SchemaTypeName(ctx.type));
  if (!reason.empty()) what += ": " + std::string(reason);
  if (ctx.inferred) {
    const Type wider = WiderTypeFor(text, ctx.type);
    what += " (the type was inferred from the first " + std::to_string(ctx.inferred_from_rows) +
            " rows); pass --schema " + ctx.column_name + ":" + std::string(SchemaTypeName(wider)) +
            " (CsvReadOptions::column_types) to read it";
  } else {
    what += " (the type was given in --schema); fix the value or change the column's type";
  }
  return internal::CorruptionAt(*ctx.source, batch.row_offsets()[row], what);
}

template <typename T, typename Parse>
Status ColumnAccumulator::OnBadValue(const FieldBatch& batch, int64_t row, int col, int64_t index, Parse parse,
                                     T* value) {
  const std::string_view text = batch.Field(row, col);
  if (text.empty() || context_->nulls->Matches(text)) {
    *value = T{};
    return MarkNull(index);
  }
  const std::string_view trimmed = TrimSpaces(text);
  if (trimmed.size() != text.size()) {
    if (trimmed.empty() || context_->nulls->Matches(trimmed)) {
      *value = T{};
      return MarkNull(index);
    }
    if (parse(trimmed.data(), trimmed.data() + trimmed.size(), trimmed.data() + trimmed.size(), value)) {
      return Status::OK();
    }
  }
  if (context_->type == Type::kInt32) {
    int64_t wide;
    if (ParseInt64(trimmed.data(), trimmed.data() + trimmed.size(), &wide)) {
      return ValueError(batch, row, text, "out of range for int32; use int64");
    }
  }
  return ValueError(batch, row, text, {});
}

// ---------------------------------------------------------------- loops

template <typename T, bool kNullsFirst, typename Parse>
Status ColumnAccumulator::AppendFixed(const FieldBatch& batch, int col, Parse parse) {
  const int64_t rows = batch.num_rows();
  const int stride = batch.num_cols();
  const uint8_t* base = batch.base();
  const uint32_t* ends = batch.ends() + col;
  const char* limit = reinterpret_cast<const char*>(batch.limit());
  T* out = values_->mutable_data_as<T>() + length_;
  for (int64_t row = 0; row < rows; ++row) {
    const std::string_view text = FieldBatch::FieldText(base, ends[row * stride - 1], ends[row * stride]);
    T value;
    bool ok;
    if constexpr (kNullsFirst) {
      ok = !context_->nulls->Matches(text) && parse(text.data(), text.data() + text.size(), limit, &value);
    } else {
      ok = parse(text.data(), text.data() + text.size(), limit, &value);
    }
    if (!ok) [[unlikely]] {
      RETURN_NOT_OK(OnBadValue(batch, row, col, length_ + row, parse, &value));
    }
    out[row] = value;
  }
  length_ += rows;
  return Status::OK();
}

template <bool kNullsFirst>
Status ColumnAccumulator::AppendBool(const FieldBatch& batch, int col) {
  const int64_t rows = batch.num_rows();
  const int stride = batch.num_cols();
  const uint8_t* base = batch.base();
  const uint32_t* ends = batch.ends() + col;
  uint8_t* bits = values_->mutable_data();
  const char* limit = reinterpret_cast<const char*>(batch.limit());
  const BoolParser parse{context_->inferring};
  for (int64_t row = 0; row < rows; ++row) {
    const std::string_view text = FieldBatch::FieldText(base, ends[row * stride - 1], ends[row * stride]);
    bool value;
    bool ok;
    if constexpr (kNullsFirst) {
      ok = !context_->nulls->Matches(text) && parse(text.data(), text.data() + text.size(), limit, &value);
    } else {
      ok = parse(text.data(), text.data() + text.size(), limit, &value);
    }
    if (!ok) [[unlikely]] {
      RETURN_NOT_OK(OnBadValue(batch, row, col, length_ + row, parse, &value));
    }
    if (value) bit_util::SetBit(bits, length_ + row);
  }
  length_ += rows;
  return Status::OK();
}

Status ColumnAccumulator::AppendString(const FieldBatch& batch, int col) {
  const int64_t rows = batch.num_rows();
  if (rows == 0) return Status::OK();
  const int stride = batch.num_cols();
  const uint8_t* base = batch.base();
  const uint32_t* ends = batch.ends() + col;
  // The batch's fields lie within [ends[-1], ends[last]) of base: an upper
  // bound on the bytes this column adds.
  const size_t span = (batch.ends()[rows * stride - 1] & FieldBatch::kPosMask);
  if (data_size_ + span > static_cast<size_t>(INT32_MAX)) {
    return Status::NotSupported(context_->source->name + ": column '" + context_->column_name +
                                "' holds more than 2 GiB of text in one block; use a smaller block_size");
  }
  if (data_->capacity() < data_size_ + span) {
    // Buffer::Reserve keeps size() bytes: publish the bytes written so far.
    RETURN_NOT_OK(data_->Resize(data_size_));
    RETURN_NOT_OK(data_->Reserve(std::max(data_size_ + span, data_->capacity() + data_->capacity() / 2)));
  }
  uint8_t* data = data_->mutable_data();
  int32_t* offsets = values_->mutable_data_as<int32_t>() + length_;
  const NullValues& nulls = *context_->nulls;
  auto size = static_cast<int32_t>(data_size_);
  for (int64_t row = 0; row < rows; ++row) {
    const uint32_t end = ends[row * stride];
    const std::string_view text = FieldBatch::FieldText(base, ends[row * stride - 1], end);
    // Quoted fields are never null: "" is the empty string.
    if ((end & FieldBatch::kQuotedBit) == 0 && (text.empty() || nulls.Matches(text))) [[unlikely]] {
      RETURN_NOT_OK(MarkNull(length_ + row));
    } else {
      std::memcpy(data + size, text.data(), text.size());
      size += static_cast<int32_t>(text.size());
    }
    offsets[row + 1] = size;
  }
  data_size_ = static_cast<size_t>(size);
  length_ += rows;
  return Status::OK();
}

template <bool kNullsFirst>
Status ColumnAccumulator::AppendTyped(const FieldBatch& batch, int col) {
  switch (context_->type) {
    case Type::kBool: return AppendBool<kNullsFirst>(batch, col);
    case Type::kInt32: return AppendFixed<int32_t, kNullsFirst>(batch, col, Int32Parser{});
    case Type::kInt64: return AppendFixed<int64_t, kNullsFirst>(batch, col, Int64Parser{});
    case Type::kFloat32: return AppendFixed<float, kNullsFirst>(batch, col, Float32Parser{});
    case Type::kFloat64: return AppendFixed<double, kNullsFirst>(batch, col, Float64Parser{});
    case Type::kTimestamp:
      return AppendFixed<int64_t, kNullsFirst>(batch, col, TimestampParser{context_->inferring});
    case Type::kString: return AppendString(batch, col);
  }
  return Status::Internal("unknown type");
}

Status ColumnAccumulator::Append(const FieldBatch& batch, int col) {
  RETURN_NOT_OK(Grow(batch.num_rows()));
  return context_->nulls_first ? AppendTyped<true>(batch, col) : AppendTyped<false>(batch, col);
}

}  // namespace edgepipe::csv
