#pragma once
// Column: an immutable, typed, nullable array that shares its buffers.
// Layout follows Arrow: a validity bitmap (LSB-first, absent when there are
// no nulls), a values buffer (fixed-width values, bits for kBool, or int32
// offsets of length+1 for kString) and, for strings, a byte buffer.
// A kString column may instead be dictionary-encoded: int32 codes into a
// shared plain string column (see MakeDictionary).
// Copying a Column copies four shared_ptrs; Slice() is zero-copy.
// Thread safety: const methods may be called concurrently.

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/type.h"

namespace edgepipe {

class Column {
 public:
  Column() = default;
  // Fixed-width and bool columns. null_count < 0 means "count it now".
  Column(Type type, int64_t length, std::shared_ptr<Buffer> values,
         std::shared_ptr<Buffer> validity = nullptr, int64_t null_count = -1, int64_t offset = 0);
  // String columns: `offsets` holds length+1 int32 offsets into `data`.
  static Column MakeString(int64_t length, std::shared_ptr<Buffer> offsets, std::shared_ptr<Buffer> data,
                           std::shared_ptr<Buffer> validity = nullptr, int64_t null_count = -1,
                           int64_t offset = 0);
  // A column of `length` nulls.
  static Result<Column> MakeNull(Type type, int64_t length);
  // Dictionary-encoded strings. Logical type stays kString; values_ holds
  // int32 codes (one per row, offset applies) into `dictionary`, a plain
  // (non-dictionary) kString column. Codes of null rows are unspecified but
  // in range [0, dictionary->length()) or 0; non-null codes are in range
  // (checked by MakeDictionary: InvalidArgument otherwise). A dictionary may hold
  // entries no row uses, and need not be unique (Parquet's need not be).
  static Result<Column> MakeDictionary(int64_t length, std::shared_ptr<Buffer> codes,
                                       std::shared_ptr<const Column> dictionary,
                                       std::shared_ptr<Buffer> validity = nullptr, int64_t null_count = -1,
                                       int64_t offset = 0);

  Type type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t offset() const { return offset_; }
  int64_t null_count() const { return null_count_; }

  bool IsValid(int64_t i) const {
    return validity_ == nullptr || bit_util::GetBit(validity_->data(), offset_ + i);
  }
  bool IsNull(int64_t i) const { return !IsValid(i); }

  // Fixed-width values, already offset: values<T>()[0] is row 0 of this slice.
  template <typename T>
  const T* values() const {
    return values_->data_as<T>() + offset_;
  }
  bool GetBool(int64_t i) const { return bit_util::GetBit(values_->data(), offset_ + i); }
  // Works for plain and dictionary string columns.
  std::string_view GetString(int64_t i) const {
    if (dictionary_ != nullptr) [[unlikely]] {
      return dictionary_->GetString(values_->data_as<int32_t>()[offset_ + i]);
    }
    const int32_t* offs = values_->data_as<int32_t>() + offset_;
    return {reinterpret_cast<const char*>(data_->data()) + offs[i], static_cast<size_t>(offs[i + 1] - offs[i])};
  }
  // Plain string columns only (check is_dictionary() first; a dictionary
  // column has no offsets/bytes of its own: use dictionary() and
  // dictionary_codes(), or DecodeDictionary()).
  // String offsets of this slice (length+1 entries, not rebased).
  const int32_t* string_offsets() const {
    assert(dictionary_ == nullptr && "string_offsets() on a dictionary column");
    return values_->data_as<int32_t>() + offset_;
  }
  const uint8_t* string_data() const {
    assert(dictionary_ == nullptr && "string_data() on a dictionary column");
    return data_ ? data_->data() : nullptr;
  }

  bool is_dictionary() const { return dictionary_ != nullptr; }
  // The dictionary (nullptr for plain columns) and this slice's codes.
  const std::shared_ptr<const Column>& dictionary() const { return dictionary_; }
  const int32_t* dictionary_codes() const { return values_->data_as<int32_t>() + offset_; }
  // A plain copy of a dictionary column; a plain column is returned as is (shared buffers).
  Result<Column> DecodeDictionary() const;

