#include "edgepipe/core/column.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

namespace edgepipe {

Column::Column(Type type, int64_t length, std::shared_ptr<Buffer> values, std::shared_ptr<Buffer> validity,
               int64_t null_count, int64_t offset)
    : type_(type), length_(length), offset_(offset), validity_(std::move(validity)), values_(std::move(values)) {
  if (validity_ == nullptr) {
    null_count_ = 0;
  } else if (null_count >= 0) {
    null_count_ = null_count;
  } else {
    null_count_ = length_ - bit_util::CountSetBits(validity_->data(), offset_, length_);
  }
}

Column Column::MakeString(int64_t length, std::shared_ptr<Buffer> offsets, std::shared_ptr<Buffer> data,
                          std::shared_ptr<Buffer> validity, int64_t null_count, int64_t offset) {
  Column col(Type::kString, length, std::move(offsets), std::move(validity), null_count, offset);
  col.data_ = std::move(data);
  return col;
}

Result<Column> Column::MakeNull(Type type, int64_t length) {
  ASSIGN_OR_RETURN(auto validity, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(length))));
  int64_t value_bytes;
  if (type == Type::kString) {
    value_bytes = (length + 1) * 4;
  } else if (type == Type::kBool) {
    value_bytes = bit_util::BytesForBits(length);
  } else {
    value_bytes = length * TypeByteWidth(type);
  }
  ASSIGN_OR_RETURN(auto values, Buffer::AllocateZeroed(static_cast<size_t>(value_bytes)));
  if (type == Type::kString) {
    ASSIGN_OR_RETURN(auto data, Buffer::Allocate(0));
    return MakeString(length, std::move(values), std::move(data), std::move(validity), length);
  }
  return Column(type, length, std::move(values), std::move(validity), length);
}

Result<Column> Column::MakeDictionary(int64_t length, std::shared_ptr<Buffer> codes,
                                      std::shared_ptr<const Column> dictionary, std::shared_ptr<Buffer> validity,
                                      int64_t null_count, int64_t offset) {
  if (dictionary == nullptr || dictionary->type() != Type::kString || dictionary->is_dictionary()) {
    return Status::InvalidArgument("dictionary column: the dictionary must be a plain string column");
  }
  if (length < 0 || offset < 0 || codes == nullptr ||
      codes->size() < static_cast<size_t>(offset + length) * sizeof(int32_t)) {
    return Status::InvalidArgument("dictionary column: codes buffer holds fewer than offset + length int32 codes");
  }
  if (validity != nullptr && validity->size() < static_cast<size_t>(bit_util::BytesForBits(offset + length))) {
    return Status::InvalidArgument("dictionary column: validity buffer shorter than offset + length bits");
  }
  Column col(Type::kString, length, std::move(codes), std::move(validity), null_count, offset);
  // One unsigned compare per code catches negatives too; the OR-reduction
  // keeps the loop branch-free so it vectorizes.
  const uint32_t dict_len = static_cast<uint32_t>(std::min<int64_t>(dictionary->length(), INT32_MAX));
  const int32_t* c = col.values_->data_as<int32_t>() + offset;
  const uint8_t* valid = col.validity_bits();
  int64_t bad = -1;
  if (valid == nullptr) {
    bool any_bad = false;
    for (int64_t i = 0; i < length; ++i) any_bad |= static_cast<uint32_t>(c[i]) >= dict_len;
    if (any_bad) {
      for (int64_t i = 0; i < length && bad < 0; ++i) {
        if (static_cast<uint32_t>(c[i]) >= dict_len) bad = i;
      }
    }
  } else {
    // Null rows may hold code 0 even when the dictionary is empty.
    for (int64_t i = 0; i < length && bad < 0; ++i) {
      if (static_cast<uint32_t>(c[i]) >= dict_len && (c[i] != 0 || bit_util::GetBit(valid, offset + i))) bad = i;
    }
  }
  if (bad >= 0) {
    return Status::InvalidArgument("dictionary column: row " + std::to_string(bad) + " has code " +
                                   std::to_string(c[bad]) + ", dictionary has " +
                                   std::to_string(dictionary->length()) + " entries");
  }
  col.dictionary_ = std::move(dictionary);
  return col;
}

