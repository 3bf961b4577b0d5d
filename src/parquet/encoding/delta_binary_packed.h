#pragma once
// DELTA_BINARY_PACKED (= 5) for INT32 and INT64.
//
//   header := uleb(block size) uleb(miniblocks per block) uleb(total count)
//             zigzag-uleb(first value)
//   block  := zigzag-uleb(min delta) <one bit-width byte per miniblock>
//             <miniblocks, each (block size / miniblocks) values bit-packed>
//
// All delta arithmetic is done on the unsigned type, so wrap-around (e.g.
// INT64_MIN after INT64_MAX) is well defined and round-trips.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Streaming decoder over a borrowed buffer. T is int32_t or int64_t.
//
// Accepted headers: block size a multiple of 8 (the spec demands 128, but its
// own examples use 8), miniblock count dividing it into miniblocks of a
// multiple of 8 values, bit widths <= 8 * sizeof(T). A miniblock's bytes
// (including the padding of the last one) must all be present.
template <typename T>
class DeltaBinaryPackedDecoder {
 public:
  static_assert(std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>);
  using U = std::make_unsigned_t<T>;

  // Parses the header. Corruption on a truncated or invalid header.
  Status Init(const uint8_t* data, size_t size);

  // Decodes the next n values. Corruption if n exceeds values_left() or the
  // data is cut short or invalid. After an error the state is unspecified.
  Status Decode(T* out, int64_t n);

  // Values the header promised that Decode has not returned yet.
  int64_t values_left() const { return values_left_; }
  int64_t total_values() const { return total_values_; }

  // Bytes used so far: the header, then every block and miniblock that
  // Decode started, each including its padding. After all values are
  // decoded this is the size of the encoded stream, which is where the data
  // that follows it (e.g. DELTA_LENGTH_BYTE_ARRAY's bytes) begins.
  size_t bytes_consumed() const { return pos_; }

 private:
  Status NextMiniblock();
  Status ErrorAt(size_t pos, const std::string& what) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;  // end of what has been consumed

  // Constant after Init.
  int64_t values_per_block_ = 0;
  int64_t miniblocks_per_block_ = 0;
  int64_t values_per_miniblock_ = 0;
  int64_t total_values_ = 0;

  int64_t values_left_ = 0;
  bool first_pending_ = false;
  U last_value_ = 0;

  // Current block and miniblock.
  U min_delta_ = 0;
  const uint8_t* bit_widths_ = nullptr;  // miniblocks_per_block_ bytes
  int64_t miniblock_idx_ = 0;           // next miniblock to start
  int bit_width_ = 0;                   // of the current miniblock
  const uint8_t* mb_data_ = nullptr;    // next unread group of it
  int64_t mb_values_left_ = 0;          // values (incl. padding) not yet read
  // Deltas of a group only partly returned.
  U group_[8] = {};
  int group_pos_ = 8;
};

// Appends the encoding of n values with block size 128 and 4 miniblocks of 32
// (what parquet-mr, Arrow and DuckDB write). T is int32_t or int64_t.
template <typename T>
void EncodeDeltaBinaryPacked(const T* values, int64_t n, std::vector<uint8_t>* out);

}  // namespace edgepipe::parquet
