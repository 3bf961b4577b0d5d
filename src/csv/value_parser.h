#pragma once
// Field text -> value, for the converter's hot loops. Every function parses
// exactly [p, end) and returns false unless all of it is one value (no
// surrounding spaces: the converter retries trimmed on the slow path).

#include <bit>
#include <cstdint>
#include <cstring>

#include <fast_float/fast_float.h>

namespace edgepipe::csv {

namespace internal {

inline bool IsDigit(char c) { return static_cast<unsigned>(c - '0') <= 9; }

// Eight ASCII digits at p -> their value; false if any byte is not a digit.
// SWAR: digits are checked and combined pairwise in three multiplies instead
// of eight dependent multiply-adds (19-digit epoch-ns stamps are common).
inline bool ParseEightDigits(const char* p, uint64_t* out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  // All bytes in 0x30..0x39: high nibble 3, and adding 6 does not carry out of it.
  if (((v & 0xF0F0F0F0F0F0F0F0ULL) | (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) !=
      0x3333333333333333ULL) {
    return false;
  }
  v -= 0x3030303030303030ULL;  // byte k (little-endian) = digit k (most significant first)
  v = (v * 10) + (v >> 8);     // bytes 0,2,4,6: two-digit values
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  *out = v;
  return true;
}

inline constexpr double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace internal

// Optional sign, then decimal digits; overflow of int64 fails.
inline bool ParseInt64(const char* p, const char* end, int64_t* out) {
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  if (p == end) return false;
  // Leading zeros do not count towards the 19-digit limit.
  while (end - p > 19 && *p == '0') ++p;
  const auto n = end - p;
  if (n > 19) return false;
  uint64_t v = 0;
  while (end - p >= 8) {
    uint64_t eight;
    if (!internal::ParseEightDigits(p, &eight)) return false;
    v = v * 100000000 + eight;
    p += 8;
  }
  for (; p != end; ++p) {
    if (!internal::IsDigit(*p)) return false;
    v = v * 10 + static_cast<uint64_t>(*p - '0');
  }
  // 19 digits stay below 2^64: only the int64 range needs checking.
  if (negative) {
    if (v > uint64_t{1} << 63) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// Decimal or scientific notation, nan, inf, infinity (any case, optional
// sign); correctly rounded.
template <typename T>
inline bool ParseFloatSlow(const char* p, const char* end, T* out) {
  if (p != end && *p == '+') ++p;  // fast_float follows from_chars: no leading '+'
  if (p == end) return false;
  const auto res = fast_float::from_chars(p, end, *out);
  return res.ec == std::errc() && res.ptr == end;
}

struct DigitRun {
  uint64_t value;
  int count;
};

// The run of ASCII digits at the start of the 8 bytes at p, for runs of at
// most 7 digits: a longer run reports count 7 (and a wrong value), so
// callers must check that the run ends where the text says it does.
// Branch-free: the first non-digit is found with a SWAR test, and the run is
// shifted to the top of the word so the zero bytes below act as leading
// zeros for the 8-digit combine.
[[gnu::always_inline]] inline DigitRun ShortDigitRun(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  const uint64_t x = w ^ 0x3030303030303030ULL;  // digits become 0..9
  // Non-zero byte for a non-digit: a high nibble, or 0x0A..0x0F (+6 reaches
  // 0x10). A carry out of a byte >= 0xFA only reaches bytes after a
  // non-digit, which do not matter.
  const uint64_t non_digit =
      (x & 0xF0F0F0F0F0F0F0F0ULL) | ((x + 0x0606060606060606ULL) & 0x1010101010101010ULL);
  const int count = std::countr_zero(non_digit | (uint64_t{1} << 63)) >> 3;  // 0..7
  uint64_t v = (x << (63 - 8 * count)) << 1;  // two shifts: count 0 shifts by 64
  v = (v * 10) + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  return {v, count};
}

inline constexpr uint64_t kPow10Int[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// Everything the fast path does not take: exponents, nan/inf, long digit
// strings, a leading '+'.
bool ParseDoubleSlow(const char* p, const char* end, double* out);

// Parses [p, end) as a double. `limit` is the end of readable memory (at or
// after `end`): the fast path loads 8 bytes at a time and may read past
// `end`, never past `limit`.
//
// The common sensor-log shape, -?d{0,7}(.d{0,7})?, is an exact integer
// mantissa below 10^14 < 2^53 divided by an exact power of ten; IEEE
// division rounds correctly, so this is the correctly rounded value
// (Clinger's fast path), bit-identical to fast_float's. Branch-free down to
// the final check: the signs and digit counts of sensor data are random and
// would defeat the branch predictor.
[[gnu::always_inline]] inline bool ParseDouble(const char* p, const char* end, const char* limit, double* out) {
  if (limit - p >= 24) [[likely]] {
    const bool negative = *p == '-';
    const char* q = p + negative;
    const DigitRun int_part = ShortDigitRun(q);
    q += int_part.count;
    const bool dot = q < end && *q == '.';
    q += dot;
    const DigitRun frac = ShortDigitRun(q);
    const int frac_digits = dot ? frac.count : 0;
    const uint64_t frac_value = dot ? frac.value : 0;
    q += frac_digits;
    if (q == end && int_part.count + frac_digits > 0) [[likely]] {
      const uint64_t mantissa = int_part.value * kPow10Int[frac_digits] + frac_value;
      const double v = static_cast<double>(static_cast<int64_t>(mantissa)) / internal::kPow10[frac_digits];
      *out = std::bit_cast<double>(std::bit_cast<uint64_t>(v) | (static_cast<uint64_t>(negative) << 63));
      return true;
    }
  }
  return ParseDoubleSlow(p, end, out);
}

inline bool ParseFloat(const char* p, const char* end, float* out) { return ParseFloatSlow(p, end, out); }

// true/false in any case; with allow_digits also 1/0.
inline bool ParseBool(const char* p, const char* end, bool allow_digits, bool* out) {
  const auto n = end - p;
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  if (n == 4 && lower(p[0]) == 't' && lower(p[1]) == 'r' && lower(p[2]) == 'u' && lower(p[3]) == 'e') {
    *out = true;
    return true;
  }
  if (n == 5 && lower(p[0]) == 'f' && lower(p[1]) == 'a' && lower(p[2]) == 'l' && lower(p[3]) == 's' &&
      lower(p[4]) == 'e') {
    *out = false;
    return true;
  }
  if (allow_digits && n == 1 && (p[0] == '0' || p[0] == '1')) {
    *out = p[0] == '1';
    return true;
  }
  return false;
}

}  // namespace edgepipe::csv