Result<Column> Column::DecodeDictionary() const {
  if (dictionary_ == nullptr) return *this;
  const Column& dict = *dictionary_;
  const int32_t* codes = dictionary_codes();
  const int32_t* dict_offs = dict.string_offsets();
  const uint8_t* dict_data = dict.string_data();
  // Sizing pass: exact byte count, so one allocation and no growth checks.
  int64_t total = 0;
  const uint8_t* valid = validity_bits();
  for (int64_t i = 0; i < length_; ++i) {
    if (valid != nullptr && !bit_util::GetBit(valid, offset_ + i)) continue;
    const int32_t c = codes[i];
    total += dict_offs[c + 1] - dict_offs[c];
  }
  if (total > INT32_MAX) {
    return Status::InvalidArgument("decoding dictionary column: string bytes exceed 2 GiB in one batch");
  }
  ASSIGN_OR_RETURN(auto offsets, Buffer::Allocate(static_cast<size_t>(length_ + 1) * sizeof(int32_t)));
  ASSIGN_OR_RETURN(auto data, Buffer::Allocate(static_cast<size_t>(total)));
  int32_t* out_offs = offsets->mutable_data_as<int32_t>();
  uint8_t* out = data->mutable_data();
  int32_t pos = 0;
  out_offs[0] = 0;
  for (int64_t i = 0; i < length_; ++i) {
    if (valid == nullptr || bit_util::GetBit(valid, offset_ + i)) {
      const int32_t c = codes[i];
      const int32_t n = dict_offs[c + 1] - dict_offs[c];
      if (n > 0) std::memcpy(out + pos, dict_data + dict_offs[c], static_cast<size_t>(n));
      pos += n;
    }
    out_offs[i + 1] = pos;
  }
  // Validity is shared; its bits stay at offset_, so rebase only if needed.
  std::shared_ptr<Buffer> validity = validity_;
  if (validity != nullptr && offset_ != 0) {
    ASSIGN_OR_RETURN(validity, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(length_))));
    bit_util::CopyBitmap(validity_->data(), offset_, length_, validity->mutable_data(), 0);
  }
  return MakeString(length_, std::move(offsets), std::move(data), std::move(validity), null_count_);
}

Column Column::Slice(int64_t offset, int64_t length) const {
  Column out = *this;
  offset = std::clamp<int64_t>(offset, 0, length_);
  length = std::clamp<int64_t>(length, 0, length_ - offset);
  out.offset_ = offset_ + offset;
  out.length_ = length;
  out.null_count_ =
      validity_ ? length - bit_util::CountSetBits(validity_->data(), out.offset_, length) : 0;
  return out;
}

namespace {

template <typename T>
bool SameBits(const Column& a, const Column& b, int64_t i) {
  return std::memcmp(a.values<T>() + i, b.values<T>() + i, sizeof(T)) == 0;
}

}  // namespace

bool Column::Equals(const Column& other) const {
  if (type_ != other.type_ || length_ != other.length_ || null_count_ != other.null_count_) return false;
  for (int64_t i = 0; i < length_; ++i) {
    const bool valid = IsValid(i);
    if (valid != other.IsValid(i)) return false;
    if (!valid) continue;
    bool same = true;
    switch (type_) {
      case Type::kBool: same = GetBool(i) == other.GetBool(i); break;
      case Type::kInt32:
      case Type::kFloat32: same = SameBits<int32_t>(*this, other, i); break;
      case Type::kInt64:
      case Type::kFloat64:
      case Type::kTimestamp: same = SameBits<int64_t>(*this, other, i); break;
      case Type::kString: same = GetString(i) == other.GetString(i); break;
    }
    if (!same) return false;
  }
  return true;
}

