#include "parquet/encoding/rle_bp.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "parquet/encoding/bit_pack.h"
#include "parquet/encoding/varint.h"

namespace edgepipe::parquet {

namespace {
constexpr int64_t kMaxRunLength = (int64_t{1} << 31) - 1;  // spec: runs fit in int32
constexpr int64_t kMaxLiteralGroups = kMaxRunLength / 8;
}  // namespace

RleBpDecoder::RleBpDecoder(const uint8_t* data, size_t size, int bit_width)
    : data_(data), size_(data == nullptr ? 0 : size), bit_width_(bit_width) {}

Status RleBpDecoder::NextRun(int64_t values_wanted) {
  const size_t header_pos = pos_;
  uint64_t header;
  if (!ReadUleb128(data_, size_, &pos_, &header)) {
    if (header_pos >= size_) {
      return Status::Corruption("RLE/bit-packed data ends at byte " + std::to_string(size_) +
                                " after " + std::to_string(decoded_) + " values; " +
                                std::to_string(values_wanted) + " more expected");
    }
    return Status::Corruption("RLE/bit-packed run header at byte " + std::to_string(header_pos) +
                              " is truncated or longer than 10 bytes");
  }
  const uint64_t count = header >> 1;
  if (header & 1) {
    // Bit-packed run of `count` groups of 8. A writer may have cut the last
    // run short of its padding: accept the whole values that are present.
    const size_t avail = size_ - pos_;
    const uint64_t bw = static_cast<uint64_t>(bit_width_);
    literal_pos_ = pos_;
    group_pos_ = 8;
    if (count <= avail / bw) {
      literal_groups_left_ = static_cast<int64_t>(count);
      literal_values_left_ = static_cast<int64_t>(count) * 8;
      pos_ += static_cast<size_t>(count * bw);
    } else {
      literal_groups_left_ = static_cast<int64_t>(avail / bw);
      literal_values_left_ = static_cast<int64_t>(avail * 8 / bw);
      pos_ = size_;
      if (literal_values_left_ == 0) {
        return Status::Corruption("bit-packed run at byte " + std::to_string(header_pos) +
                                  " declares " + std::to_string(count * 8) + " values of " +
                                  std::to_string(bit_width_) + " bits but only " +
                                  std::to_string(avail) + " bytes remain");
      }
    }
    return Status::OK();
  }
  const size_t value_bytes = static_cast<size_t>((bit_width_ + 7) / 8);
  if (size_ - pos_ < value_bytes) {
    return Status::Corruption("RLE run at byte " + std::to_string(header_pos) + " needs " +
                              std::to_string(value_bytes) + " value bytes, " +
                              std::to_string(size_ - pos_) + " remain");
  }
  uint32_t value = 0;
  for (size_t b = 0; b < value_bytes; ++b) value |= static_cast<uint32_t>(data_[pos_ + b]) << (8 * b);
  pos_ += value_bytes;
  if (bit_width_ < 32 && (value >> bit_width_) != 0) {
    return Status::Corruption("RLE run at byte " + std::to_string(header_pos) + " repeats value " +
                              std::to_string(value) + " which does not fit in " +
                              std::to_string(bit_width_) + " bits");
  }
  rle_value_ = value;
  rle_left_ = static_cast<int64_t>(std::min<uint64_t>(count, INT64_MAX));
  return Status::OK();
}

template <typename U>
Status RleBpDecoder::GetBatchImpl(U* out, int64_t n) {
  while (n > 0) {
    if (rle_left_ > 0) {
      const int64_t k = std::min(n, rle_left_);
      std::fill(out, out + k, static_cast<U>(rle_value_));
      out += k;
      n -= k;
      rle_left_ -= k;
      decoded_ += k;
    } else if (literal_values_left_ > 0) {
      if (group_pos_ < 8) {
        const int64_t k =
            std::min({n, static_cast<int64_t>(8 - group_pos_), literal_values_left_});
        for (int64_t i = 0; i < k; ++i) out[i] = static_cast<U>(group_[group_pos_ + i]);
        group_pos_ += static_cast<int>(k);
        out += k;
        n -= k;
        literal_values_left_ -= k;
        decoded_ += k;
        if (literal_values_left_ == 0) group_pos_ = 8;
        continue;
      }
      const int64_t full = std::min({n / 8, literal_groups_left_, literal_values_left_ / 8});
      if (full > 0) {
        // Hot path: whole groups straight into the output.
        bitpack::Unpack<U>(data_ + literal_pos_, out, bit_width_, full);
        literal_pos_ += static_cast<size_t>(full * bit_width_);
        literal_groups_left_ -= full;
        literal_values_left_ -= full * 8;
        out += full * 8;
        n -= full * 8;
        decoded_ += full * 8;
      } else {
        // One group into group_, zero-padded if the run was cut short.
        uint8_t buf[32] = {};
        const size_t bytes =
            std::min(static_cast<size_t>(bit_width_), size_ - literal_pos_);
        std::memcpy(buf, data_ + literal_pos_, bytes);
        bitpack::Unpack<uint32_t>(buf, group_, bit_width_, 1);
        literal_pos_ += bytes;
        if (literal_groups_left_ > 0) --literal_groups_left_;
        group_pos_ = 0;
      }
    } else {
      RETURN_NOT_OK(NextRun(n));
    }
  }
  return Status::OK();
}

template <typename T>
Status RleBpDecoder::GetBatch(T* out, int64_t n) {
  using U = std::make_unsigned_t<T>;
  if (n < 0) return Status::InvalidArgument("RleBpDecoder::GetBatch: negative count");
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Status::Corruption("RLE/bit-packed bit width " + std::to_string(bit_width_) +
                              " is outside 0..32");
  }
  if (bit_width_ > static_cast<int>(sizeof(T) * 8)) {
    return Status::InvalidArgument("RLE/bit-packed bit width " + std::to_string(bit_width_) +
                                   " does not fit the " + std::to_string(sizeof(T) * 8) +
                                   "-bit output type");
  }
  if (bit_width_ == 0) {
    std::fill(out, out + n, T{0});
    decoded_ += n;
    return Status::OK();
  }
  // Signed and unsigned variants of a type may alias.
  return GetBatchImpl<U>(reinterpret_cast<U*>(out), n);
}

