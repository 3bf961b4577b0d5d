#include "parquet/encoding/dictionary.h"

#include <bit>
#include <cstring>

#include "parquet/encoding/bit_pack.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"

namespace edgepipe::parquet {

namespace {

constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
constexpr size_t kInitialSlots = 256;
constexpr size_t kChunkSize = 64 * 1024;

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 31;
  x *= kMul;
  x ^= x >> 29;
  return x;
}

// Eight bytes per step; the length seeds the state so "" and "\0" differ.
uint64_t HashBytes(std::string_view s) {
  const char* p = s.data();
  size_t len = s.size();
  uint64_t h = Mix(len + kMul);
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = std::rotl((h ^ w) * kMul, 27);
    p += 8;
    len -= 8;
  }
  if (len > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = std::rotl((h ^ w) * kMul, 27);
  }
  return Mix(h);
}

}  // namespace

template <typename T>
DictionaryEncoder<T>::DictionaryEncoder()
    : slots_(kInitialSlots, kEmpty), mask_(kInitialSlots - 1) {}

template <typename T>
DictionaryEncoder<T>::~DictionaryEncoder() = default;

template <typename T>
typename DictionaryEncoder<T>::Key DictionaryEncoder<T>::ToKey(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::bit_cast<Key>(v);
  } else {
    return v;
  }
}

template <typename T>
uint64_t DictionaryEncoder<T>::Hash(const Key& k) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return HashBytes(k);
  } else {
    return Mix(static_cast<uint64_t>(k) * kMul);
  }
}

template <typename T>
void DictionaryEncoder<T>::Grow() {
  const size_t capacity = slots_.size() * 2;
  slots_.assign(capacity, kEmpty);
  mask_ = capacity - 1;
  for (size_t e = 0; e < entries_.size(); ++e) {
    uint64_t slot = hashes_[e] & mask_;
    while (slots_[slot] != kEmpty) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<int32_t>(e);
  }
}

template <typename T>
std::string_view DictionaryEncoder<T>::Intern(std::string_view v) {
  if (v.empty()) return {};
  if (v.size() > chunk_left_) {
    const size_t size = std::max(kChunkSize, v.size());
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    chunk_pos_ = chunks_.back().get();
    chunk_left_ = size;
  }
  std::memcpy(chunk_pos_, v.data(), v.size());
  std::string_view copy(chunk_pos_, v.size());
  chunk_pos_ += v.size();
  chunk_left_ -= v.size();
  return copy;
}

template <typename T>
void DictionaryEncoder<T>::Put(const T* values, int64_t n) {
  if (n <= 0) return;
  const size_t base = indices_.size();
  indices_.resize(base + static_cast<size_t>(n));
  uint32_t* out = indices_.data() + base;
  for (int64_t i = 0; i < n; ++i) {
    const Key key = ToKey(values[i]);
    const uint64_t h = Hash(key);
    uint64_t slot = h & mask_;
    int32_t entry;
    while (true) {
      entry = slots_[slot];
      if (entry == kEmpty) {
        entry = static_cast<int32_t>(entries_.size());
        slots_[slot] = entry;
        hashes_.push_back(h);
        if constexpr (std::is_same_v<T, std::string_view>) {
          entries_.push_back(Intern(values[i]));
          dict_encoded_size_ += 4 + static_cast<int64_t>(values[i].size());
        } else {
          entries_.push_back(values[i]);
          dict_encoded_size_ += static_cast<int64_t>(sizeof(T));
        }
        // Keep the load factor at most 1/2 so probe sequences stay short.
        if (entries_.size() * 2 > slots_.size()) Grow();
        break;
      }
      if (hashes_[static_cast<size_t>(entry)] == h &&
          ToKey(entries_[static_cast<size_t>(entry)]) == key) {
        break;
      }
      slot = (slot + 1) & mask_;
    }
    out[i] = static_cast<uint32_t>(entry);
  }
}

template <typename T>
void DictionaryEncoder<T>::WriteDictPage(std::vector<uint8_t>* out) const {
  if constexpr (std::is_same_v<T, std::string_view>) {
    EncodePlainByteArray(entries_.data(), static_cast<int64_t>(entries_.size()), out);
  } else {
    EncodePlain<T>(entries_.data(), static_cast<int64_t>(entries_.size()), out);
  }
}

template <typename T>
int DictionaryEncoder<T>::index_bit_width() const {
  return entries_.empty() ? 0 : bitpack::BitWidthOf(entries_.size() - 1);
}

template <typename T>
void DictionaryEncoder<T>::WriteIndices(std::vector<uint8_t>* out) {
  const int bit_width = index_bit_width();
  out->push_back(static_cast<uint8_t>(bit_width));
  RleBpEncoder encoder(bit_width);
  encoder.Put(indices_.data(), static_cast<int64_t>(indices_.size()));
  encoder.Flush(out);
  indices_.clear();
}

template class DictionaryEncoder<int32_t>;
template class DictionaryEncoder<int64_t>;
template class DictionaryEncoder<float>;
template class DictionaryEncoder<double>;
template class DictionaryEncoder<std::string_view>;

Status DecodeDictionaryIndices(const uint8_t* data, size_t size, int64_t n, uint32_t* out) {
  if (n < 0) return Status::InvalidArgument("DecodeDictionaryIndices: negative count");
  if (size < 1) {
    if (n == 0) return Status::OK();
    return Status::Corruption("dictionary indices: missing the bit-width byte");
  }
  const int bit_width = data[0];
  if (bit_width > 32) {
    return Status::Corruption("dictionary indices: bit width " + std::to_string(bit_width) +
                              " exceeds 32");
  }
  RleBpDecoder decoder(data + 1, size - 1, bit_width);
  return decoder.GetBatch(out, n);
}

}  // namespace edgepipe::parquet
