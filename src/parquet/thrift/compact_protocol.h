#pragma once
// Thrift compact protocol: a bounds-checked reader over a byte span and an
// appending writer. Hand-written (no Thrift runtime) so that decoding a
// Parquet page header costs no allocation beyond the strings it keeps.
//
// Wire format (Apache Thrift "compact protocol" spec):
//   ints     zigzag + ULEB128 varint (i16/i32 <= 5 bytes, i64 <= 10 bytes);
//            i8 is one raw byte
//   double   8 bytes little endian
//   binary   varint length + bytes
//   field    1 byte `ddddtttt` (id delta 1..15 + type) or `0000tttt` + zigzag
//            i16 id; bool fields carry their value in the type (1 true, 2 false)
//   list/set 1 byte `sssstttt` (size 0..14) or `1111tttt` + varint size
//   map      varint size, then (if size > 0) 1 byte `kkkkvvvv`
//   struct   fields, then a 0 byte
//
// Thread safety: none; one reader/writer per thread. The reader never owns
// the bytes: `data` must outlive it and every string_view it returns.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet::thrift {

// Logical wire types. Values match the compact-protocol type codes except that
// both boolean codes (1 = true, 2 = false) are reported as kBool.
enum class CompactType : uint8_t {
  kStop = 0,
  kBool = 1,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

std::string_view CompactTypeName(CompactType type);

struct FieldHeader {
  CompactType type = CompactType::kStop;  // kStop: end of struct
  int16_t id = 0;
};

struct ListHeader {
  CompactType elem_type = CompactType::kStop;
  uint32_t size = 0;  // <= INT32_MAX and <= remaining bytes / minimal element size
};

struct MapHeader {
  CompactType key_type = CompactType::kStop;
  CompactType value_type = CompactType::kStop;
  uint32_t size = 0;
};

// Decodes compact-protocol values from [data, data + size). Every read checks
// bounds; on malformed input it returns Corruption naming the byte offset
// (relative to `data`) and leaves the reader in an unspecified position.
class CompactReader {
 public:
  // Structs and containers nested deeper than this are Corruption (bounds the
  // recursion of Skip and of the struct decoders).
  static constexpr int kMaxDepth = 64;

  CompactReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  Status ReadVarint64(uint64_t* out);
  Status ReadVarint32(uint32_t* out);  // at most 5 bytes, value must fit 32 bits
  Status ReadI8(int8_t* out);
  Status ReadI16(int16_t* out);
  Status ReadI32(int32_t* out);
  Status ReadI64(int64_t* out);
  Status ReadDouble(double* out);
  // A bool field's value (taken from its header) or a bool list/set/map element
  // (one byte: 1 true; 0 or 2 false, as written by the reference runtimes).
  Status ReadBool(bool* out);
  // Zero-copy: the view points into `data`.
  Status ReadBinary(std::string_view* out);
  Status ReadString(std::string* out);

  // Struct framing. StructBegin saves the field-id context and counts nesting.
  Status ReadStructBegin();
  void ReadStructEnd();
  // Returns type kStop at the end of a struct.
  Status ReadFieldHeader(FieldHeader* out);
  Status ReadListHeader(ListHeader* out);  // also used for sets
  Status ReadMapHeader(MapHeader* out);

  // Skips one value of `type` (recursively for containers and structs).
  Status Skip(CompactType type);

  // Corruption "thrift: <what> at offset <offset>".
  static Status Error(std::string_view what, size_t offset);

