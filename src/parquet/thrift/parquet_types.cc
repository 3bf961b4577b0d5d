#include "parquet/thrift/parquet_types.h"

#include <algorithm>
#include <utility>

#include "parquet/thrift/compact_protocol.h"

namespace edgepipe::parquet {

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

std::string_view CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case CompressionCodec::kSnappy: return "SNAPPY";
    case CompressionCodec::kGzip: return "GZIP";
    case CompressionCodec::kLzo: return "LZO";
    case CompressionCodec::kBrotli: return "BROTLI";
    case CompressionCodec::kLz4: return "LZ4";
    case CompressionCodec::kZstd: return "ZSTD";
    case CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return "UNKNOWN";
}

std::string_view PhysicalTypeName(PhysicalType type) {
  switch (type) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

std::string_view PageTypeName(PageType type) {
  switch (type) {
    case PageType::kDataPage: return "DATA_PAGE";
    case PageType::kIndexPage: return "INDEX_PAGE";
    case PageType::kDictionaryPage: return "DICTIONARY_PAGE";
    case PageType::kDataPageV2: return "DATA_PAGE_V2";
  }
  return "UNKNOWN";
}

std::string_view FieldRepetitionTypeName(FieldRepetitionType type) {
  switch (type) {
    case FieldRepetitionType::kRequired: return "REQUIRED";
    case FieldRepetitionType::kOptional: return "OPTIONAL";
    case FieldRepetitionType::kRepeated: return "REPEATED";
  }
  return "UNKNOWN";
}

std::string_view ConvertedTypeName(ConvertedType type) {
  switch (type) {
    case ConvertedType::kUtf8: return "UTF8";
    case ConvertedType::kMap: return "MAP";
    case ConvertedType::kMapKeyValue: return "MAP_KEY_VALUE";
    case ConvertedType::kList: return "LIST";
    case ConvertedType::kEnum: return "ENUM";
    case ConvertedType::kDecimal: return "DECIMAL";
    case ConvertedType::kDate: return "DATE";
    case ConvertedType::kTimeMillis: return "TIME_MILLIS";
    case ConvertedType::kTimeMicros: return "TIME_MICROS";
    case ConvertedType::kTimestampMillis: return "TIMESTAMP_MILLIS";
    case ConvertedType::kTimestampMicros: return "TIMESTAMP_MICROS";
    case ConvertedType::kUint8: return "UINT_8";
    case ConvertedType::kUint16: return "UINT_16";
    case ConvertedType::kUint32: return "UINT_32";
    case ConvertedType::kUint64: return "UINT_64";
    case ConvertedType::kInt8: return "INT_8";
    case ConvertedType::kInt16: return "INT_16";
    case ConvertedType::kInt32: return "INT_32";
    case ConvertedType::kInt64: return "INT_64";
    case ConvertedType::kJson: return "JSON";
    case ConvertedType::kBson: return "BSON";
    case ConvertedType::kInterval: return "INTERVAL";
  }
  return "UNKNOWN";
}

namespace {

using thrift::CompactReader;
using thrift::CompactType;
using thrift::CompactWriter;
using thrift::FieldHeader;
using thrift::ListHeader;

// Adds "<where>: " to an error. The context string is only built on failure,
// so the success path is one pointer test per field.
#define EP_TRY(expr, where)                                  \
  do {                                                       \
    ::edgepipe::Status _ep_st = (expr);                      \
    if (!_ep_st.ok()) [[unlikely]] return _ep_st.WithContext(where); \
  } while (0)

// Loop body tail of every struct decoder: a field we do not know (or of an
// unexpected wire type, as Thrift-generated code does) is skipped.
#define EP_SKIP_FIELD(r, fh, struct_name)                                          \
  do {                                                                             \
    ::edgepipe::Status _ep_st = (r).Skip((fh).type);                               \
    if (!_ep_st.ok()) [[unlikely]]                                                 \
      return _ep_st.WithContext(std::string(struct_name) + ".<field " +            \
                                std::to_string((fh).id) + ">");                    \
  } while (0)

// Lists are reserved up to this many elements, then grow as elements actually
// decode: a list header alone never sizes an allocation past the input.
constexpr uint32_t kReserveCap = 1024;

struct RequiredField {
  uint32_t bit;
  const char* name;
  int id;
};

// Reports the first required field whose bit is missing from `seen`.
template <size_t N>
Status CheckRequired(uint32_t seen, const RequiredField (&fields)[N], const char* struct_name,
                     size_t end_offset) {
  for (const RequiredField& f : fields) {
    if ((seen & f.bit) == 0) [[unlikely]] {
      return CompactReader::Error(std::string(struct_name) + ": missing required field '" +
                                      f.name + "' (id " + std::to_string(f.id) + ")",
                                  end_offset);
    }
  }
  return Status::OK();
}

template <typename E>
Status ReadEnum(CompactReader& r, E* out) {
  int32_t v;
  RETURN_NOT_OK(r.ReadI32(&v));
  *out = static_cast<E>(v);
  return Status::OK();
}

template <typename E>
Status ReadOptEnum(CompactReader& r, std::optional<E>* out) {
  return ReadEnum(r, &out->emplace());
}

Status ReadOptI32(CompactReader& r, std::optional<int32_t>* out) { return r.ReadI32(&out->emplace()); }
Status ReadOptI64(CompactReader& r, std::optional<int64_t>* out) { return r.ReadI64(&out->emplace()); }
Status ReadOptBool(CompactReader& r, std::optional<bool>* out) { return r.ReadBool(&out->emplace()); }
Status ReadOptString(CompactReader& r, std::optional<std::string>* out) {
  return r.ReadString(&out->emplace());
}

// Reads a list header for `where`, requiring element type `elem` when
// non-empty (a list of the wrong element type cannot be reinterpreted).
Status ReadListHeaderOf(CompactReader& r, CompactType elem, const char* where, ListHeader* lh) {
  const size_t start = r.position();
  EP_TRY(r.ReadListHeader(lh), where);
  if (lh->size > 0 && lh->elem_type != elem) [[unlikely]] {
    return CompactReader::Error(std::string(where) + ": expected list<" +
                                    std::string(thrift::CompactTypeName(elem)) + ">, got list<" +
                                    std::string(thrift::CompactTypeName(lh->elem_type)) + ">",
                                start);
  }
  return Status::OK();
}

// Decodes a list into `out` with `read_elem(r, T*)` per element.
template <typename T, typename ReadElem>
Status ReadList(CompactReader& r, CompactType elem, const char* where, std::vector<T>* out,
                ReadElem&& read_elem) {
  ListHeader lh;
  RETURN_NOT_OK(ReadListHeaderOf(r, elem, where, &lh));
  out->clear();
  out->reserve(std::min(lh.size, kReserveCap));
  for (uint32_t i = 0; i < lh.size; ++i) {
    Status st = read_elem(r, &out->emplace_back());
    if (!st.ok()) [[unlikely]] {
      return st.WithContext(std::string(where) + "[" + std::to_string(i) + "]");
    }
  }
  return Status::OK();
}

Status ReadStringElem(CompactReader& r, std::string* out) { return r.ReadString(out); }

// Decodes into a default-initialized T, then moves it into `opt`.
// optional::emplace() value-initializes, which zero-fills the whole struct
// first (a `rep stos` that was ~40% of a page-header decode).
template <typename T, typename Decode>
Status DecodeOptional(CompactReader& r, std::optional<T>* opt, Decode&& decode) {
  T value;
  RETURN_NOT_OK(decode(r, &value));
  *opt = std::move(value);
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Decoders, one per struct, in parquet.thrift field-id order.

Status DecodeStatistics(CompactReader& r, Statistics* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "Statistics");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->max), "Statistics.max"); continue; }
        break;
      case 2:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->min), "Statistics.min"); continue; }
        break;
      case 3:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->null_count), "Statistics.null_count"); continue; }
        break;
      case 4:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->distinct_count), "Statistics.distinct_count"); continue; }
        break;
      case 5:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->max_value), "Statistics.max_value"); continue; }
        break;
      case 6:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->min_value), "Statistics.min_value"); continue; }
        break;
      case 7:
        if (fh.type == CompactType::kBool) { EP_TRY(ReadOptBool(r, &out->is_max_value_exact), "Statistics.is_max_value_exact"); continue; }
        break;
      case 8:
        if (fh.type == CompactType::kBool) { EP_TRY(ReadOptBool(r, &out->is_min_value_exact), "Statistics.is_min_value_exact"); continue; }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "Statistics");
  }
  r.ReadStructEnd();
  return Status::OK();
}