std::string Column::ValueToString(int64_t i) const {
  if (IsNull(i)) return "null";
  char buf[64];
  std::to_chars_result res{buf, {}};
  switch (type_) {
    case Type::kBool: return GetBool(i) ? "true" : "false";
    case Type::kInt32: res = std::to_chars(buf, buf + sizeof(buf), values<int32_t>()[i]); break;
    case Type::kInt64:
    case Type::kTimestamp: res = std::to_chars(buf, buf + sizeof(buf), values<int64_t>()[i]); break;
    case Type::kFloat32: res = std::to_chars(buf, buf + sizeof(buf), values<float>()[i]); break;
    case Type::kFloat64: res = std::to_chars(buf, buf + sizeof(buf), values<double>()[i]); break;
    case Type::kString: return std::string(GetString(i));
  }
  return std::string(buf, res.ptr);
}

// ---------------------------------------------------------------- builder

Status ColumnBuilder::Reserve(int64_t additional, int64_t additional_string_bytes) {
  const int64_t needed = length_ + additional;
  if (values_ == nullptr || needed > capacity_) {
    const int64_t new_capacity = std::max<int64_t>({needed, capacity_ + capacity_ / 2, 64});
    size_t value_bytes;
    if (type_ == Type::kBool) {
      value_bytes = static_cast<size_t>(bit_util::BytesForBits(new_capacity));
    } else if (type_ == Type::kString) {
      value_bytes = static_cast<size_t>(new_capacity + 1) * 4;
    } else {
      value_bytes = static_cast<size_t>(new_capacity * TypeByteWidth(type_));
    }
    if (values_ == nullptr) {
      ASSIGN_OR_RETURN(values_, Buffer::AllocateZeroed(value_bytes));
      if (type_ == Type::kString) {
        ASSIGN_OR_RETURN(data_, Buffer::Allocate(0));
      }
    } else {
      const size_t old = values_->size();
      RETURN_NOT_OK(values_->Resize(value_bytes));
      // Zero new space: bools are set bit by bit and nulls leave zero slots.
      std::memset(values_->mutable_data() + old, 0, value_bytes - old);
    }
    if (validity_ != nullptr) {
      const size_t old = validity_->size();
      const size_t bytes = static_cast<size_t>(bit_util::BytesForBits(new_capacity));
      RETURN_NOT_OK(validity_->Resize(bytes));
      std::memset(validity_->mutable_data() + old, 0, bytes - old);
    }
    capacity_ = new_capacity;
  }
  if (type_ == Type::kString && additional_string_bytes > 0) {
    const size_t used = static_cast<size_t>(values_->data_as<int32_t>()[length_]);
    RETURN_NOT_OK(data_->Reserve(used + static_cast<size_t>(additional_string_bytes)));
  }
  return Status::OK();
}

Status ColumnBuilder::EnsureValidity() {
  if (validity_ != nullptr) return Status::OK();
  const size_t bytes = static_cast<size_t>(bit_util::BytesForBits(capacity_));
  ASSIGN_OR_RETURN(validity_, Buffer::AllocateZeroed(bytes));
  for (int64_t i = 0; i < length_; ++i) bit_util::SetBit(validity_->mutable_data(), i);
  return Status::OK();
}

Status ColumnBuilder::AppendString(std::string_view value) {
  RETURN_NOT_OK(Reserve(1));
  int32_t* offsets = values_->mutable_data_as<int32_t>();
  const int64_t start = offsets[length_];
  const int64_t end = start + static_cast<int64_t>(value.size());
  if (end > INT32_MAX) {
    return Status::InvalidArgument("string column exceeds 2 GiB in one batch");
  }
  if (static_cast<size_t>(end) > data_->capacity()) {
    RETURN_NOT_OK(data_->Reserve(std::max<size_t>(static_cast<size_t>(end), data_->capacity() * 2)));
  }
  RETURN_NOT_OK(data_->Resize(static_cast<size_t>(end)));
  if (!value.empty()) std::memcpy(data_->mutable_data() + start, value.data(), value.size());
  offsets = values_->mutable_data_as<int32_t>();
  offsets[length_ + 1] = static_cast<int32_t>(end);
  if (validity_) bit_util::SetBit(validity_->mutable_data(), length_);
  ++length_;
  return Status::OK();
}

