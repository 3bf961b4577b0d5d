#include "csv/timestamp.h"

namespace edgepipe::csv {
namespace {

inline bool Digit(char c) { return static_cast<unsigned>(c - '0') <= 9; }

// Two digits at p into *v.
inline bool Two(const char* p, unsigned* v) {
  if (!Digit(p[0]) || !Digit(p[1])) return false;
  *v = static_cast<unsigned>(p[0] - '0') * 10 + static_cast<unsigned>(p[1] - '0');
  return true;
}

inline bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil: shift the year to start in March so the
// leap day is last, then count 400-year eras of 146097 days.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);                      // [0, 399]
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                     // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ParseIsoTimestamp(const char* p, const char* end, int64_t* out_ns) {
  const size_t n = static_cast<size_t>(end - p);
  if (n < 10 || p[4] != '-' || p[7] != '-') return false;
  unsigned y_hi, y_lo, month, day;
  if (!Two(p, &y_hi) || !Two(p + 2, &y_lo) || !Two(p + 5, &month) || !Two(p + 8, &day)) return false;
  const int64_t year = y_hi * 100 + y_lo;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;

  unsigned hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;
  size_t i = 10;
  if (i < n) {
    if (p[i] != 'T' && p[i] != 't' && p[i] != ' ') return false;
    ++i;
    if (n - i < 5 || p[i + 2] != ':' || !Two(p + i, &hour) || !Two(p + i + 3, &minute)) return false;
    i += 5;
    if (i < n && p[i] == ':') {
      if (n - i < 3 || !Two(p + i + 1, &second)) return false;
      i += 3;
      if (i < n && (p[i] == '.' || p[i] == ',')) {
        ++i;
        const size_t frac_begin = i;
        int64_t scale = 100000000;
        while (i < n && Digit(p[i])) {
          nanos += (p[i] - '0') * scale;  // digits below 1 ns get scale 0: truncated
          scale /= 10;
          ++i;
        }
        if (i == frac_begin) return false;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (i < n) {
      if (p[i] == 'Z' || p[i] == 'z') {
        ++i;
      } else if (p[i] == '+' || p[i] == '-') {
        const int64_t sign = p[i] == '-' ? -1 : 1;
        ++i;
        unsigned oh, om = 0;
        if (n - i < 2 || !Two(p + i, &oh)) return false;
        i += 2;
        if (i < n && p[i] == ':') ++i;
        if (i < n) {
          if (n - i < 2 || !Two(p + i, &om)) return false;
          i += 2;
        }
        if (oh > 23 || om > 59) return false;
        offset_seconds = sign * static_cast<int64_t>(oh * 3600 + om * 60);
      }
    }
  }
  if (i != n) return false;

  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                    offset_seconds;
  if (seconds < 0 && nanos > 0) {
    // Keep the intermediate product in range down to INT64_MIN.
    seconds += 1;
    nanos -= 1000000000;
  }
  int64_t ns;
  if (__builtin_mul_overflow(seconds, int64_t{1000000000}, &ns)) return false;
  if (__builtin_add_overflow(ns, nanos, &ns)) return false;
  *out_ns = ns;
  return true;
}

size_t FormatIsoTimestamp(int64_t ns, char* out) {
  // Floor division: times before 1970 have a negative quotient and a
  // non-negative remainder.
  int64_t seconds = ns / 1000000000;
  int64_t nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    seconds -= 1;
  }
  int64_t days = seconds / 86400;
  int64_t sod = seconds % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  // Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);

  auto put = [](char* p, uint64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) {
      p[k] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(out, static_cast<uint64_t>(year), 4);  // int64 ns spans 1677..2262
  out[4] = '-';
  put(out + 5, month, 2);
  out[7] = '-';
  put(out + 8, day, 2);
  out[10] = 'T';
  put(out + 11, static_cast<uint64_t>(sod / 3600), 2);
  out[13] = ':';
  put(out + 14, static_cast<uint64_t>(sod / 60 % 60), 2);
  out[16] = ':';
  put(out + 17, static_cast<uint64_t>(sod % 60), 2);
  out[19] = '.';
  put(out + 20, static_cast<uint64_t>(nanos), 9);
  out[29] = 'Z';
  return kIsoTimestampLength;
}

}  // namespace edgepipe::csv