 private:
  Status ReadVarint64Slow(uint64_t* out);
  Status ReadVarint32Slow(uint32_t* out);
  Status ReadFieldHeaderSlow(FieldHeader* out);
  Status Truncated(size_t needed) const;
  Status CheckElements(uint64_t count, uint64_t min_bytes_each, size_t header_offset,
                       std::string_view kind) const;
  Status EnterNested();
  void LeaveNested() { --depth_; }
  Status ParseElemType(uint8_t nibble, size_t offset, CompactType* out) const;

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int depth_ = 0;
  int16_t last_field_id_ = 0;
  bool bool_pending_ = false;  // the last field header was a bool field
  bool bool_value_ = false;
  // Written by StructBegin before End reads it; left uninitialized because
  // zeroing 130 bytes per reader showed up as ~15% of a page-header decode.
  int16_t field_id_stack_[kMaxDepth + 1];
};

// Appends compact-protocol bytes to a std::string. Never fails; programmer
// errors (struct nesting > kMaxDepth, unbalanced Begin/End) are caught by
// assert in debug builds.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  void WriteVarint32(uint32_t v);
  void WriteVarint64(uint64_t v);
  void WriteI8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void WriteI16(int16_t v) { WriteI32(v); }
  void WriteI32(int32_t v) {
    WriteVarint32((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
  }
  void WriteI64(int64_t v) {
    WriteVarint64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void WriteDouble(double v);
  // A bool list/set/map element: 1 true, 2 false (the reference runtimes' form).
  void WriteBool(bool v) { out_->push_back(v ? 1 : 2); }
  void WriteBinary(std::string_view v);
  void WriteUuid(const uint8_t bytes[16]) {
    out_->append(reinterpret_cast<const char*>(bytes), 16);
  }

  void WriteStructBegin();
  void WriteStructEnd();  // writes the stop byte
  // For any field type except kBool (use WriteFieldBool).
  void WriteFieldHeader(CompactType type, int16_t id);
  void WriteFieldBool(int16_t id, bool value);
  // Lists of bool are written with element type 1, as the reference runtimes do.
  void WriteListHeader(CompactType elem_type, uint32_t size);
  void WriteSetHeader(CompactType elem_type, uint32_t size) { WriteListHeader(elem_type, size); }
  void WriteMapHeader(CompactType key_type, CompactType value_type, uint32_t size);

  // Field helpers: header + value.
  void WriteFieldI8(int16_t id, int8_t v) { WriteFieldHeader(CompactType::kI8, id); WriteI8(v); }
  void WriteFieldI16(int16_t id, int16_t v) { WriteFieldHeader(CompactType::kI16, id); WriteI16(v); }
  void WriteFieldI32(int16_t id, int32_t v) { WriteFieldHeader(CompactType::kI32, id); WriteI32(v); }
  void WriteFieldI64(int16_t id, int64_t v) { WriteFieldHeader(CompactType::kI64, id); WriteI64(v); }
  void WriteFieldBinary(int16_t id, std::string_view v) {
    WriteFieldHeader(CompactType::kBinary, id);
    WriteBinary(v);
  }

 private:
  void WriteFieldHeaderRaw(uint8_t type_code, int16_t id);

  std::string* out_;
  int depth_ = 0;
  int16_t last_field_id_ = 0;
  int16_t field_id_stack_[CompactReader::kMaxDepth + 1] = {};
};

// ---------------------------------------------------------------------------
// Inline fast paths: one-byte varints and in-bounds fixed reads dominate
// Parquet headers, so they must not pay for a call.

inline Status CompactReader::ReadVarint64(uint64_t* out) {
  if (pos_ < size_ && data_[pos_] < 0x80) {
    *out = data_[pos_++];
    return Status::OK();
  }
  return ReadVarint64Slow(out);
}

inline Status CompactReader::ReadVarint32(uint32_t* out) {
  if (pos_ < size_ && data_[pos_] < 0x80) {
    *out = data_[pos_++];
    return Status::OK();
  }
  return ReadVarint32Slow(out);
}

inline Status CompactReader::ReadI8(int8_t* out) {
  if (pos_ >= size_) return Truncated(1);
  *out = static_cast<int8_t>(data_[pos_++]);
  return Status::OK();
}

inline Status CompactReader::ReadI32(int32_t* out) {
  uint32_t u;
  RETURN_NOT_OK(ReadVarint32(&u));
  *out = static_cast<int32_t>((u >> 1) ^ (0u - (u & 1u)));
  return Status::OK();
}

inline Status CompactReader::ReadI64(int64_t* out) {
  uint64_t u;
  RETURN_NOT_OK(ReadVarint64(&u));
  *out = static_cast<int64_t>((u >> 1) ^ (uint64_t{0} - (u & 1u)));
  return Status::OK();
}

inline Status CompactReader::ReadBinary(std::string_view* out) {
  const size_t start = pos_;
  uint32_t len;
  RETURN_NOT_OK(ReadVarint32(&len));
  if (len > remaining()) {
    return Error("binary length " + std::to_string(len) + " exceeds the " +
                     std::to_string(remaining()) + " bytes remaining",
                 start);
  }
  *out = std::string_view(reinterpret_cast<const char*>(data_ + pos_), len);
  pos_ += len;
  return Status::OK();
}

inline Status CompactReader::ReadString(std::string* out) {
  std::string_view v;
  RETURN_NOT_OK(ReadBinary(&v));
  out->assign(v.data(), v.size());
  return Status::OK();
}

inline Status CompactReader::ReadFieldHeader(FieldHeader* out) {
  // Fast path: stop byte, or a short-form header of a non-bool type whose id
  // cannot overflow. Bools, long-form ids and errors go out of line.
  if (pos_ < size_) {
    const uint8_t byte = data_[pos_];
    const uint8_t type_code = byte & 0x0f;
    if (byte == 0) {
      ++pos_;
      bool_pending_ = false;
      out->type = CompactType::kStop;
      out->id = 0;
      return Status::OK();
    }
    if (byte >= 0x10 && type_code >= 3 && type_code <= 13 && last_field_id_ <= INT16_MAX - 15) {
      ++pos_;
      bool_pending_ = false;
      last_field_id_ = static_cast<int16_t>(last_field_id_ + (byte >> 4));
      out->type = static_cast<CompactType>(type_code);
      out->id = last_field_id_;
      return Status::OK();
    }
  }
  return ReadFieldHeaderSlow(out);
}

inline Status CompactReader::ReadStructBegin() {
  RETURN_NOT_OK(EnterNested());
  field_id_stack_[depth_] = last_field_id_;
  last_field_id_ = 0;
  return Status::OK();
}

inline void CompactReader::ReadStructEnd() {
  last_field_id_ = field_id_stack_[depth_];
  LeaveNested();
}

inline Status CompactReader::EnterNested() {
  if (depth_ >= kMaxDepth) {
    return Error("nesting deeper than " + std::to_string(kMaxDepth), pos_);
  }
  ++depth_;
  return Status::OK();
}

}  // namespace edgepipe::parquet::thrift
