#include "parquet/thrift/compact_protocol.h"

#include <algorithm>
#include <cassert>

namespace edgepipe::parquet::thrift {

std::string_view CompactTypeName(CompactType type) {
  switch (type) {
    case CompactType::kStop: return "stop";
    case CompactType::kBool: return "bool";
    case CompactType::kI8: return "i8";
    case CompactType::kI16: return "i16";
    case CompactType::kI32: return "i32";
    case CompactType::kI64: return "i64";
    case CompactType::kDouble: return "double";
    case CompactType::kBinary: return "binary";
    case CompactType::kList: return "list";
    case CompactType::kSet: return "set";
    case CompactType::kMap: return "map";
    case CompactType::kStruct: return "struct";
    case CompactType::kUuid: return "uuid";
  }
  return "invalid";
}

namespace {

// Fewest bytes one element of `type` can occupy; bounds container sizes by the
// bytes left so a forged size can neither allocate nor loop beyond the input.
constexpr uint64_t MinEncodedSize(CompactType type) {
  switch (type) {
    case CompactType::kDouble: return 8;
    case CompactType::kUuid: return 16;
    default: return 1;  // bool element, varint, length, header or stop byte
  }
}

}  // namespace

Status CompactReader::Error(std::string_view what, size_t offset) {
  std::string msg = "thrift: ";
  msg.append(what);
  msg += " at offset ";
  msg += std::to_string(offset);
  return Status::Corruption(std::move(msg));
}

Status CompactReader::Truncated(size_t needed) const {
  return Error("unexpected end of data (need " + std::to_string(needed) + " more byte(s), " +
                   std::to_string(remaining()) + " left of " + std::to_string(size_) + ")",
               pos_);
}

Status CompactReader::ReadVarint64Slow(uint64_t* out) {
  const size_t start = pos_;
  const uint8_t* p = data_ + pos_;
  const size_t limit = std::min<size_t>(size_ - pos_, 10);
  uint64_t result = 0;
  for (size_t i = 0; i < limit; ++i) {
    const uint64_t byte = p[i];
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      // The 10th byte holds only bit 63.
      if (i == 9 && byte > 1) return Error("varint overflows 64 bits", start);
      pos_ += i + 1;
      *out = result;
      return Status::OK();
    }
  }
  if (limit == 10) return Error("varint longer than 10 bytes", start);
  pos_ = size_;
  return Error("unexpected end of data inside a varint (" + std::to_string(limit) +
                   " byte(s) left of " + std::to_string(size_) + ")",
               start);
}

Status CompactReader::ReadVarint32Slow(uint32_t* out) {
  const size_t start = pos_;
  uint64_t v;
  RETURN_NOT_OK(ReadVarint64Slow(&v));
  if (pos_ - start > 5 || v > UINT32_MAX) {
    return Error("varint does not fit 32 bits", start);
  }
  *out = static_cast<uint32_t>(v);
  return Status::OK();
}

Status CompactReader::ReadFieldHeaderSlow(FieldHeader* out) {
  if (pos_ >= size_) return Truncated(1);
  const size_t start = pos_;
  const uint8_t byte = data_[pos_++];
  bool_pending_ = false;
  if (byte == 0) {
    out->type = CompactType::kStop;
    out->id = 0;
    return Status::OK();
  }
  const uint8_t type_code = byte & 0x0f;
  const uint8_t delta = byte >> 4;
  int32_t id;
  if (delta != 0) {
    id = int32_t{last_field_id_} + delta;
    if (id > INT16_MAX) return Error("field id overflows int16", start);
  } else {
    int16_t long_id;
    RETURN_NOT_OK(ReadI16(&long_id));
    id = long_id;
  }
  switch (type_code) {
    case 1:
    case 2:
      bool_pending_ = true;
      bool_value_ = type_code == 1;
      out->type = CompactType::kBool;
      break;
    case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13:
      out->type = static_cast<CompactType>(type_code);
      break;
    default:
      return Error("invalid field type " + std::to_string(type_code), start);
  }
  out->id = static_cast<int16_t>(id);
  last_field_id_ = static_cast<int16_t>(id);
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* out) {
  const size_t start = pos_;
  int32_t v;
  RETURN_NOT_OK(ReadI32(&v));
  if (v < INT16_MIN || v > INT16_MAX) {
    return Error("i16 value " + std::to_string(v) + " out of range", start);
  }
  *out = static_cast<int16_t>(v);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* out) {
  if (remaining() < 8) return Truncated(8);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  std::memcpy(out, &bits, sizeof(bits));
  pos_ += 8;
  return Status::OK();
}

