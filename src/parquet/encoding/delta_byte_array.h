#pragma once
// DELTA_BYTE_ARRAY (= 7), front compression: the lengths of the prefixes
// shared with the previous value (DELTA_BINARY_PACKED), then the suffixes
// (DELTA_LENGTH_BYTE_ARRAY).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Rebuilds every value in Init into one arena owned by the decoder; the views
// Decode returns stay valid while the decoder lives and until the next Init.
// The input buffer is not referenced after Init.
class DeltaByteArrayDecoder {
 public:
  static constexpr int64_t kDefaultMaxDecodedBytes = int64_t{1} << 31;

  DeltaByteArrayDecoder() = default;
  DeltaByteArrayDecoder(const DeltaByteArrayDecoder&) = delete;
  DeltaByteArrayDecoder& operator=(const DeltaByteArrayDecoder&) = delete;

  // max_values bounds the value count the header may claim (pass the page's
  // num_values). Since prefixes repeat earlier bytes, the decoded size can
  // grow quadratically in the input: more than max_decoded_bytes is
  // NotSupported. Corruption when the two streams disagree on the count, a
  // prefix length is negative or longer than the previous value, or any
  // length runs past the data.
  Status Init(const uint8_t* data, size_t size, int64_t max_values,
              int64_t max_decoded_bytes = kDefaultMaxDecodedBytes);

  // Next n values. Corruption if n exceeds values_left().
  Status Decode(std::string_view* out, int64_t n);

  int64_t total_values() const { return static_cast<int64_t>(lengths_.size()); }
  int64_t values_left() const { return total_values() - next_; }
  // Size of the whole encoding in the input.
  size_t bytes_consumed() const { return bytes_consumed_; }

 private:
  std::unique_ptr<char[]> arena_;
  std::vector<int32_t> lengths_;  // of the full values
  int64_t next_ = 0;
  size_t next_offset_ = 0;
  size_t bytes_consumed_ = 0;
};

// Appends the encoding of n values. Each value must be shorter than 2^31 bytes.
void EncodeDeltaByteArray(const std::string_view* values, int64_t n, std::vector<uint8_t>* out);

}  // namespace edgepipe::parquet