template Status RleBpDecoder::GetBatch<uint8_t>(uint8_t*, int64_t);
template Status RleBpDecoder::GetBatch<int16_t>(int16_t*, int64_t);
template Status RleBpDecoder::GetBatch<uint16_t>(uint16_t*, int64_t);
template Status RleBpDecoder::GetBatch<int32_t>(int32_t*, int64_t);
template Status RleBpDecoder::GetBatch<uint32_t>(uint32_t*, int64_t);

// ------------------------------------------------------------------ encoder

RleBpEncoder::RleBpEncoder(int bit_width) : bit_width_(std::clamp(bit_width, 0, 32)) {}

void RleBpEncoder::Put(const uint32_t* values, int64_t n) {
  if (n <= 0) return;
  if (bit_width_ == 32) {
    values_.insert(values_.end(), values, values + n);
  } else {
    const uint32_t mask = (uint32_t{1} << bit_width_) - 1;
    const size_t old = values_.size();
    values_.resize(old + static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) values_[old + i] = values[i] & mask;
  }
}

void RleBpEncoder::WriteRle(uint32_t value, int64_t count, std::vector<uint8_t>* out) const {
  const int value_bytes = (bit_width_ + 7) / 8;
  while (count > 0) {
    const int64_t run = std::min(count, kMaxRunLength);
    WriteUleb128(static_cast<uint64_t>(run) << 1, out);
    for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<uint8_t>(value >> (8 * b)));
    count -= run;
  }
}