Status CompactReader::ReadBool(bool* out) {
  if (bool_pending_) {
    bool_pending_ = false;
    *out = bool_value_;
    return Status::OK();
  }
  if (pos_ >= size_) return Truncated(1);
  const uint8_t byte = data_[pos_];
  if (byte > 2) return Error("invalid bool element " + std::to_string(byte), pos_);
  ++pos_;
  *out = byte == 1;
  return Status::OK();
}

Status CompactReader::ParseElemType(uint8_t nibble, size_t offset, CompactType* out) const {
  switch (nibble) {
    case 1:
    case 2:  // the spec says 2, the reference runtimes write 1
      *out = CompactType::kBool;
      return Status::OK();
    case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13:
      *out = static_cast<CompactType>(nibble);
      return Status::OK();
    default:
      return Error("invalid element type " + std::to_string(nibble), offset);
  }
}

Status CompactReader::CheckElements(uint64_t count, uint64_t min_bytes_each,
                                    size_t header_offset, std::string_view kind) const {
  // count <= INT32_MAX and min_bytes_each <= 32, so the product cannot overflow.
  if (count * min_bytes_each > remaining()) {
    return Error(std::string(kind) + " of " + std::to_string(count) +
                     " elements cannot fit in the " + std::to_string(remaining()) +
                     " bytes remaining",
                 header_offset);
  }
  return Status::OK();
}

Status CompactReader::ReadListHeader(ListHeader* out) {
  if (pos_ >= size_) return Truncated(1);
  bool_pending_ = false;
  const size_t start = pos_;
  const uint8_t byte = data_[pos_++];
  RETURN_NOT_OK(ParseElemType(byte & 0x0f, start, &out->elem_type));
  uint32_t size = byte >> 4;
  if (size == 15) {
    RETURN_NOT_OK(ReadVarint32(&size));
    if (size > INT32_MAX) {
      return Error("list size " + std::to_string(size) + " exceeds INT32_MAX", start);
    }
  }
  RETURN_NOT_OK(CheckElements(size, MinEncodedSize(out->elem_type), start, "list"));
  out->size = size;
  return Status::OK();
}

Status CompactReader::ReadMapHeader(MapHeader* out) {
  bool_pending_ = false;
  const size_t start = pos_;
  uint32_t size;
  RETURN_NOT_OK(ReadVarint32(&size));
  if (size > INT32_MAX) {
    return Error("map size " + std::to_string(size) + " exceeds INT32_MAX", start);
  }
  out->size = size;
  if (size == 0) {
    out->key_type = CompactType::kStop;
    out->value_type = CompactType::kStop;
    return Status::OK();
  }
  if (pos_ >= size_) return Truncated(1);
  const uint8_t kv = data_[pos_++];
  RETURN_NOT_OK(ParseElemType(kv >> 4, start, &out->key_type));
  RETURN_NOT_OK(ParseElemType(kv & 0x0f, start, &out->value_type));
  return CheckElements(size, MinEncodedSize(out->key_type) + MinEncodedSize(out->value_type),
                       start, "map");
}

