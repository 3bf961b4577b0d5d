#include "parquet/reader/statistics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace edgepipe::parquet {
namespace {

template <typename T>
bool Load(const std::string& bytes, T* out) {
  if (bytes.size() != sizeof(T)) return false;
  std::memcpy(out, bytes.data(), sizeof(T));
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Proleptic Gregorian date of a day count since 1970-01-01 (the classic
// era-of-400-years decomposition; exact for any int64 day count we format).
void CivilFromDays(int64_t z, int64_t* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

template <typename T>
std::string FormatFloat(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string EscapeBytes(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// INT96: 8 bytes nanoseconds of the day, 4 bytes Julian day (2440588 = epoch).
bool LoadInt96(const std::string& bytes, int64_t* julian_day, int64_t* nanos_of_day) {
  if (bytes.size() != 12) return false;
  uint64_t nanos;
  uint32_t day;
  std::memcpy(&nanos, bytes.data(), 8);
  std::memcpy(&day, bytes.data() + 8, 4);
  *julian_day = static_cast<int64_t>(day);
  *nanos_of_day = static_cast<int64_t>(nanos);
  return true;
}

}  // namespace

std::string FormatDate(int64_t days) {
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(year), month, day);
  return buf;
}

std::string FormatTimestamp(int64_t value, int digits) {
  int64_t per_second = 1;
  for (int i = 0; i < digits; ++i) per_second *= 10;
  // Remainder first: seconds * per_second may not be representable.
  int64_t seconds = value / per_second;
  int64_t fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t second_of_day = seconds - days * 86400;
  std::string out = FormatDate(days);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "T%02d:%02d:%02d", static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  out += buf;
  if (digits > 0) {
    std::snprintf(buf, sizeof(buf), ".%0*lld", std::clamp(digits, 0, 9), static_cast<long long>(fraction));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::optional<MinMax> SelectMinMax(const ColumnDescriptor& column, const Statistics& stats) {
  if (stats.min_value && stats.max_value) return MinMax{*stats.min_value, *stats.max_value};
  if (!stats.min || !stats.max) return std::nullopt;
  switch (column.physical_type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      return MinMax{*stats.min, *stats.max};
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      if (column.is_unsigned) return std::nullopt;
      return MinMax{*stats.min, *stats.max};
    default:
      return std::nullopt;
  }
}

std::optional<double> StatisticAsDouble(const ColumnDescriptor& column, const std::string& bytes) {
  if (!column.supported()) return std::nullopt;
  switch (column.physical_type) {
    case PhysicalType::kInt32: {
      int32_t v;
      if (!Load(bytes, &v)) return std::nullopt;
      if (column.is_unsigned) return static_cast<double>(static_cast<uint32_t>(v));
      if (column.is_date) {
        return static_cast<double>(static_cast<__int128>(v) * column.timestamp_unit_ns);
      }
      return static_cast<double>(v);
    }
    case PhysicalType::kInt64: {
      int64_t v;
      if (!Load(bytes, &v)) return std::nullopt;
      // Unsigned values above INT64_MAX are read back reinterpreted as
      // negative, so their order is not the output order.
      if (column.is_unsigned && v < 0) return std::nullopt;
      // Exact product first, then one rounding: monotonic, so a row group is
      // never skipped because of rounding.
      return static_cast<double>(static_cast<__int128>(v) * column.timestamp_unit_ns);
    }
    case PhysicalType::kFloat: {
      float v;
      if (!Load(bytes, &v) || std::isnan(v)) return std::nullopt;
      return static_cast<double>(v);
    }
    case PhysicalType::kDouble: {
      double v;
      if (!Load(bytes, &v) || std::isnan(v)) return std::nullopt;
      return v;
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::string> FormatStatistic(const ColumnDescriptor& column, const std::string& bytes) {
  switch (column.physical_type) {
    case PhysicalType::kBoolean:
      if (bytes.size() != 1) return std::nullopt;
      return std::string(bytes[0] != 0 ? "true" : "false");
    case PhysicalType::kInt32: {
      int32_t v;
      if (!Load(bytes, &v)) return std::nullopt;
      if (column.is_date) return FormatDate(v);
      if (column.is_unsigned) return std::to_string(static_cast<uint32_t>(v));
      return std::to_string(v);
    }
    case PhysicalType::kInt64: {
      int64_t v;
      if (!Load(bytes, &v)) return std::nullopt;
      if (column.is_timestamp) {
        const int digits = column.timestamp_unit_ns == 1000000 ? 3 : column.timestamp_unit_ns == 1000 ? 6 : 9;
        return FormatTimestamp(v, digits);
      }
      if (column.is_unsigned) return std::to_string(static_cast<uint64_t>(v));
      return std::to_string(v);
    }
    case PhysicalType::kInt96: {
      int64_t julian_day, nanos_of_day;
      if (!LoadInt96(bytes, &julian_day, &nanos_of_day)) return std::nullopt;
      // Days and nanoseconds separately: no overflow for any input.
      std::string day = FormatDate(julian_day - 2440588);
      const int64_t ns = nanos_of_day;
      if (ns < 0 || ns >= int64_t{86400} * 1000000000) return day + "+" + std::to_string(ns) + "ns";
      std::string t = FormatTimestamp(ns, 9);  // "1970-01-01THH:MM:SS.fffffffffZ"
      return day + t.substr(10);
    }
    case PhysicalType::kFloat: {
      float v;
      if (!Load(bytes, &v)) return std::nullopt;
      return FormatFloat(v);
    }
    case PhysicalType::kDouble: {
      double v;
      if (!Load(bytes, &v)) return std::nullopt;
      return FormatFloat(v);
    }
    case PhysicalType::kByteArray:
      return EscapeBytes(bytes);
    case PhysicalType::kFixedLenByteArray:
      return Hex(bytes);
  }
  return std::nullopt;
}

}  // namespace edgepipe::parquet
