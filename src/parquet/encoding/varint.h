#pragma once
// ULEB128 and zigzag helpers shared by the hybrid and delta encodings.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgepipe::parquet {

// Reads a ULEB128 value of at most 10 bytes from data[*pos, size). On success
// advances *pos and returns true. Returns false, leaving *pos unchanged, when
// the input ends first or the value does not fit in 64 bits.
inline bool ReadUleb128(const uint8_t* data, size_t size, size_t* pos, uint64_t* out) {
  uint64_t result = 0;
  size_t p = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= size) return false;
    const uint8_t byte = data[p++];
    const uint64_t bits = byte & 0x7F;
    // The 10th byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && bits > 1) return false;
    result |= bits << shift;
    if ((byte & 0x80) == 0) {
      *out = result;
      *pos = p;
      return true;
    }
  }
  return false;
}

inline void WriteUleb128(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

}  // namespace edgepipe::parquet