// union TimeUnit { 1: MILLIS, 2: MICROS, 3: NANOS } of empty structs.
// `*known` is false for an empty union or an unknown member.
Status DecodeTimeUnit(CompactReader& r, TimeUnit* unit, bool* known) {
  *known = false;
  RETURN_NOT_OK(r.ReadStructBegin());
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "TimeUnit");
    if (fh.type == CompactType::kStop) break;
    if (fh.type == CompactType::kStruct && fh.id >= 1 && fh.id <= 3) {
      *unit = fh.id == 1 ? TimeUnit::kMillis : fh.id == 2 ? TimeUnit::kMicros : TimeUnit::kNanos;
      *known = true;
    } else {
      *known = false;  // the last member wins, as for LogicalType
    }
    EP_SKIP_FIELD(r, fh, "TimeUnit");
  }
  r.ReadStructEnd();
  return Status::OK();
}

// TimeType and TimestampType: { 1: required bool isAdjustedToUTC, 2: required TimeUnit unit }.
Status DecodeTimeLike(CompactReader& r, const char* name, LogicalType* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  bool unit_known = false;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), name);
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kBool) {
      EP_TRY(r.ReadBool(&out->is_adjusted_to_utc), name);
      seen |= 1;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kStruct) {
      EP_TRY(DecodeTimeUnit(r, &out->unit, &unit_known), name);
      seen |= 2;
      continue;
    }
    EP_SKIP_FIELD(r, fh, name);
  }
  static constexpr RequiredField kRequired[] = {{1, "isAdjustedToUTC", 1}, {2, "unit", 2}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, name, r.position() - 1));
  r.ReadStructEnd();
  // A unit from a newer format version: the type as a whole is not understood.
  if (!unit_known) *out = LogicalType{};
  return Status::OK();
}