Status CompactReader::Skip(CompactType type) {
  switch (type) {
    case CompactType::kBool: {
      bool ignored;
      return ReadBool(&ignored);
    }
    case CompactType::kI8: {
      if (pos_ >= size_) return Truncated(1);
      ++pos_;
      return Status::OK();
    }
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: {
      uint64_t ignored;
      return ReadVarint64(&ignored);
    }
    case CompactType::kDouble: {
      if (remaining() < 8) return Truncated(8);
      pos_ += 8;
      return Status::OK();
    }
    case CompactType::kUuid: {
      if (remaining() < 16) return Truncated(16);
      pos_ += 16;
      return Status::OK();
    }
    case CompactType::kBinary: {
      std::string_view ignored;
      return ReadBinary(&ignored);
    }
    case CompactType::kStruct: {
      RETURN_NOT_OK(ReadStructBegin());
      while (true) {
        FieldHeader field;
        RETURN_NOT_OK(ReadFieldHeader(&field));
        if (field.type == CompactType::kStop) break;
        RETURN_NOT_OK(Skip(field.type));
      }
      ReadStructEnd();
      return Status::OK();
    }
    case CompactType::kList:
    case CompactType::kSet: {
      RETURN_NOT_OK(EnterNested());
      ListHeader list;
      RETURN_NOT_OK(ReadListHeader(&list));
      for (uint32_t i = 0; i < list.size; ++i) RETURN_NOT_OK(Skip(list.elem_type));
      LeaveNested();
      return Status::OK();
    }
    case CompactType::kMap: {
      RETURN_NOT_OK(EnterNested());
      MapHeader map;
      RETURN_NOT_OK(ReadMapHeader(&map));
      for (uint32_t i = 0; i < map.size; ++i) {
        RETURN_NOT_OK(Skip(map.key_type));
        RETURN_NOT_OK(Skip(map.value_type));
      }
      LeaveNested();
      return Status::OK();
    }
    case CompactType::kStop:
      break;
  }
  return Error("cannot skip a value of type " + std::to_string(static_cast<int>(type)), pos_);
}

// ---------------------------------------------------------------------------
// CompactWriter

void CompactWriter::WriteVarint32(uint32_t v) { WriteVarint64(v); }

void CompactWriter::WriteVarint64(uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out_->append(buf, n);
}

void CompactWriter::WriteDouble(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
  out_->append(buf, 8);
}

void CompactWriter::WriteBinary(std::string_view v) {
  WriteVarint32(static_cast<uint32_t>(v.size()));
  out_->append(v.data(), v.size());
}

void CompactWriter::WriteStructBegin() {
  assert(depth_ < CompactReader::kMaxDepth);
  field_id_stack_[++depth_] = last_field_id_;
  last_field_id_ = 0;
}

void CompactWriter::WriteStructEnd() {
  assert(depth_ > 0);
  out_->push_back(0);
  last_field_id_ = field_id_stack_[depth_--];
}

void CompactWriter::WriteFieldHeaderRaw(uint8_t type_code, int16_t id) {
  const int32_t delta = int32_t{id} - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | type_code));
  } else {
    out_->push_back(static_cast<char>(type_code));
    WriteI16(id);
  }
  last_field_id_ = id;
}

void CompactWriter::WriteFieldHeader(CompactType type, int16_t id) {
  assert(type != CompactType::kBool && type != CompactType::kStop);
  WriteFieldHeaderRaw(static_cast<uint8_t>(type), id);
}

void CompactWriter::WriteFieldBool(int16_t id, bool value) {
  WriteFieldHeaderRaw(value ? 1 : 2, id);
}

void CompactWriter::WriteListHeader(CompactType elem_type, uint32_t size) {
  const uint8_t type_code = static_cast<uint8_t>(elem_type);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | type_code));
  } else {
    out_->push_back(static_cast<char>(0xf0 | type_code));
    WriteVarint32(size);
  }
}

void CompactWriter::WriteMapHeader(CompactType key_type, CompactType value_type, uint32_t size) {
  WriteVarint32(size);
  if (size > 0) {
    out_->push_back(
        static_cast<char>((static_cast<uint8_t>(key_type) << 4) | static_cast<uint8_t>(value_type)));
  }
}

}  // namespace edgepipe::parquet::thrift