  // Validity bits; bit (offset() + i) is row i. nullptr when no nulls.
  const uint8_t* validity_bits() const { return validity_ ? validity_->data() : nullptr; }
  const std::shared_ptr<Buffer>& validity_buffer() const { return validity_; }
  const std::shared_ptr<Buffer>& values_buffer() const { return values_; }
  const std::shared_ptr<Buffer>& data_buffer() const { return data_; }

  Column Slice(int64_t offset, int64_t length) const;

  // Same type, length, nulls and values (floats compared bitwise). Logical:
  // a dictionary column equals the plain column with the same strings.
  bool Equals(const Column& other) const;
  // Human-readable value (for tests, messages and `head`); "null" for nulls.
  std::string ValueToString(int64_t i) const;

 private:
  Type type_ = Type::kInt64;
  int64_t length_ = 0;
  int64_t offset_ = 0;
  int64_t null_count_ = 0;
  std::shared_ptr<Buffer> validity_;
  std::shared_ptr<Buffer> values_;
  std::shared_ptr<Buffer> data_;
  std::shared_ptr<const Column> dictionary_;  // set for dictionary-encoded strings
};

// Builds a column by appending. Fast paths (Reserve + UnsafeAppend*) for
// readers that know the row count; the validity bitmap is created on the
// first null only.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(Type type) : type_(type) {}
  ColumnBuilder(const ColumnBuilder&) = delete;
  ColumnBuilder& operator=(const ColumnBuilder&) = delete;
  ColumnBuilder(ColumnBuilder&&) = default;
  ColumnBuilder& operator=(ColumnBuilder&&) = default;

  Type type() const { return type_; }
  int64_t length() const { return length_; }

  // Ensures room for `additional` more values (and string bytes).
  Status Reserve(int64_t additional, int64_t additional_string_bytes = 0);

  template <typename T>
  void UnsafeAppend(T value) {
    std::memcpy(values_->mutable_data() + length_ * sizeof(T), &value, sizeof(T));
    if (validity_) bit_util::SetBit(validity_->mutable_data(), length_);
    ++length_;
  }
  void UnsafeAppendBool(bool value) {
    bit_util::SetBitTo(values_->mutable_data(), length_, value);
    if (validity_) bit_util::SetBit(validity_->mutable_data(), length_);
    ++length_;
  }
  Status AppendString(std::string_view value);
  template <typename T>
  Status Append(T value) {
    RETURN_NOT_OK(Reserve(1));
    UnsafeAppend(value);
    return Status::OK();
  }
  Status AppendBool(bool value) {
    RETURN_NOT_OK(Reserve(1));
    UnsafeAppendBool(value);
    return Status::OK();
  }
  // Appends a null (a zero value slot, validity bit cleared).
  Status AppendNull();

  // Hands the buffers to a Column and resets the builder.
  Result<Column> Finish();

 private:
  Status EnsureValidity();

  Type type_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
  int64_t null_count_ = 0;
  std::shared_ptr<Buffer> values_;    // values, bits or int32 offsets
  std::shared_ptr<Buffer> data_;      // string bytes
  std::shared_ptr<Buffer> validity_;  // created on first null
};

// Test and tooling helper: a column from a vector (T matches the type's
// storage: int32_t, int64_t, float, double, bool or std::string), with
// optional validity (true = valid).
template <typename T>
Result<Column> ColumnFromVector(Type type, const std::vector<T>& values, const std::vector<bool>& valid = {});

// Test and tooling helper: a dictionary-encoded string column of
// codes.size() rows into `dictionary`, with optional validity (true =
// valid; a null row's code must still be in range, or 0). Errors as
// Column::MakeDictionary.
Result<Column> DictionaryColumnFromVector(const std::vector<int32_t>& codes, std::shared_ptr<const Column> dictionary,
                                          const std::vector<bool>& valid = {});

}  // namespace edgepipe