void RleBpEncoder::WriteLiterals(const uint32_t* values, int64_t count,
                                 std::vector<uint8_t>* out) const {
  while (count > 0) {
    const int64_t groups = std::min((count + 7) / 8, kMaxLiteralGroups);
    const int64_t take = std::min(count, groups * 8);
    WriteUleb128((static_cast<uint64_t>(groups) << 1) | 1, out);
    const size_t start = out->size();
    out->resize(start + static_cast<size_t>(groups * bit_width_));
    const int64_t full = take / 8;
    bitpack::Pack<uint32_t>(values, out->data() + start, bit_width_, full);
    if (take % 8 != 0) {
      uint32_t last[8] = {};
      std::copy(values + full * 8, values + take, last);
      bitpack::Pack<uint32_t>(last, out->data() + start + full * bit_width_, bit_width_, 1);
    }
    values += take;
    count -= take;
  }
}

void RleBpEncoder::Flush(std::vector<uint8_t>* out) {
  const uint32_t* v = values_.data();
  const int64_t n = static_cast<int64_t>(values_.size());
  int64_t lit_start = 0;  // pending literals are [lit_start, i)
  int64_t i = 0;
  while (i < n) {
    int64_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    int64_t run = j - i;
    if (run >= 8) {
      // Literal runs hold whole groups of 8, so first top up the pending
      // literals to a multiple of 8 from this run, if enough of it remains.
      const int64_t pending = i - lit_start;
      const int64_t pad = (8 - pending % 8) % 8;
      if (run - pad >= 8) {
        i += pad;
        run -= pad;
        WriteLiterals(v + lit_start, i - lit_start, out);
        WriteRle(v[i], run, out);
        lit_start = j;
      }
    }
    i = j;
  }
  WriteLiterals(v + lit_start, n - lit_start, out);
  values_.clear();
}

// ------------------------------------------------------- length-prefixed form

template <typename T>
Status DecodeLengthPrefixedRle(const uint8_t* data, size_t size, int bit_width, int64_t n,
                               T* out, size_t* consumed) {
  if (size < 4) {
    return Status::Corruption("RLE length prefix needs 4 bytes, " + std::to_string(size) +
                              " available");
  }
  uint32_t length;
  std::memcpy(&length, data, 4);
  if (length > size - 4) {
    return Status::Corruption("RLE length prefix says " + std::to_string(length) +
                              " bytes, only " + std::to_string(size - 4) + " follow");
  }
  RleBpDecoder decoder(data + 4, length, bit_width);
  RETURN_NOT_OK(decoder.GetBatch(out, n));
  *consumed = 4 + static_cast<size_t>(length);
  return Status::OK();
}

template Status DecodeLengthPrefixedRle<uint8_t>(const uint8_t*, size_t, int, int64_t, uint8_t*,
                                                 size_t*);
template Status DecodeLengthPrefixedRle<int16_t>(const uint8_t*, size_t, int, int64_t, int16_t*,
                                                 size_t*);
template Status DecodeLengthPrefixedRle<uint16_t>(const uint8_t*, size_t, int, int64_t,
                                                  uint16_t*, size_t*);
template Status DecodeLengthPrefixedRle<int32_t>(const uint8_t*, size_t, int, int64_t, int32_t*,
                                                 size_t*);
template Status DecodeLengthPrefixedRle<uint32_t>(const uint8_t*, size_t, int, int64_t,
                                                  uint32_t*, size_t*);

void EncodeLengthPrefixedRle(const uint32_t* values, int64_t n, int bit_width,
                             std::vector<uint8_t>* out) {
  const size_t prefix_pos = out->size();
  out->resize(prefix_pos + 4);
  RleBpEncoder encoder(bit_width);
  encoder.Put(values, n);
  encoder.Flush(out);
  const uint32_t length = static_cast<uint32_t>(out->size() - prefix_pos - 4);
  std::memcpy(out->data() + prefix_pos, &length, 4);
}

}  // namespace edgepipe::parquet
