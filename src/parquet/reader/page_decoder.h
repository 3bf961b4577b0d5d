#pragma once
// Decoding the body of one data page: definition levels, then the non-null
// values in the page's encoding, densely into a caller-provided array. The
// column chunk reader owns decompression, nulls and the output layout.
//
// Every function checks its input against `size` and returns Corruption
// (without path or offset: the caller adds them) or NotSupported for a valid
// encoding this reader does not handle for the type.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

class DeltaByteArrayDecoder;

// Reusable per-thread memory (one per purpose), so decoding hundreds of pages
// allocates only when a page is larger than every earlier one.
class ScratchBuffer {
 public:
  ScratchBuffer() = default;
  ~ScratchBuffer();
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;

  // At least `bytes` bytes, 64-byte aligned; previous contents are lost.
  // OutOfMemory when the allocation fails.
  Result<uint8_t*> Get(size_t bytes);
  template <typename T>
  Result<T*> GetAs(int64_t count) {
    ASSIGN_OR_RETURN(uint8_t* p, Get(static_cast<size_t>(count) * sizeof(T)));
    return reinterpret_cast<T*>(p);
  }
  // Frees the memory if more than `keep` bytes are held (after a huge page,
  // so one odd file does not pin memory in every worker thread).
  void Trim(size_t keep);
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

struct PageScratch {
  ScratchBuffer decompressed;  // page bytes after decompression
  ScratchBuffer levels;        // one byte per definition level
  ScratchBuffer values;        // dense values before conversion or spreading
  ScratchBuffer indices;       // dictionary indices
  ScratchBuffer views;         // string_views of a page's strings
  ScratchBuffer dictionary;    // the dictionary page's bytes, alive for the whole chunk

  void Trim(size_t keep);
};

// Definition levels for max level 1, one byte (0 or 1) per value.
// v1: `encoding` RLE with a 4-byte length prefix (BIT_PACKED: NotSupported);
// *consumed = bytes used. v2: exactly `size` bytes of RLE/bit-packed hybrid.
Status DecodeDefinitionLevelsV1(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                                uint8_t* levels, size_t* consumed);
Status DecodeDefinitionLevelsV2(const uint8_t* data, size_t size, int64_t n, uint8_t* levels);
// Number of 1 levels.
int64_t CountNonNull(const uint8_t* levels, int64_t n);

// T is int32_t, int64_t, float or double. Encodings: PLAIN,
// PLAIN_DICTIONARY/RLE_DICTIONARY (with `dict`, nullptr when the chunk had no
// dictionary page: Corruption), DELTA_BINARY_PACKED (integers),
// BYTE_STREAM_SPLIT. Writes exactly n values to out.
template <typename T>
Status DecodeFixedValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                         const std::vector<T>* dict, T* out, PageScratch* scratch);

// INT96 to ns: PLAIN, or dictionary indices into a dictionary already in ns.
Status DecodeInt96Values(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                         const std::vector<int64_t>* dict, int64_t* out, PageScratch* scratch);

// Booleans as one byte (0/1) per value: PLAIN (bit-packed) or RLE (length
// prefixed hybrid of width 1).
Status DecodeBoolValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                        uint8_t* out);

// BYTE_ARRAY values as views: PLAIN, dictionary, DELTA_LENGTH_BYTE_ARRAY
// (views into `data`), DELTA_BYTE_ARRAY (views into `dba`'s arena, valid
// until its next Init). `max_decoded_bytes` bounds DELTA_BYTE_ARRAY's
// reconstruction.
Status DecodeByteArrayValues(Encoding encoding, const uint8_t* data, size_t size, int64_t n,
                             const std::vector<std::string_view>* dict, std::string_view* out,
                             PageScratch* scratch, DeltaByteArrayDecoder* dba, int64_t max_decoded_bytes);

// Dictionary page bodies (PLAIN values; the dictionary page's encoding is
// PLAIN or PLAIN_DICTIONARY). `num_values` is bounded by `size` before
// anything is allocated.
template <typename T>
Status DecodeFixedDictionary(const uint8_t* data, size_t size, int64_t num_values, std::vector<T>* dict);
Status DecodeInt96Dictionary(const uint8_t* data, size_t size, int64_t num_values, std::vector<int64_t>* dict);
Status DecodeByteArrayDictionary(const uint8_t* data, size_t size, int64_t num_values,
                                 std::vector<std::string_view>* dict);

}  // namespace edgepipe::parquet