Status DecodeDecimalType(CompactReader& r, LogicalType* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "DecimalType");
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kI32) {
      EP_TRY(r.ReadI32(&out->scale), "DecimalType.scale");
      seen |= 1;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kI32) {
      EP_TRY(r.ReadI32(&out->precision), "DecimalType.precision");
      seen |= 2;
      continue;
    }
    EP_SKIP_FIELD(r, fh, "DecimalType");
  }
  static constexpr RequiredField kRequired[] = {{1, "scale", 1}, {2, "precision", 2}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "DecimalType", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeIntType(CompactReader& r, LogicalType* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "IntType");
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kI8) {
      EP_TRY(r.ReadI8(&out->bit_width), "IntType.bitWidth");
      seen |= 1;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kBool) {
      EP_TRY(r.ReadBool(&out->is_signed), "IntType.isSigned");
      seen |= 2;
      continue;
    }
    EP_SKIP_FIELD(r, fh, "IntType");
  }
  static constexpr RequiredField kRequired[] = {{1, "bitWidth", 1}, {2, "isSigned", 2}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "IntType", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

// union LogicalType: one struct-typed member; the last member present wins and
// starts from a default LogicalType, so parameters of another kind never leak.
Status DecodeLogicalType(CompactReader& r, LogicalType* out) {
  *out = LogicalType{};
  RETURN_NOT_OK(r.ReadStructBegin());
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "LogicalType");
    if (fh.type == CompactType::kStop) break;
    LogicalType lt;
    if (fh.type != CompactType::kStruct) {
      EP_SKIP_FIELD(r, fh, "LogicalType");
      *out = lt;
      continue;
    }
    using Kind = LogicalType::Kind;
    switch (fh.id) {
      case 5:
        lt.kind = Kind::kDecimal;
        EP_TRY(DecodeDecimalType(r, &lt), "LogicalType.DECIMAL");
        break;
      case 7:
        lt.kind = Kind::kTime;
        EP_TRY(DecodeTimeLike(r, "TimeType", &lt), "LogicalType.TIME");
        break;
      case 8:
        lt.kind = Kind::kTimestamp;
        EP_TRY(DecodeTimeLike(r, "TimestampType", &lt), "LogicalType.TIMESTAMP");
        break;
      case 10:
        lt.kind = Kind::kInteger;
        EP_TRY(DecodeIntType(r, &lt), "LogicalType.INTEGER");
        break;
      default: {
        // Parameterless members are empty structs (skipped to tolerate fields
        // added later); unknown members become kOther.
        switch (fh.id) {
          case 1: lt.kind = Kind::kString; break;
          case 2: lt.kind = Kind::kMap; break;
          case 3: lt.kind = Kind::kList; break;
          case 4: lt.kind = Kind::kEnum; break;
          case 6: lt.kind = Kind::kDate; break;
          case 11: lt.kind = Kind::kUnknown; break;
          case 12: lt.kind = Kind::kJson; break;
          case 13: lt.kind = Kind::kBson; break;
          case 14: lt.kind = Kind::kUuid; break;
          case 15: lt.kind = Kind::kFloat16; break;
          default: lt.kind = Kind::kOther; break;
        }
        EP_SKIP_FIELD(r, fh, "LogicalType");
        break;
      }
    }
    *out = lt;
  }
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeSchemaElement(CompactReader& r, SchemaElement* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  bool has_name = false;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "SchemaElement");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptEnum(r, &out->type), "SchemaElement.type"); continue; }
        break;
      case 2:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->type_length), "SchemaElement.type_length"); continue; }
        break;
      case 3:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptEnum(r, &out->repetition_type), "SchemaElement.repetition_type"); continue; }
        break;
      case 4:
        if (fh.type == CompactType::kBinary) {
          EP_TRY(r.ReadString(&out->name), "SchemaElement.name");
          has_name = true;
          continue;
        }
        break;
      case 5:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->num_children), "SchemaElement.num_children"); continue; }
        break;
      case 6:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptEnum(r, &out->converted_type), "SchemaElement.converted_type"); continue; }
        break;
      case 7:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->scale), "SchemaElement.scale"); continue; }
        break;
      case 8:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->precision), "SchemaElement.precision"); continue; }
        break;
      case 9:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->field_id), "SchemaElement.field_id"); continue; }
        break;
      case 10:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->logical_type, DecodeLogicalType), "SchemaElement.logicalType");
          continue;
        }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "SchemaElement");
  }
  static constexpr RequiredField kRequired[] = {{1, "name", 4}};
  RETURN_NOT_OK(CheckRequired(has_name ? 1 : 0, kRequired, "SchemaElement", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeKeyValue(CompactReader& r, KeyValue* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  bool has_key = false;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "KeyValue");
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kBinary) {
      EP_TRY(r.ReadString(&out->key), "KeyValue.key");
      has_key = true;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kBinary) {
      EP_TRY(ReadOptString(r, &out->value), "KeyValue.value");
      continue;
    }
    EP_SKIP_FIELD(r, fh, "KeyValue");
  }
  static constexpr RequiredField kRequired[] = {{1, "key", 1}};
  RETURN_NOT_OK(CheckRequired(has_key ? 1 : 0, kRequired, "KeyValue", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodePageEncodingStats(CompactReader& r, PageEncodingStats* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "PageEncodingStats");
    if (fh.type == CompactType::kStop) break;
    if (fh.type == CompactType::kI32 && fh.id >= 1 && fh.id <= 3) {
      switch (fh.id) {
        case 1: EP_TRY(ReadEnum(r, &out->page_type), "PageEncodingStats.page_type"); break;
        case 2: EP_TRY(ReadEnum(r, &out->encoding), "PageEncodingStats.encoding"); break;
        default: EP_TRY(r.ReadI32(&out->count), "PageEncodingStats.count"); break;
      }
      seen |= 1u << (fh.id - 1);
      continue;
    }
    EP_SKIP_FIELD(r, fh, "PageEncodingStats");
  }
  static constexpr RequiredField kRequired[] = {
      {1, "page_type", 1}, {2, "encoding", 2}, {4, "count", 3}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "PageEncodingStats", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeColumnMetaData(CompactReader& r, ColumnMetaData* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "ColumnMetaData");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) {
          EP_TRY(ReadEnum(r, &out->type), "ColumnMetaData.type");
          seen |= 1u << 1;
          continue;
        }
        break;
      case 2:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kI32, "ColumnMetaData.encodings", &out->encodings,
                                 [](CompactReader& rr, Encoding* e) { return ReadEnum(rr, e); }));
          seen |= 1u << 2;
          continue;
        }
        break;
      case 3:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kBinary, "ColumnMetaData.path_in_schema",
                                 &out->path_in_schema, ReadStringElem));
          seen |= 1u << 3;
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kI32) {
          EP_TRY(ReadEnum(r, &out->codec), "ColumnMetaData.codec");
          seen |= 1u << 4;
          continue;
        }
        break;
      case 5:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->num_values), "ColumnMetaData.num_values");
          seen |= 1u << 5;
          continue;
        }
        break;
      case 6:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->total_uncompressed_size), "ColumnMetaData.total_uncompressed_size");
          seen |= 1u << 6;
          continue;
        }
        break;
      case 7:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->total_compressed_size), "ColumnMetaData.total_compressed_size");
          seen |= 1u << 7;
          continue;
        }
        break;
      case 8:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "ColumnMetaData.key_value_metadata",
                                 &out->key_value_metadata, DecodeKeyValue));
          continue;
        }
        break;
      case 9:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->data_page_offset), "ColumnMetaData.data_page_offset");
          seen |= 1u << 9;
          continue;
        }
        break;
      case 10:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->index_page_offset), "ColumnMetaData.index_page_offset"); continue; }
        break;
      case 11:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->dictionary_page_offset), "ColumnMetaData.dictionary_page_offset"); continue; }
        break;
      case 12:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->statistics, DecodeStatistics), "ColumnMetaData.statistics");
          continue;
        }
        break;
      case 13:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "ColumnMetaData.encoding_stats",
                                 &out->encoding_stats, DecodePageEncodingStats));
          continue;
        }
        break;
      case 14:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->bloom_filter_offset), "ColumnMetaData.bloom_filter_offset"); continue; }
        break;
      case 15:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->bloom_filter_length), "ColumnMetaData.bloom_filter_length"); continue; }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "ColumnMetaData");
  }
  static constexpr RequiredField kRequired[] = {
      {1u << 1, "type", 1},
      {1u << 2, "encodings", 2},
      {1u << 3, "path_in_schema", 3},
      {1u << 4, "codec", 4},
      {1u << 5, "num_values", 5},
      {1u << 6, "total_uncompressed_size", 6},
      {1u << 7, "total_compressed_size", 7},
      {1u << 9, "data_page_offset", 9},
  };
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "ColumnMetaData", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeColumnChunk(CompactReader& r, ColumnChunk* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  bool has_file_offset = false;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "ColumnChunk");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->file_path), "ColumnChunk.file_path"); continue; }
        break;
      case 2:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->file_offset), "ColumnChunk.file_offset");
          has_file_offset = true;
          continue;
        }
        break;
      case 3:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->meta_data, DecodeColumnMetaData), "ColumnChunk.meta_data");
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->offset_index_offset), "ColumnChunk.offset_index_offset"); continue; }
        break;
      case 5:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->offset_index_length), "ColumnChunk.offset_index_length"); continue; }
        break;
      case 6:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->column_index_offset), "ColumnChunk.column_index_offset"); continue; }
        break;
      case 7:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->column_index_length), "ColumnChunk.column_index_length"); continue; }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "ColumnChunk");
  }
  static constexpr RequiredField kRequired[] = {{1, "file_offset", 2}};
  RETURN_NOT_OK(CheckRequired(has_file_offset ? 1 : 0, kRequired, "ColumnChunk", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeSortingColumn(CompactReader& r, SortingColumn* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "SortingColumn");
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kI32) {
      EP_TRY(r.ReadI32(&out->column_idx), "SortingColumn.column_idx");
      seen |= 1;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kBool) {
      EP_TRY(r.ReadBool(&out->descending), "SortingColumn.descending");
      seen |= 2;
      continue;
    }
    if (fh.id == 3 && fh.type == CompactType::kBool) {
      EP_TRY(r.ReadBool(&out->nulls_first), "SortingColumn.nulls_first");
      seen |= 4;
      continue;
    }
    EP_SKIP_FIELD(r, fh, "SortingColumn");
  }
  static constexpr RequiredField kRequired[] = {
      {1, "column_idx", 1}, {2, "descending", 2}, {4, "nulls_first", 3}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "SortingColumn", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeRowGroup(CompactReader& r, RowGroup* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "RowGroup");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "RowGroup.columns", &out->columns,
                                 DecodeColumnChunk));
          seen |= 1;
          continue;
        }
        break;
      case 2:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->total_byte_size), "RowGroup.total_byte_size");
          seen |= 2;
          continue;
        }
        break;
      case 3:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->num_rows), "RowGroup.num_rows");
          seen |= 4;
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "RowGroup.sorting_columns",
                                 &out->sorting_columns, DecodeSortingColumn));
          continue;
        }
        break;
      case 5:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->file_offset), "RowGroup.file_offset"); continue; }
        break;
      case 6:
        if (fh.type == CompactType::kI64) { EP_TRY(ReadOptI64(r, &out->total_compressed_size), "RowGroup.total_compressed_size"); continue; }
        break;
      case 7:
        if (fh.type == CompactType::kI16) { EP_TRY(r.ReadI16(&out->ordinal.emplace()), "RowGroup.ordinal"); continue; }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "RowGroup");
  }
  static constexpr RequiredField kRequired[] = {
      {1, "columns", 1}, {2, "total_byte_size", 2}, {4, "num_rows", 3}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "RowGroup", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeFileMetaDataStruct(CompactReader& r, FileMetaData* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "FileMetaData");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) {
          EP_TRY(r.ReadI32(&out->version), "FileMetaData.version");
          seen |= 1;
          continue;
        }
        break;
      case 2:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "FileMetaData.schema", &out->schema,
                                 DecodeSchemaElement));
          seen |= 2;
          continue;
        }
        break;
      case 3:
        if (fh.type == CompactType::kI64) {
          EP_TRY(r.ReadI64(&out->num_rows), "FileMetaData.num_rows");
          seen |= 4;
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "FileMetaData.row_groups",
                                 &out->row_groups, DecodeRowGroup));
          seen |= 8;
          continue;
        }
        break;
      case 5:
        if (fh.type == CompactType::kList) {
          RETURN_NOT_OK(ReadList(r, CompactType::kStruct, "FileMetaData.key_value_metadata",
                                 &out->key_value_metadata, DecodeKeyValue));
          continue;
        }
        break;
      case 6:
        if (fh.type == CompactType::kBinary) { EP_TRY(ReadOptString(r, &out->created_by), "FileMetaData.created_by"); continue; }
        break;
      case 7:
        if (fh.type == CompactType::kList) {
          // Only counted: each ColumnOrder union is validated by skipping it.
          ListHeader lh;
          RETURN_NOT_OK(ReadListHeaderOf(r, CompactType::kStruct, "FileMetaData.column_orders", &lh));
          for (uint32_t i = 0; i < lh.size; ++i) {
            Status st = r.Skip(CompactType::kStruct);
            if (!st.ok()) [[unlikely]] {
              return st.WithContext("FileMetaData.column_orders[" + std::to_string(i) + "]");
            }
          }
          out->num_column_orders = static_cast<int32_t>(lh.size);
          continue;
        }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "FileMetaData");
  }
  static constexpr RequiredField kRequired[] = {
      {1, "version", 1}, {2, "schema", 2}, {4, "num_rows", 3}, {8, "row_groups", 4}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "FileMetaData", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeDataPageHeader(CompactReader& r, DataPageHeader* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "DataPageHeader");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) { EP_TRY(r.ReadI32(&out->num_values), "DataPageHeader.num_values"); seen |= 1; continue; }
        break;
      case 2:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadEnum(r, &out->encoding), "DataPageHeader.encoding"); seen |= 2; continue; }
        break;
      case 3:
        if (fh.type == CompactType::kI32) {
          EP_TRY(ReadEnum(r, &out->definition_level_encoding), "DataPageHeader.definition_level_encoding");
          seen |= 4;
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kI32) {
          EP_TRY(ReadEnum(r, &out->repetition_level_encoding), "DataPageHeader.repetition_level_encoding");
          seen |= 8;
          continue;
        }
        break;
      case 5:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->statistics, DecodeStatistics), "DataPageHeader.statistics");
          continue;
        }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "DataPageHeader");
  }
  static constexpr RequiredField kRequired[] = {{1, "num_values", 1},
                                                {2, "encoding", 2},
                                                {4, "definition_level_encoding", 3},
                                                {8, "repetition_level_encoding", 4}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "DataPageHeader", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeDictionaryPageHeader(CompactReader& r, DictionaryPageHeader* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "DictionaryPageHeader");
    if (fh.type == CompactType::kStop) break;
    if (fh.id == 1 && fh.type == CompactType::kI32) {
      EP_TRY(r.ReadI32(&out->num_values), "DictionaryPageHeader.num_values");
      seen |= 1;
      continue;
    }
    if (fh.id == 2 && fh.type == CompactType::kI32) {
      EP_TRY(ReadEnum(r, &out->encoding), "DictionaryPageHeader.encoding");
      seen |= 2;
      continue;
    }
    if (fh.id == 3 && fh.type == CompactType::kBool) {
      EP_TRY(ReadOptBool(r, &out->is_sorted), "DictionaryPageHeader.is_sorted");
      continue;
    }
    EP_SKIP_FIELD(r, fh, "DictionaryPageHeader");
  }
  static constexpr RequiredField kRequired[] = {{1, "num_values", 1}, {2, "encoding", 2}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "DictionaryPageHeader", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodeDataPageHeaderV2(CompactReader& r, DataPageHeaderV2* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "DataPageHeaderV2");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) { EP_TRY(r.ReadI32(&out->num_values), "DataPageHeaderV2.num_values"); seen |= 1; continue; }
        break;
      case 2:
        if (fh.type == CompactType::kI32) { EP_TRY(r.ReadI32(&out->num_nulls), "DataPageHeaderV2.num_nulls"); seen |= 2; continue; }
        break;
      case 3:
        if (fh.type == CompactType::kI32) { EP_TRY(r.ReadI32(&out->num_rows), "DataPageHeaderV2.num_rows"); seen |= 4; continue; }
        break;
      case 4:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadEnum(r, &out->encoding), "DataPageHeaderV2.encoding"); seen |= 8; continue; }
        break;
      case 5:
        if (fh.type == CompactType::kI32) {
          EP_TRY(r.ReadI32(&out->definition_levels_byte_length), "DataPageHeaderV2.definition_levels_byte_length");
          seen |= 16;
          continue;
        }
        break;
      case 6:
        if (fh.type == CompactType::kI32) {
          EP_TRY(r.ReadI32(&out->repetition_levels_byte_length), "DataPageHeaderV2.repetition_levels_byte_length");
          seen |= 32;
          continue;
        }
        break;
      case 7:
        if (fh.type == CompactType::kBool) { EP_TRY(r.ReadBool(&out->is_compressed), "DataPageHeaderV2.is_compressed"); continue; }
        break;
      case 8:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->statistics, DecodeStatistics), "DataPageHeaderV2.statistics");
          continue;
        }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "DataPageHeaderV2");
  }
  static constexpr RequiredField kRequired[] = {{1, "num_values", 1},
                                                {2, "num_nulls", 2},
                                                {4, "num_rows", 3},
                                                {8, "encoding", 4},
                                                {16, "definition_levels_byte_length", 5},
                                                {32, "repetition_levels_byte_length", 6}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "DataPageHeaderV2", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

Status DecodePageHeaderStruct(CompactReader& r, PageHeader* out) {
  RETURN_NOT_OK(r.ReadStructBegin());
  uint32_t seen = 0;
  while (true) {
    FieldHeader fh;
    EP_TRY(r.ReadFieldHeader(&fh), "PageHeader");
    if (fh.type == CompactType::kStop) break;
    switch (fh.id) {
      case 1:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadEnum(r, &out->type), "PageHeader.type"); seen |= 1; continue; }
        break;
      case 2:
        if (fh.type == CompactType::kI32) {
          EP_TRY(r.ReadI32(&out->uncompressed_page_size), "PageHeader.uncompressed_page_size");
          seen |= 2;
          continue;
        }
        break;
      case 3:
        if (fh.type == CompactType::kI32) {
          EP_TRY(r.ReadI32(&out->compressed_page_size), "PageHeader.compressed_page_size");
          seen |= 4;
          continue;
        }
        break;
      case 4:
        if (fh.type == CompactType::kI32) { EP_TRY(ReadOptI32(r, &out->crc), "PageHeader.crc"); continue; }
        break;
      case 5:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->data_page_header, DecodeDataPageHeader), "PageHeader.data_page_header");
          continue;
        }
        break;
      case 7:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->dictionary_page_header, DecodeDictionaryPageHeader),
                 "PageHeader.dictionary_page_header");
          continue;
        }
        break;
      case 8:
        if (fh.type == CompactType::kStruct) {
          EP_TRY(DecodeOptional(r, &out->data_page_header_v2, DecodeDataPageHeaderV2),
                 "PageHeader.data_page_header_v2");
          continue;
        }
        break;
      default:
        break;
    }
    EP_SKIP_FIELD(r, fh, "PageHeader");
  }
  static constexpr RequiredField kRequired[] = {
      {1, "type", 1}, {2, "uncompressed_page_size", 2}, {4, "compressed_page_size", 3}};
  RETURN_NOT_OK(CheckRequired(seen, kRequired, "PageHeader", r.position() - 1));
  r.ReadStructEnd();
  return Status::OK();
}

