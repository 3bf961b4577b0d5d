#pragma once
// Dictionary encoding (RLE_DICTIONARY = 8): the distinct values go to a
// dictionary page (PLAIN), each data page stores indices as one bit-width
// byte followed by the RLE/bit-packing hybrid.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::parquet {

// Writer side. T is int32_t, int64_t, float, double or std::string_view.
// Floating-point values are keyed by their bit pattern, so -0.0 and 0.0 are
// distinct entries and every NaN payload round-trips bit-exactly. For
// string_view the encoder copies the bytes of each new entry; the caller's
// buffers need not outlive Put. Not thread-safe.
template <typename T>
class DictionaryEncoder {
 public:
  DictionaryEncoder();
  ~DictionaryEncoder();
  DictionaryEncoder(const DictionaryEncoder&) = delete;
  DictionaryEncoder& operator=(const DictionaryEncoder&) = delete;

  // Adds values, appending one index per value for the current page.
  void Put(const T* values, int64_t n);

  int32_t num_entries() const { return static_cast<int32_t>(entries_.size()); }
  // Size of the PLAIN-encoded dictionary page body, so the writer can fall
  // back to PLAIN once it passes a limit.
  int64_t dict_encoded_size() const { return dict_encoded_size_; }
  int64_t num_buffered_indices() const { return static_cast<int64_t>(indices_.size()); }
  // Entries in index order. For string_view they point into the encoder.
  const std::vector<T>& entries() const { return entries_; }

  // Appends the dictionary page body (PLAIN).
  void WriteDictPage(std::vector<uint8_t>* out) const;
  // Appends the data page body for the indices put since the last call
  // (bit width byte + hybrid runs) and clears them.
  void WriteIndices(std::vector<uint8_t>* out);
  // Bit width WriteIndices uses: enough for num_entries() - 1.
  int index_bit_width() const;

 private:
  using Key = std::conditional_t<std::is_same_v<T, float>, uint32_t,
                                 std::conditional_t<std::is_same_v<T, double>, uint64_t, T>>;
  static Key ToKey(const T& v);
  static uint64_t Hash(const Key& k);
  void Grow();
  std::string_view Intern(std::string_view v);

  static constexpr int32_t kEmpty = -1;
  std::vector<int32_t> slots_;   // open addressing, linear probing; entry index or kEmpty
  std::vector<uint64_t> hashes_; // per entry, so growing needs no rehash of keys
  uint64_t mask_ = 0;
  std::vector<T> entries_;
  std::vector<uint32_t> indices_;
  int64_t dict_encoded_size_ = 0;
  // string_view only: copies of the entries' bytes, in chunks that never move.
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_left_ = 0;
  char* chunk_pos_ = nullptr;
};

// Reader side: out[i] = dict[indices[i]]. Corruption on the first index
// >= dict_size. T is any copyable type (numbers, string_view).
template <typename T>
Status DictionaryGather(const T* dict, int32_t dict_size, const uint32_t* indices, int64_t n,
                        T* out) {
  const uint32_t limit = static_cast<uint32_t>(std::max<int32_t>(dict_size, 0));
  // Check a block at a time with a max reduction (vectorizable), so the
  // gather loop itself has no branch.
  constexpr int64_t kBlock = 1024;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t len = std::min(kBlock, n - start);
    const uint32_t* idx = indices + start;
    uint32_t max_index = 0;
    for (int64_t i = 0; i < len; ++i) max_index = std::max(max_index, idx[i]);
    if (max_index >= limit) {
      int64_t bad = 0;
      while (idx[bad] < limit) ++bad;
      return Status::Corruption("dictionary index " + std::to_string(idx[bad]) +
                                " at position " + std::to_string(start + bad) +
                                " is out of range for a dictionary of " +
                                std::to_string(limit) + " entries");
    }
    T* dst = out + start;
    for (int64_t i = 0; i < len; ++i) dst[i] = dict[idx[i]];
  }
  return Status::OK();
}

// Reads the data page form written by WriteIndices: a bit-width byte (0..32)
// and n indices in the hybrid encoding. Does not check indices against the
// dictionary (DictionaryGather does).
Status DecodeDictionaryIndices(const uint8_t* data, size_t size, int64_t n, uint32_t* out);

}  // namespace edgepipe::parquet
