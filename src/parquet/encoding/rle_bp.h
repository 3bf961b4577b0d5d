#pragma once
// The Parquet RLE/bit-packing hybrid (encoding RLE = 3): definition and
// repetition levels, dictionary indices, and RLE-encoded booleans.
//
//   encoded-data := <run>*
//   run          := varint(count/8 << 1 | 1) <count values bit-packed>
//                 | varint(count << 1)       <value in ceil(width/8) bytes, LE>
//
// Where a 4-byte little-endian length precedes the data (data page v1 levels,
// RLE booleans in v1 and v2 pages), use DecodeLengthPrefixedRle /
// EncodeLengthPrefixedRle; v2 levels and dictionary indices have no prefix.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Streaming decoder over a borrowed buffer (it must outlive the decoder).
// GetBatch may be called repeatedly; each call continues where the last one
// stopped. Not thread-safe.
class RleBpDecoder {
 public:
  // bit_width 0 decodes all zeros without reading `data`. A bit_width outside
  // 0..32 makes every GetBatch return Corruption.
  RleBpDecoder(const uint8_t* data, size_t size, int bit_width);

  // Decodes the next n values into out. T is uint8_t, int16_t, uint16_t,
  // int32_t or uint32_t; a bit width wider than T is InvalidArgument.
  // Corruption if the data ends before n values, a run header is malformed,
  // or an RLE value does not fit in bit_width bits. After an error the
  // decoder's state is unspecified.
  template <typename T>
  Status GetBatch(T* out, int64_t n);

  // Bytes of `data` consumed by the runs started so far.
  size_t position() const { return pos_; }
  int bit_width() const { return bit_width_; }

 private:
  template <typename U>
  Status GetBatchImpl(U* out, int64_t n);
  Status NextRun(int64_t values_wanted);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int bit_width_;
  int64_t decoded_ = 0;  // values returned so far, for error messages

  // Current RLE run.
  int64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  // Current bit-packed run: whole groups left at data_ + literal_pos_, and
  // the values of a partly consumed group.
  int64_t literal_groups_left_ = 0;
  size_t literal_pos_ = 0;
  int64_t literal_values_left_ = 0;  // values of the run still to return
  uint32_t group_[8] = {};
  int group_pos_ = 8;
};

// Encoder: Put() buffers values, Flush() appends the encoded runs to `out`
// and resets. Repeats of 8 or more become RLE runs, everything else is
// bit-packed in groups of 8 (the final group zero-padded). Values must fit in
// bit_width bits (0..32); extra high bits are dropped.
class RleBpEncoder {
 public:
  explicit RleBpEncoder(int bit_width);

  void Put(const uint32_t* values, int64_t n);
  void Flush(std::vector<uint8_t>* out);
  int64_t num_buffered() const { return static_cast<int64_t>(values_.size()); }

 private:
  void WriteRle(uint32_t value, int64_t count, std::vector<uint8_t>* out) const;
  void WriteLiterals(const uint32_t* values, int64_t count, std::vector<uint8_t>* out) const;

  int bit_width_;
  std::vector<uint32_t> values_;
};

// <4-byte LE length> <hybrid data>. Decodes n values and sets *consumed to
// 4 + length. Corruption when the prefix or the length it states runs past
// `size`, or the hybrid data is corrupt.
template <typename T>
Status DecodeLengthPrefixedRle(const uint8_t* data, size_t size, int bit_width, int64_t n,
                               T* out, size_t* consumed);

// Appends <4-byte LE length> <hybrid data> for n values.
void EncodeLengthPrefixedRle(const uint32_t* values, int64_t n, int bit_width,
                             std::vector<uint8_t>* out);

}  // namespace edgepipe::parquet