#undef EP_TRY
#undef EP_SKIP_FIELD

// ---------------------------------------------------------------------------
// Encoders: fields in ascending id order so the short (delta) header applies.

template <typename E>
int32_t EnumValue(E e) {
  return static_cast<int32_t>(e);
}

void EncodeEmptyStructField(CompactWriter& w, int16_t id) {
  w.WriteFieldHeader(CompactType::kStruct, id);
  w.WriteStructBegin();
  w.WriteStructEnd();
}

void EncodeStatistics(CompactWriter& w, const Statistics& s) {
  w.WriteStructBegin();
  if (s.max) w.WriteFieldBinary(1, *s.max);
  if (s.min) w.WriteFieldBinary(2, *s.min);
  if (s.null_count) w.WriteFieldI64(3, *s.null_count);
  if (s.distinct_count) w.WriteFieldI64(4, *s.distinct_count);
  if (s.max_value) w.WriteFieldBinary(5, *s.max_value);
  if (s.min_value) w.WriteFieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.WriteFieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.WriteFieldBool(8, *s.is_min_value_exact);
  w.WriteStructEnd();
}

void EncodeTimeLike(CompactWriter& w, const LogicalType& lt) {
  w.WriteStructBegin();
  w.WriteFieldBool(1, lt.is_adjusted_to_utc);
  w.WriteFieldHeader(CompactType::kStruct, 2);
  w.WriteStructBegin();  // union TimeUnit
  const int16_t unit_id = lt.unit == TimeUnit::kMillis ? 1 : lt.unit == TimeUnit::kMicros ? 2 : 3;
  EncodeEmptyStructField(w, unit_id);
  w.WriteStructEnd();
  w.WriteStructEnd();
}

