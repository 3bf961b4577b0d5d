#include "parquet/encoding/delta_length_byte_array.h"

#include <algorithm>
#include <string>

#include "parquet/encoding/delta_binary_packed.h"

namespace edgepipe::parquet {

Status DeltaLengthByteArrayDecoder::Init(const uint8_t* data, size_t size, int64_t max_values) {
  if (data == nullptr) size = 0;
  data_ = data;
  lengths_.clear();
  next_ = 0;
  next_offset_ = 0;
  DeltaBinaryPackedDecoder<int32_t> length_decoder;
  RETURN_NOT_OK(length_decoder.Init(data, size).WithContext("DELTA_LENGTH_BYTE_ARRAY lengths"));
  const int64_t count = length_decoder.total_values();
  if (count > max_values) {
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY header claims " + std::to_string(count) +
                              " values, the page holds at most " + std::to_string(max_values));
  }
  lengths_.resize(static_cast<size_t>(count));
  RETURN_NOT_OK(length_decoder.Decode(lengths_.data(), count)
                    .WithContext("DELTA_LENGTH_BYTE_ARRAY lengths"));
  data_offset_ = length_decoder.bytes_consumed();
  const size_t available = size - data_offset_;
  uint64_t total = 0;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t len = lengths_[static_cast<size_t>(i)];
    if (len < 0) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY value " + std::to_string(i) +
                                " has negative length " + std::to_string(len));
    }
    total += static_cast<uint64_t>(len);  // < 2^31 * 2^63: no overflow for count < 2^32
    if (total > available) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY lengths up to value " +
                                std::to_string(i) + " add up to " + std::to_string(total) +
                                " bytes, only " + std::to_string(available) +
                                " follow the lengths at byte " + std::to_string(data_offset_));
    }
  }
  total_bytes_ = static_cast<size_t>(total);
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::Decode(std::string_view* out, int64_t n) {
  if (n < 0) return Status::InvalidArgument("DeltaLengthByteArrayDecoder::Decode: negative count");
  if (n > values_left()) {
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: " + std::to_string(n) +
                              " values requested, only " + std::to_string(values_left()) +
                              " remain");
  }
  const char* base = reinterpret_cast<const char*>(value_bytes());
  const int32_t* lengths = lengths_.data() + next_;
  size_t offset = next_offset_;
  for (int64_t i = 0; i < n; ++i) {
    const size_t len = static_cast<size_t>(lengths[i]);
    out[i] = std::string_view(base + offset, len);
    offset += len;
  }
  next_ += n;
  next_offset_ = offset;
  return Status::OK();
}

void EncodeDeltaLengthByteArray(const std::string_view* values, int64_t n,
                                std::vector<uint8_t>* out) {
  std::vector<int32_t> lengths(static_cast<size_t>(std::max<int64_t>(n, 0)));
  size_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    lengths[static_cast<size_t>(i)] = static_cast<int32_t>(values[i].size());
    total += values[i].size();
  }
  EncodeDeltaBinaryPacked(lengths.data(), n, out);
  out->reserve(out->size() + total);
  for (int64_t i = 0; i < n; ++i) out->insert(out->end(), values[i].begin(), values[i].end());
}

}  // namespace edgepipe::parquet
