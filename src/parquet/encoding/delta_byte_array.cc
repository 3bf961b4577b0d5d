#include "parquet/encoding/delta_byte_array.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/delta_length_byte_array.h"

namespace edgepipe::parquet {

Status DeltaByteArrayDecoder::Init(const uint8_t* data, size_t size, int64_t max_values,
                                   int64_t max_decoded_bytes) {
  if (data == nullptr) size = 0;
  arena_.reset();
  lengths_.clear();
  next_ = 0;
  next_offset_ = 0;
  bytes_consumed_ = 0;

  DeltaBinaryPackedDecoder<int32_t> prefix_decoder;
  RETURN_NOT_OK(prefix_decoder.Init(data, size).WithContext("DELTA_BYTE_ARRAY prefix lengths"));
  const int64_t count = prefix_decoder.total_values();
  if (count > max_values) {
    return Status::Corruption("DELTA_BYTE_ARRAY header claims " + std::to_string(count) +
                              " values, the page holds at most " + std::to_string(max_values));
  }
  std::vector<int32_t> prefixes(static_cast<size_t>(count));
  RETURN_NOT_OK(prefix_decoder.Decode(prefixes.data(), count)
                    .WithContext("DELTA_BYTE_ARRAY prefix lengths"));
  const size_t suffix_pos = prefix_decoder.bytes_consumed();

  DeltaLengthByteArrayDecoder suffix_decoder;
  RETURN_NOT_OK(suffix_decoder.Init(data + suffix_pos, size - suffix_pos, max_values)
                    .WithContext("DELTA_BYTE_ARRAY suffixes at byte " + std::to_string(suffix_pos)));
  if (suffix_decoder.total_values() != count) {
    return Status::Corruption("DELTA_BYTE_ARRAY has " + std::to_string(count) +
                              " prefix lengths but " +
                              std::to_string(suffix_decoder.total_values()) + " suffixes");
  }
  const std::vector<int32_t>& suffix_lengths = suffix_decoder.lengths();

  // Pass 1: validate and size the arena.
  const int64_t limit = std::clamp<int64_t>(max_decoded_bytes, 0, int64_t{1} << 62);
  int64_t total = 0;
  int64_t prev_len = 0;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t prefix = prefixes[static_cast<size_t>(i)];
    if (prefix < 0 || prefix > prev_len) {
      return Status::Corruption("DELTA_BYTE_ARRAY value " + std::to_string(i) +
                                " has prefix length " + std::to_string(prefix) +
                                "; the previous value has " + std::to_string(prev_len) +
                                " bytes");
    }
    const int64_t len = int64_t{prefix} + suffix_lengths[static_cast<size_t>(i)];
    if (len > INT32_MAX) {
      return Status::Corruption("DELTA_BYTE_ARRAY value " + std::to_string(i) + " would be " +
                                std::to_string(len) + " bytes long");
    }
    total += len;  // no overflow: total <= limit <= 2^62 before, len < 2^31
    if (total > limit) {
      return Status::NotSupported("DELTA_BYTE_ARRAY decodes to more than " +
                                  std::to_string(limit) + " bytes (value " +
                                  std::to_string(i) + ")");
    }
    prefixes[static_cast<size_t>(i)] = static_cast<int32_t>(len);  // now the full length
    prev_len = len;
  }

  // Pass 2: rebuild each value from the previous one's prefix and its suffix.
  arena_ = std::make_unique_for_overwrite<char[]>(static_cast<size_t>(std::max<int64_t>(total, 1)));
  char* dst = arena_.get();
  const char* prev = dst;
  const uint8_t* suffix = suffix_decoder.value_bytes();
  for (int64_t i = 0; i < count; ++i) {
    const size_t len = static_cast<size_t>(prefixes[static_cast<size_t>(i)]);
    const size_t suffix_len = static_cast<size_t>(suffix_lengths[static_cast<size_t>(i)]);
    const size_t prefix_len = len - suffix_len;
    // The prefix comes from the previous value, which ends where dst starts.
    if (prefix_len > 0) std::memcpy(dst, prev, prefix_len);
    if (suffix_len > 0) std::memcpy(dst + prefix_len, suffix, suffix_len);
    suffix += suffix_len;
    prev = dst;
    dst += len;
  }
  lengths_ = std::move(prefixes);
  bytes_consumed_ = suffix_pos + suffix_decoder.bytes_consumed();
  return Status::OK();
}

Status DeltaByteArrayDecoder::Decode(std::string_view* out, int64_t n) {
  if (n < 0) return Status::InvalidArgument("DeltaByteArrayDecoder::Decode: negative count");
  if (n > values_left()) {
    return Status::Corruption("DELTA_BYTE_ARRAY: " + std::to_string(n) +
                              " values requested, only " + std::to_string(values_left()) +
                              " remain");
  }
  const char* base = arena_.get();
  size_t offset = next_offset_;
  for (int64_t i = 0; i < n; ++i) {
    const size_t len = static_cast<size_t>(lengths_[static_cast<size_t>(next_ + i)]);
    out[i] = std::string_view(base + offset, len);
    offset += len;
  }
  next_ += n;
  next_offset_ = offset;
  return Status::OK();
}

void EncodeDeltaByteArray(const std::string_view* values, int64_t n, std::vector<uint8_t>* out) {
  const size_t count = static_cast<size_t>(std::max<int64_t>(n, 0));
  std::vector<int32_t> prefixes(count);
  std::vector<std::string_view> suffixes(count);
  std::string_view prev;
  for (size_t i = 0; i < count; ++i) {
    const std::string_view cur = values[i];
    const size_t limit = std::min(prev.size(), cur.size());
    size_t common = 0;
    while (common < limit && prev[common] == cur[common]) ++common;
    prefixes[i] = static_cast<int32_t>(common);
    suffixes[i] = cur.substr(common);
    prev = cur;
  }
  EncodeDeltaBinaryPacked(prefixes.data(), static_cast<int64_t>(count), out);
  EncodeDeltaLengthByteArray(suffixes.data(), static_cast<int64_t>(count), out);
}

}  // namespace edgepipe::parquet