// Caller guarantees lt.kind != kOther.
void EncodeLogicalType(CompactWriter& w, const LogicalType& lt) {
  using Kind = LogicalType::Kind;
  w.WriteStructBegin();
  switch (lt.kind) {
    case Kind::kString: EncodeEmptyStructField(w, 1); break;
    case Kind::kMap: EncodeEmptyStructField(w, 2); break;
    case Kind::kList: EncodeEmptyStructField(w, 3); break;
    case Kind::kEnum: EncodeEmptyStructField(w, 4); break;
    case Kind::kDecimal:
      w.WriteFieldHeader(CompactType::kStruct, 5);
      w.WriteStructBegin();
      w.WriteFieldI32(1, lt.scale);
      w.WriteFieldI32(2, lt.precision);
      w.WriteStructEnd();
      break;
    case Kind::kDate: EncodeEmptyStructField(w, 6); break;
    case Kind::kTime:
      w.WriteFieldHeader(CompactType::kStruct, 7);
      EncodeTimeLike(w, lt);
      break;
    case Kind::kTimestamp:
      w.WriteFieldHeader(CompactType::kStruct, 8);
      EncodeTimeLike(w, lt);
      break;
    case Kind::kInteger:
      w.WriteFieldHeader(CompactType::kStruct, 10);
      w.WriteStructBegin();
      w.WriteFieldI8(1, lt.bit_width);
      w.WriteFieldBool(2, lt.is_signed);
      w.WriteStructEnd();
      break;
    case Kind::kUnknown: EncodeEmptyStructField(w, 11); break;
    case Kind::kJson: EncodeEmptyStructField(w, 12); break;
    case Kind::kBson: EncodeEmptyStructField(w, 13); break;
    case Kind::kUuid: EncodeEmptyStructField(w, 14); break;
    case Kind::kFloat16: EncodeEmptyStructField(w, 15); break;
    case Kind::kOther: break;
  }
  w.WriteStructEnd();
}

void EncodeSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.WriteStructBegin();
  if (e.type) w.WriteFieldI32(1, EnumValue(*e.type));
  if (e.type_length) w.WriteFieldI32(2, *e.type_length);
  if (e.repetition_type) w.WriteFieldI32(3, EnumValue(*e.repetition_type));
  w.WriteFieldBinary(4, e.name);
  if (e.num_children) w.WriteFieldI32(5, *e.num_children);
  if (e.converted_type) w.WriteFieldI32(6, EnumValue(*e.converted_type));
  if (e.scale) w.WriteFieldI32(7, *e.scale);
  if (e.precision) w.WriteFieldI32(8, *e.precision);
  if (e.field_id) w.WriteFieldI32(9, *e.field_id);
  if (e.logical_type && e.logical_type->kind != LogicalType::Kind::kOther) {
    w.WriteFieldHeader(CompactType::kStruct, 10);
    EncodeLogicalType(w, *e.logical_type);
  }
  w.WriteStructEnd();
}

void EncodeKeyValue(CompactWriter& w, const KeyValue& kv) {
  w.WriteStructBegin();
  w.WriteFieldBinary(1, kv.key);
  if (kv.value) w.WriteFieldBinary(2, *kv.value);
  w.WriteStructEnd();
}

template <typename T, typename EncodeElem>
void EncodeStructList(CompactWriter& w, int16_t id, const std::vector<T>& items,
                      EncodeElem&& encode_elem) {
  w.WriteFieldHeader(CompactType::kList, id);
  w.WriteListHeader(CompactType::kStruct, static_cast<uint32_t>(items.size()));
  for (const T& item : items) encode_elem(w, item);
}

