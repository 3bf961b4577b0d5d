#include "parquet/encoding/delta_binary_packed.h"

#include <algorithm>
#include <string>

#include "parquet/encoding/bit_pack.h"
#include "parquet/encoding/varint.h"

namespace edgepipe::parquet {

namespace {
constexpr int64_t kMaxBlockSize = int64_t{1} << 30;
constexpr int64_t kEncodeBlockSize = 128;
constexpr int64_t kEncodeMiniblocks = 4;
constexpr int64_t kEncodeMiniblockSize = kEncodeBlockSize / kEncodeMiniblocks;
}  // namespace

template <typename T>
Status DeltaBinaryPackedDecoder<T>::ErrorAt(size_t pos, const std::string& what) const {
  return Status::Corruption("DELTA_BINARY_PACKED at byte " + std::to_string(pos) + ": " + what);
}

template <typename T>
Status DeltaBinaryPackedDecoder<T>::Init(const uint8_t* data, size_t size) {
  data_ = data;
  size_ = data == nullptr ? 0 : size;
  pos_ = 0;
  uint64_t block_size, miniblocks, total, first_zz;
  if (!ReadUleb128(data_, size_, &pos_, &block_size)) return ErrorAt(pos_, "truncated block size");
  if (!ReadUleb128(data_, size_, &pos_, &miniblocks)) {
    return ErrorAt(pos_, "truncated miniblock count");
  }
  if (!ReadUleb128(data_, size_, &pos_, &total)) return ErrorAt(pos_, "truncated value count");
  if (!ReadUleb128(data_, size_, &pos_, &first_zz)) return ErrorAt(pos_, "truncated first value");
  if (block_size == 0 || block_size % 8 != 0 || block_size > kMaxBlockSize) {
    return ErrorAt(0, "block size " + std::to_string(block_size) +
                          " is not a positive multiple of 8 (at most 2^30)");
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 8 != 0) {
    return ErrorAt(0, "miniblock count " + std::to_string(miniblocks) +
                          " does not divide block size " + std::to_string(block_size) +
                          " into miniblocks of a multiple of 8 values");
  }
  if (total > static_cast<uint64_t>(INT64_MAX)) {
    return ErrorAt(0, "value count " + std::to_string(total) + " is out of range");
  }
  values_per_block_ = static_cast<int64_t>(block_size);
  miniblocks_per_block_ = static_cast<int64_t>(miniblocks);
  values_per_miniblock_ = values_per_block_ / miniblocks_per_block_;
  total_values_ = static_cast<int64_t>(total);
  values_left_ = total_values_;
  first_pending_ = total_values_ > 0;
  last_value_ = static_cast<U>(ZigZagDecode(first_zz));
  min_delta_ = 0;
  bit_widths_ = nullptr;
  miniblock_idx_ = miniblocks_per_block_;  // the first delta starts a block
  bit_width_ = 0;
  mb_data_ = nullptr;
  mb_values_left_ = 0;
  group_pos_ = 8;
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder<T>::NextMiniblock() {
  if (miniblock_idx_ == miniblocks_per_block_) {
    const size_t block_pos = pos_;
    uint64_t min_delta_zz;
    if (!ReadUleb128(data_, size_, &pos_, &min_delta_zz)) {
      return ErrorAt(block_pos, "block header (min delta) truncated or overlong; " +
                                    std::to_string(values_left_) + " values still expected");
    }
    if (static_cast<uint64_t>(miniblocks_per_block_) > size_ - pos_) {
      return ErrorAt(pos_, "block needs " + std::to_string(miniblocks_per_block_) +
                               " bit-width bytes, " + std::to_string(size_ - pos_) + " remain");
    }
    min_delta_ = static_cast<U>(ZigZagDecode(min_delta_zz));
    bit_widths_ = data_ + pos_;
    pos_ += static_cast<size_t>(miniblocks_per_block_);
    miniblock_idx_ = 0;
  }
  const int width = bit_widths_[miniblock_idx_];
  if (width > static_cast<int>(sizeof(T) * 8)) {
    return ErrorAt(static_cast<size_t>(bit_widths_ + miniblock_idx_ - data_),
                   "miniblock bit width " + std::to_string(width) + " exceeds " +
                       std::to_string(sizeof(T) * 8));
  }
  ++miniblock_idx_;
  const uint64_t bytes = static_cast<uint64_t>(values_per_miniblock_) * width / 8;
  if (bytes > size_ - pos_) {
    return ErrorAt(pos_, "miniblock of " + std::to_string(values_per_miniblock_) + " values at " +
                             std::to_string(width) + " bits needs " + std::to_string(bytes) +
                             " bytes, " + std::to_string(size_ - pos_) + " remain");
  }
  bit_width_ = width;
  mb_data_ = data_ + pos_;
  pos_ += static_cast<size_t>(bytes);
  mb_values_left_ = values_per_miniblock_;
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder<T>::Decode(T* out, int64_t n) {
  if (n < 0) return Status::InvalidArgument("DeltaBinaryPackedDecoder::Decode: negative count");
  if (n > values_left_) {
    return Status::Corruption("DELTA_BINARY_PACKED: " + std::to_string(n) +
                              " values requested, the stream holds only " +
                              std::to_string(values_left_) + " more (of " +
                              std::to_string(total_values_) + ")");
  }
  if (n == 0) return Status::OK();
  values_left_ -= n;
  if (first_pending_) {
    *out++ = static_cast<T>(last_value_);
    --n;
    first_pending_ = false;
  }
  U last = last_value_;
  while (n > 0) {
    if (group_pos_ < 8) {
      const int64_t k = std::min<int64_t>(n, 8 - group_pos_);
      for (int64_t i = 0; i < k; ++i) {
        last += min_delta_ + group_[group_pos_ + i];
        out[i] = static_cast<T>(last);
      }
      group_pos_ += static_cast<int>(k);
      out += k;
      n -= k;
      continue;
    }
    if (mb_values_left_ == 0) {
      last_value_ = last;
      RETURN_NOT_OK(NextMiniblock());
      continue;
    }
    const int64_t full_groups = std::min(n / 8, mb_values_left_ / 8);
    if (full_groups == 0) {
      bitpack::Unpack<U>(mb_data_, group_, bit_width_, 1);
      mb_data_ += bit_width_;
      mb_values_left_ -= 8;
      group_pos_ = 0;
      continue;
    }
    const int64_t count = full_groups * 8;
    const U md = min_delta_;
    if (bit_width_ == 0) {
      // Constant step (e.g. timestamps at a fixed rate): an affine sequence
      // with no data to read. Fixed groups of 8 independent adds let -O2's
      // SLP vectorizer use full vectors without a runtime trip count.
      U steps[8];
      for (int j = 0; j < 8; ++j) steps[j] = static_cast<U>(j + 1) * md;
      U* o = reinterpret_cast<U*>(out);
      for (int64_t g = 0; g < full_groups; ++g) {
        for (int j = 0; j < 8; ++j) o[g * 8 + j] = last + steps[j];
        last += steps[7];
      }
    } else {
      // Signed and unsigned variants of a type may alias.
      U* deltas = reinterpret_cast<U*>(out);
      bitpack::Unpack<U>(mb_data_, deltas, bit_width_, full_groups);
      mb_data_ += full_groups * bit_width_;
      for (int64_t i = 0; i < count; ++i) {
        last += md + deltas[i];
        deltas[i] = last;
      }
    }
    mb_values_left_ -= count;
    out += count;
    n -= count;
  }
  last_value_ = last;
  return Status::OK();
}

template class DeltaBinaryPackedDecoder<int32_t>;
template class DeltaBinaryPackedDecoder<int64_t>;

template <typename T>
void EncodeDeltaBinaryPacked(const T* values, int64_t n, std::vector<uint8_t>* out) {
  using U = std::make_unsigned_t<T>;
  WriteUleb128(kEncodeBlockSize, out);
  WriteUleb128(kEncodeMiniblocks, out);
  WriteUleb128(static_cast<uint64_t>(std::max<int64_t>(n, 0)), out);
  WriteUleb128(ZigZagEncode(n > 0 ? static_cast<int64_t>(values[0]) : 0), out);
  U deltas[kEncodeBlockSize];
  for (int64_t start = 1; start < n; start += kEncodeBlockSize) {
    const int64_t count = std::min(kEncodeBlockSize, n - start);
    T min_delta = 0;
    for (int64_t j = 0; j < count; ++j) {
      deltas[j] = static_cast<U>(static_cast<U>(values[start + j]) -
                                 static_cast<U>(values[start + j - 1]));
      const T d = static_cast<T>(deltas[j]);
      if (j == 0 || d < min_delta) min_delta = d;
    }
    for (int64_t j = 0; j < count; ++j) deltas[j] = static_cast<U>(deltas[j] - static_cast<U>(min_delta));
    std::fill(deltas + count, deltas + kEncodeBlockSize, U{0});  // padding bits are zero
    WriteUleb128(ZigZagEncode(static_cast<int64_t>(min_delta)), out);
    int widths[kEncodeMiniblocks] = {};
    const int64_t used_miniblocks = (count + kEncodeMiniblockSize - 1) / kEncodeMiniblockSize;
    for (int64_t mb = 0; mb < used_miniblocks; ++mb) {
      U all = 0;
      for (int64_t j = 0; j < kEncodeMiniblockSize; ++j) all |= deltas[mb * kEncodeMiniblockSize + j];
      widths[mb] = bitpack::BitWidthOf(all);
    }
    for (int64_t mb = 0; mb < kEncodeMiniblocks; ++mb) out->push_back(static_cast<uint8_t>(widths[mb]));
    for (int64_t mb = 0; mb < used_miniblocks; ++mb) {
      const size_t at = out->size();
      out->resize(at + static_cast<size_t>(kEncodeMiniblockSize / 8 * widths[mb]));
      bitpack::Pack<U>(deltas + mb * kEncodeMiniblockSize, out->data() + at, widths[mb],
                       kEncodeMiniblockSize / 8);
    }
  }
}

template void EncodeDeltaBinaryPacked<int32_t>(const int32_t*, int64_t, std::vector<uint8_t>*);
template void EncodeDeltaBinaryPacked<int64_t>(const int64_t*, int64_t, std::vector<uint8_t>*);

}  // namespace edgepipe::parquet
