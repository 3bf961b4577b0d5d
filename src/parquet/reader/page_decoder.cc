#include "parquet/reader/page_decoder.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "parquet/encoding/byte_stream_split.h"
#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_byte_array.h"
#include "parquet/encoding/delta_length_byte_array.h"
#include "parquet/encoding/dictionary.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"

namespace edgepipe::parquet {

// ---------------------------------------------------------------------------
// ScratchBuffer

ScratchBuffer::~ScratchBuffer() { std::free(data_); }

Result<uint8_t*> ScratchBuffer::Get(size_t bytes) {
  if (bytes <= capacity_ && data_ != nullptr) return data_;
  // Grow by at least 1.5x so a sequence of slowly growing pages reallocates
  // O(log) times; round to the alignment for aligned_alloc.
  size_t target = std::max(bytes, capacity_ + capacity_ / 2);
  target = std::max<size_t>(target, 4096);
  target = (target + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, target);
  if (p == nullptr) return Status::OutOfMemory("cannot allocate " + std::to_string(target) + " bytes of scratch");
  std::free(data_);
  data_ = static_cast<uint8_t*>(p);
  capacity_ = target;
  return data_;
}

void ScratchBuffer::Trim(size_t keep) {
  if (capacity_ > keep) {
    std::free(data_);
    data_ = nullptr;
    capacity_ = 0;
  }
}

void PageScratch::Trim(size_t keep) {
  decompressed.Trim(keep);
  levels.Trim(keep);
  values.Trim(keep);
  indices.Trim(keep);
  views.Trim(keep);
  dictionary.Trim(keep);
}

// ---------------------------------------------------------------------------
// Levels

Status DecodeDefinitionLevelsV1(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                                uint8_t* levels, size_t* consumed) {
  if (encoding == Encoding::kBitPacked) {
    return Status::NotSupported("definition levels in the deprecated BIT_PACKED encoding are not supported");
  }
  if (encoding != Encoding::kRle) {
    return Status::Corruption("definition level encoding " + std::string(EncodingName(encoding)) + " (" +
                              std::to_string(static_cast<int32_t>(encoding)) + ") is not RLE");
  }
  Status st = DecodeLengthPrefixedRle<uint8_t>(data, size, 1, n, levels, consumed);
  if (!st.ok()) return st.WithContext("definition levels");
  return Status::OK();
}

Status DecodeDefinitionLevelsV2(const uint8_t* data, size_t size, int64_t n, uint8_t* levels) {
  RleBpDecoder decoder(data, size, 1);
  Status st = decoder.GetBatch<uint8_t>(levels, n);
  if (!st.ok()) return st.WithContext("definition levels");
  return Status::OK();
}

int64_t CountNonNull(const uint8_t* levels, int64_t n) {
  // Levels are 0 or 1 (width-1 decoding guarantees it): a plain sum, which
  // the compiler vectorizes. Blocks of 255 keep the byte accumulators exact.
  int64_t total = 0;
  int64_t i = 0;
  while (i < n) {
    const int64_t len = std::min<int64_t>(n - i, 255 * 16);
    uint32_t sum = 0;
    for (int64_t j = 0; j < len; ++j) sum += levels[i + j];
    total += sum;
    i += len;
  }
  return total;
}

// ---------------------------------------------------------------------------
// Values

namespace {

Status UnsupportedEncoding(Encoding encoding, std::string_view type) {
  if (encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary ||
      encoding == Encoding::kPlain || encoding == Encoding::kRle || encoding == Encoding::kBitPacked ||
      encoding == Encoding::kDeltaBinaryPacked || encoding == Encoding::kDeltaLengthByteArray ||
      encoding == Encoding::kDeltaByteArray || encoding == Encoding::kByteStreamSplit) {
    return Status::Corruption("encoding " + std::string(EncodingName(encoding)) + " is not valid for " +
                              std::string(type) + " values");
  }
  return Status::NotSupported("unknown encoding " + std::to_string(static_cast<int32_t>(encoding)));
}

bool IsDictionaryEncoding(Encoding encoding) {
  return encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary;
}

template <typename T>
Status GatherFromDictionary(const uint8_t* data, size_t size, int64_t n, const std::vector<T>* dict,
                            T* out, PageScratch* scratch) {
  if (dict == nullptr) {
    return Status::Corruption("dictionary-encoded page without a dictionary page before it");
  }
  ASSIGN_OR_RETURN(uint32_t* indices, scratch->indices.GetAs<uint32_t>(n));
  RETURN_NOT_OK(DecodeDictionaryIndices(data, size, n, indices));
  return DictionaryGather<T>(dict->data(), static_cast<int32_t>(dict->size()), indices, n, out);
}

template <typename T>
constexpr std::string_view TypeLabel() {
  if constexpr (std::is_same_v<T, int32_t>) return "INT32";
  if constexpr (std::is_same_v<T, int64_t>) return "INT64";
  if constexpr (std::is_same_v<T, float>) return "FLOAT";
  return "DOUBLE";
}

}  // namespace

template <typename T>
Status DecodeFixedValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                         const std::vector<T>* dict, T* out, PageScratch* scratch) {
  if (n == 0) return Status::OK();
  switch (encoding) {
    case Encoding::kPlain: {
      size_t consumed = 0;
      return DecodePlain<T>(data, size, n, out, &consumed);
    }
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return GatherFromDictionary<T>(data, size, n, dict, out, scratch);
    case Encoding::kByteStreamSplit:
      return DecodeByteStreamSplit<T>(data, size, n, out);
    case Encoding::kDeltaBinaryPacked:
      if constexpr (std::is_integral_v<T>) {
        DeltaBinaryPackedDecoder<T> decoder;
        RETURN_NOT_OK(decoder.Init(data, size));
        if (decoder.total_values() < n) {
          return Status::Corruption("DELTA_BINARY_PACKED header holds " + std::to_string(decoder.total_values()) +
                                    " values, the page has " + std::to_string(n) + " non-null values");
        }
        return decoder.Decode(out, n);
      }
      [[fallthrough]];
    default:
      return UnsupportedEncoding(encoding, TypeLabel<T>());
  }
}