void EncodePageEncodingStats(CompactWriter& w, const PageEncodingStats& s) {
  w.WriteStructBegin();
  w.WriteFieldI32(1, EnumValue(s.page_type));
  w.WriteFieldI32(2, EnumValue(s.encoding));
  w.WriteFieldI32(3, s.count);
  w.WriteStructEnd();
}

void EncodeColumnMetaData(CompactWriter& w, const ColumnMetaData& md) {
  w.WriteStructBegin();
  w.WriteFieldI32(1, EnumValue(md.type));
  w.WriteFieldHeader(CompactType::kList, 2);
  w.WriteListHeader(CompactType::kI32, static_cast<uint32_t>(md.encodings.size()));
  for (Encoding e : md.encodings) w.WriteI32(EnumValue(e));
  w.WriteFieldHeader(CompactType::kList, 3);
  w.WriteListHeader(CompactType::kBinary, static_cast<uint32_t>(md.path_in_schema.size()));
  for (const std::string& p : md.path_in_schema) w.WriteBinary(p);
  w.WriteFieldI32(4, EnumValue(md.codec));
  w.WriteFieldI64(5, md.num_values);
  w.WriteFieldI64(6, md.total_uncompressed_size);
  w.WriteFieldI64(7, md.total_compressed_size);
  if (!md.key_value_metadata.empty()) EncodeStructList(w, 8, md.key_value_metadata, EncodeKeyValue);
  w.WriteFieldI64(9, md.data_page_offset);
  if (md.index_page_offset) w.WriteFieldI64(10, *md.index_page_offset);
  if (md.dictionary_page_offset) w.WriteFieldI64(11, *md.dictionary_page_offset);
  if (md.statistics) {
    w.WriteFieldHeader(CompactType::kStruct, 12);
    EncodeStatistics(w, *md.statistics);
  }
  if (!md.encoding_stats.empty()) EncodeStructList(w, 13, md.encoding_stats, EncodePageEncodingStats);
  if (md.bloom_filter_offset) w.WriteFieldI64(14, *md.bloom_filter_offset);
  if (md.bloom_filter_length) w.WriteFieldI32(15, *md.bloom_filter_length);
  w.WriteStructEnd();
}

void EncodeColumnChunk(CompactWriter& w, const ColumnChunk& c) {
  w.WriteStructBegin();
  if (c.file_path) w.WriteFieldBinary(1, *c.file_path);
  w.WriteFieldI64(2, c.file_offset);
  if (c.meta_data) {
    w.WriteFieldHeader(CompactType::kStruct, 3);
    EncodeColumnMetaData(w, *c.meta_data);
  }
  if (c.offset_index_offset) w.WriteFieldI64(4, *c.offset_index_offset);
  if (c.offset_index_length) w.WriteFieldI32(5, *c.offset_index_length);
  if (c.column_index_offset) w.WriteFieldI64(6, *c.column_index_offset);
  if (c.column_index_length) w.WriteFieldI32(7, *c.column_index_length);
  w.WriteStructEnd();
}

