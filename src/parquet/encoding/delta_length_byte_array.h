#pragma once
// DELTA_LENGTH_BYTE_ARRAY (= 6): the lengths of all values as one
// DELTA_BINARY_PACKED int32 stream, then all value bytes back to back.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Decodes the whole length stream in Init (4 bytes of memory per value) and
// then hands out views into the borrowed buffer, which must outlive them.
class DeltaLengthByteArrayDecoder {
 public:
  // max_values bounds the value count the header may claim (pass the page's
  // num_values); a larger count is Corruption, so memory stays bounded by
  // what the caller expects. Corruption when a length is negative or the
  // lengths add up to more bytes than follow them.
  Status Init(const uint8_t* data, size_t size, int64_t max_values);

  // Next n values as views into the buffer given to Init. Corruption if n
  // exceeds values_left().
  Status Decode(std::string_view* out, int64_t n);

  int64_t total_values() const { return static_cast<int64_t>(lengths_.size()); }
  int64_t values_left() const { return total_values() - next_; }
  // Size of the whole encoding: the length stream plus all value bytes.
  size_t bytes_consumed() const { return data_offset_ + total_bytes_; }

  // All lengths and the start of the concatenated bytes (for
  // DELTA_BYTE_ARRAY, which embeds this encoding for its suffixes).
  const std::vector<int32_t>& lengths() const { return lengths_; }
  const uint8_t* value_bytes() const { return data_ + data_offset_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t data_offset_ = 0;   // where the value bytes start
  size_t total_bytes_ = 0;   // sum of all lengths
  std::vector<int32_t> lengths_;
  int64_t next_ = 0;         // index of the next value to return
  size_t next_offset_ = 0;   // its offset from value_bytes()
};

// Appends the encoding of n values. Each value must be shorter than 2^31 bytes.
void EncodeDeltaLengthByteArray(const std::string_view* values, int64_t n,
                                std::vector<uint8_t>* out);

}  // namespace edgepipe::parquet