Status ColumnBuilder::AppendNull() {
  RETURN_NOT_OK(Reserve(1));
  RETURN_NOT_OK(EnsureValidity());
  if (type_ == Type::kString) {
    int32_t* offsets = values_->mutable_data_as<int32_t>();
    offsets[length_ + 1] = offsets[length_];
  }
  // The value slot stays zero (buffers are zero-filled on growth).
  ++length_;
  ++null_count_;
  return Status::OK();
}

Result<Column> ColumnBuilder::Finish() {
  if (values_ == nullptr) RETURN_NOT_OK(Reserve(0));
  Column col = type_ == Type::kString
                   ? Column::MakeString(length_, std::move(values_), std::move(data_), std::move(validity_),
                                        null_count_)
                   : Column(type_, length_, std::move(values_), std::move(validity_), null_count_);
  *this = ColumnBuilder(type_);
  return col;
}

}  // namespace edgepipe

namespace edgepipe {

Result<Column> DictionaryColumnFromVector(const std::vector<int32_t>& codes, std::shared_ptr<const Column> dictionary,
                                          const std::vector<bool>& valid) {
  const auto n = static_cast<int64_t>(codes.size());
  if (!valid.empty() && valid.size() != codes.size()) {
    return Status::InvalidArgument("validity has " + std::to_string(valid.size()) + " entries for " +
                                   std::to_string(n) + " codes");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Buffer> code_buf, Buffer::Allocate(std::max<size_t>(codes.size(), 1) * sizeof(int32_t)));
  if (n > 0) std::memcpy(code_buf->mutable_data(), codes.data(), codes.size() * sizeof(int32_t));
  std::shared_ptr<Buffer> validity;
  if (!valid.empty()) {
    ASSIGN_OR_RETURN(validity, Buffer::AllocateZeroed(static_cast<size_t>(std::max<int64_t>(bit_util::BytesForBits(n), 1))));
    for (int64_t i = 0; i < n; ++i) {
      if (valid[static_cast<size_t>(i)]) bit_util::SetBit(validity->mutable_data(), i);
    }
  }
  return Column::MakeDictionary(n, std::move(code_buf), std::move(dictionary), std::move(validity));
}

template <typename T>
Result<Column> ColumnFromVector(Type type, const std::vector<T>& values, const std::vector<bool>& valid) {
  ColumnBuilder builder(type);
  RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(values.size())));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!valid.empty() && !valid[i]) {
      RETURN_NOT_OK(builder.AppendNull());
    } else if constexpr (std::is_same_v<T, std::string>) {
      RETURN_NOT_OK(builder.AppendString(values[i]));
    } else if constexpr (std::is_same_v<T, bool>) {
      RETURN_NOT_OK(builder.AppendBool(values[i]));
    } else {
      RETURN_NOT_OK(builder.Append(values[i]));
    }
  }
  return builder.Finish();
}

template Result<Column> ColumnFromVector(Type, const std::vector<int32_t>&, const std::vector<bool>&);
template Result<Column> ColumnFromVector(Type, const std::vector<int64_t>&, const std::vector<bool>&);
template Result<Column> ColumnFromVector(Type, const std::vector<float>&, const std::vector<bool>&);
template Result<Column> ColumnFromVector(Type, const std::vector<double>&, const std::vector<bool>&);
template Result<Column> ColumnFromVector(Type, const std::vector<bool>&, const std::vector<bool>&);
template Result<Column> ColumnFromVector(Type, const std::vector<std::string>&, const std::vector<bool>&);

}  // namespace edgepipe