void EncodeSortingColumn(CompactWriter& w, const SortingColumn& s) {
  w.WriteStructBegin();
  w.WriteFieldI32(1, s.column_idx);
  w.WriteFieldBool(2, s.descending);
  w.WriteFieldBool(3, s.nulls_first);
  w.WriteStructEnd();
}

void EncodeRowGroup(CompactWriter& w, const RowGroup& rg) {
  w.WriteStructBegin();
  EncodeStructList(w, 1, rg.columns, EncodeColumnChunk);
  w.WriteFieldI64(2, rg.total_byte_size);
  w.WriteFieldI64(3, rg.num_rows);
  if (!rg.sorting_columns.empty()) EncodeStructList(w, 4, rg.sorting_columns, EncodeSortingColumn);
  if (rg.file_offset) w.WriteFieldI64(5, *rg.file_offset);
  if (rg.total_compressed_size) w.WriteFieldI64(6, *rg.total_compressed_size);
  if (rg.ordinal) w.WriteFieldI16(7, *rg.ordinal);
  w.WriteStructEnd();
}

}  // namespace

Status DecodeFileMetaData(const uint8_t* data, size_t size, FileMetaData* out) {
  *out = FileMetaData{};
  CompactReader r(data, size);
  return DecodeFileMetaDataStruct(r, out);
}

Status DecodePageHeader(const uint8_t* data, size_t size, PageHeader* out, uint32_t* header_size) {
  // Field-wise reset: `*out = PageHeader{}` would zero-fill ~700 bytes per page.
  // The required fields are always assigned when decoding succeeds.
  out->crc.reset();
  out->data_page_header.reset();
  out->dictionary_page_header.reset();
  out->data_page_header_v2.reset();
  // Page headers are tiny; capping the span keeps header_size in 32 bits.
  CompactReader r(data, std::min<size_t>(size, UINT32_MAX));
  RETURN_NOT_OK(DecodePageHeaderStruct(r, out));
  *header_size = static_cast<uint32_t>(r.position());
  return Status::OK();
}

void EncodeFileMetaData(const FileMetaData& md, std::string* out) {
  CompactWriter w(out);
  w.WriteStructBegin();
  w.WriteFieldI32(1, md.version);
  EncodeStructList(w, 2, md.schema, EncodeSchemaElement);
  w.WriteFieldI64(3, md.num_rows);
  EncodeStructList(w, 4, md.row_groups, EncodeRowGroup);
  if (!md.key_value_metadata.empty()) EncodeStructList(w, 5, md.key_value_metadata, EncodeKeyValue);
  if (md.created_by) w.WriteFieldBinary(6, *md.created_by);
  if (md.num_column_orders > 0) {
    w.WriteFieldHeader(CompactType::kList, 7);
    w.WriteListHeader(CompactType::kStruct, static_cast<uint32_t>(md.num_column_orders));
    for (int32_t i = 0; i < md.num_column_orders; ++i) {
      w.WriteStructBegin();  // union ColumnOrder { 1: TypeDefinedOrder TYPE_ORDER }
      EncodeEmptyStructField(w, 1);
      w.WriteStructEnd();
    }
  }
  w.WriteStructEnd();
}

void EncodePageHeader(const PageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.WriteStructBegin();
  w.WriteFieldI32(1, EnumValue(h.type));
  w.WriteFieldI32(2, h.uncompressed_page_size);
  w.WriteFieldI32(3, h.compressed_page_size);
  if (h.crc) w.WriteFieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.WriteFieldHeader(CompactType::kStruct, 5);
    w.WriteStructBegin();
    w.WriteFieldI32(1, d.num_values);
    w.WriteFieldI32(2, EnumValue(d.encoding));
    w.WriteFieldI32(3, EnumValue(d.definition_level_encoding));
    w.WriteFieldI32(4, EnumValue(d.repetition_level_encoding));
    if (d.statistics) {
      w.WriteFieldHeader(CompactType::kStruct, 5);
      EncodeStatistics(w, *d.statistics);
    }
    w.WriteStructEnd();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.WriteFieldHeader(CompactType::kStruct, 7);
    w.WriteStructBegin();
    w.WriteFieldI32(1, d.num_values);
    w.WriteFieldI32(2, EnumValue(d.encoding));
    if (d.is_sorted) w.WriteFieldBool(3, *d.is_sorted);
    w.WriteStructEnd();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.WriteFieldHeader(CompactType::kStruct, 8);
    w.WriteStructBegin();
    w.WriteFieldI32(1, d.num_values);
    w.WriteFieldI32(2, d.num_nulls);
    w.WriteFieldI32(3, d.num_rows);
    w.WriteFieldI32(4, EnumValue(d.encoding));
    w.WriteFieldI32(5, d.definition_levels_byte_length);
    w.WriteFieldI32(6, d.repetition_levels_byte_length);
    w.WriteFieldBool(7, d.is_compressed);
    if (d.statistics) {
      w.WriteFieldHeader(CompactType::kStruct, 8);
      EncodeStatistics(w, *d.statistics);
    }
    w.WriteStructEnd();
  }
  w.WriteStructEnd();
}

}  // namespace edgepipe::parquet