template Status DecodeFixedValues<int32_t>(Encoding, const uint8_t*, size_t, int64_t, const std::vector<int32_t>*,
                                           int32_t*, PageScratch*);
template Status DecodeFixedValues<int64_t>(Encoding, const uint8_t*, size_t, int64_t, const std::vector<int64_t>*,
                                           int64_t*, PageScratch*);
template Status DecodeFixedValues<float>(Encoding, const uint8_t*, size_t, int64_t, const std::vector<float>*,
                                         float*, PageScratch*);
template Status DecodeFixedValues<double>(Encoding, const uint8_t*, size_t, int64_t, const std::vector<double>*,
                                          double*, PageScratch*);

Status DecodeInt96Values(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                         const std::vector<int64_t>* dict, int64_t* out, PageScratch* scratch) {
  if (n == 0) return Status::OK();
  if (encoding == Encoding::kPlain) {
    size_t consumed = 0;
    return DecodePlainInt96(data, size, n, out, &consumed);
  }
  if (IsDictionaryEncoding(encoding)) return GatherFromDictionary<int64_t>(data, size, n, dict, out, scratch);
  return UnsupportedEncoding(encoding, "INT96");
}

Status DecodeBoolValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n, uint8_t* out) {
  if (n == 0) return Status::OK();
  size_t consumed = 0;
  switch (encoding) {
    case Encoding::kPlain:
      return DecodePlainBoolean(data, size, n, out, &consumed);
    case Encoding::kRle:
      return DecodeLengthPrefixedRle<uint8_t>(data, size, 1, n, out, &consumed);
    default:
      return UnsupportedEncoding(encoding, "BOOLEAN");
  }
}

Status DecodeByteArrayValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                             const std::vector<std::string_view>* dict, std::string_view* out,
                             PageScratch* scratch, DeltaByteArrayDecoder* dba, int64_t max_decoded_bytes) {
  if (n == 0) return Status::OK();
  switch (encoding) {
    case Encoding::kPlain: {
      size_t consumed = 0;
      return DecodePlainByteArray(data, size, n, out, &consumed);
    }
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return GatherFromDictionary<std::string_view>(data, size, n, dict, out, scratch);
    case Encoding::kDeltaLengthByteArray: {
      DeltaLengthByteArrayDecoder decoder;
      RETURN_NOT_OK(decoder.Init(data, size, n));
      return decoder.Decode(out, n);
    }
    case Encoding::kDeltaByteArray: {
      RETURN_NOT_OK(dba->Init(data, size, n, max_decoded_bytes));
      return dba->Decode(out, n);
    }
    default:
      return UnsupportedEncoding(encoding, "BYTE_ARRAY");
  }
}

// ---------------------------------------------------------------------------
// Dictionaries

template <typename T>
Status DecodeFixedDictionary(const uint8_t* data, size_t size, int64_t num_values, std::vector<T>* dict) {
  if (num_values < 0 || static_cast<uint64_t>(num_values) > size / sizeof(T)) {
    return Status::Corruption("dictionary page claims " + std::to_string(num_values) + " values of " +
                              std::to_string(sizeof(T)) + " bytes in " + std::to_string(size) + " bytes");
  }
  dict->resize(static_cast<size_t>(num_values));
  size_t consumed = 0;
  if (num_values == 0) return Status::OK();
  return DecodePlain<T>(data, size, num_values, dict->data(), &consumed);
}

template Status DecodeFixedDictionary<int32_t>(const uint8_t*, size_t, int64_t, std::vector<int32_t>*);
template Status DecodeFixedDictionary<int64_t>(const uint8_t*, size_t, int64_t, std::vector<int64_t>*);
template Status DecodeFixedDictionary<float>(const uint8_t*, size_t, int64_t, std::vector<float>*);
template Status DecodeFixedDictionary<double>(const uint8_t*, size_t, int64_t, std::vector<double>*);

Status DecodeInt96Dictionary(const uint8_t* data, size_t size, int64_t num_values, std::vector<int64_t>* dict) {
  if (num_values < 0 || static_cast<uint64_t>(num_values) > size / 12) {
    return Status::Corruption("dictionary page claims " + std::to_string(num_values) + " INT96 values in " +
                              std::to_string(size) + " bytes");
  }
  dict->resize(static_cast<size_t>(num_values));
  size_t consumed = 0;
  if (num_values == 0) return Status::OK();
  return DecodePlainInt96(data, size, num_values, dict->data(), &consumed);
}

Status DecodeByteArrayDictionary(const uint8_t* data, size_t size, int64_t num_values,
                                 std::vector<std::string_view>* dict) {
  // Each entry needs at least its 4-byte length.
  if (num_values < 0 || static_cast<uint64_t>(num_values) > size / 4) {
    return Status::Corruption("dictionary page claims " + std::to_string(num_values) + " BYTE_ARRAY values in " +
                              std::to_string(size) + " bytes");
  }
  dict->resize(static_cast<size_t>(num_values));
  size_t consumed = 0;
  if (num_values == 0) return Status::OK();
  return DecodePlainByteArray(data, size, num_values, dict->data(), &consumed);
}

}  // namespace edgepipe::parquet
