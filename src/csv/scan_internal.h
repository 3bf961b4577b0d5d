#pragma once
// Byte-class masks over 64-byte windows: bit i of a mask is set when byte i of
// the window equals the character. The parser walks the set bits with
// countr_zero instead of testing every byte; a CSV field is ~10 bytes, so the
// bit walk does one step per field instead of ten per-byte compares.
//
// SSE2 is part of the x86-64 baseline (no -march needed); other targets use a
// portable SWAR version that handles 8 bytes per step. Both are compiled and
// tested against each other (tests/csv/scan_test.cc).

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace edgepipe::csv::internal {

struct WindowMasks {
  uint64_t delimiter;
  uint64_t newline;
  uint64_t quote;
};

// Bits set at the zero bytes of `x` (exact: no false positives).
inline uint64_t SwarZeroBytes(uint64_t x) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const uint64_t y = (x & kLow7) + kLow7;  // high bit set iff low 7 bits non-zero
  return ~(y | x | kLow7);                 // high bit set iff the byte is zero
}

// 8 high bits (one per byte) -> 8 consecutive bits.
inline uint64_t SwarGatherHighBits(uint64_t h) {
  // Each 0x80 bit moves to the top byte at a distinct position; the multiply
  // never carries because the source bits are 8 apart.
  return ((h >> 7) * 0x0102040810204080ULL) >> 56;
}

inline WindowMasks ScanWindowSwar(const uint8_t* p, char delimiter, char quote) {
  const uint64_t bd = 0x0101010101010101ULL * static_cast<uint8_t>(delimiter);
  const uint64_t bn = 0x0101010101010101ULL * static_cast<uint8_t>('\n');
  const uint64_t bq = 0x0101010101010101ULL * static_cast<uint8_t>(quote);
  WindowMasks m{0, 0, 0};
  for (int k = 0; k < 8; ++k) {
    uint64_t w;
    std::memcpy(&w, p + 8 * k, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    m.delimiter |= SwarGatherHighBits(SwarZeroBytes(w ^ bd)) << (8 * k);
    m.newline |= SwarGatherHighBits(SwarZeroBytes(w ^ bn)) << (8 * k);
    m.quote |= SwarGatherHighBits(SwarZeroBytes(w ^ bq)) << (8 * k);
  }
  return m;
}

#if defined(__SSE2__)
inline WindowMasks ScanWindowSse2(const uint8_t* p, char delimiter, char quote) {
  const __m128i vd = _mm_set1_epi8(delimiter);
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vq = _mm_set1_epi8(quote);
  const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
  const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32));
  const __m128i v3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48));
  auto mask = [&](__m128i c) {
    const auto m0 = static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v0, c))));
    const auto m1 = static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v1, c))));
    const auto m2 = static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v2, c))));
    const auto m3 = static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v3, c))));
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
  };
  return {mask(vd), mask(vn), mask(vq)};
}
#endif

// Masks of the 64 bytes at p (all 64 must be readable).
inline WindowMasks ScanWindow(const uint8_t* p, char delimiter, char quote) {
#if defined(__SSE2__)
  return ScanWindowSse2(p, delimiter, quote);
#else
  return ScanWindowSwar(p, delimiter, quote);
#endif
}

}  // namespace edgepipe::csv::internal
