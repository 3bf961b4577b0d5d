// Value parsers: integers, doubles (the SWAR fast path against fast_float /
// strtod as the oracle), bools, ISO timestamps, and the SIMD scan masks.

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "csv/scan_internal.h"
#include "csv/timestamp.h"
#include "csv/value_parser.h"

namespace edgepipe::csv {
namespace {

bool Int64(const std::string& s, int64_t* v) { return ParseInt64(s.data(), s.data() + s.size(), v); }

// Parses s as it sits inside a larger buffer (the fast path needs readable
// bytes after the field), with `after` bytes following it.
bool Double(const std::string& s, double* v, const std::string& after = ",0000000000000000000000000000") {
  const std::string buf = s + after;
  return ParseDouble(buf.data(), buf.data() + s.size(), buf.data() + buf.size(), v);
}

TEST(ParseInt64Test, ValuesAndLimits) {
  int64_t v = -1;
  EXPECT_TRUE(Int64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(Int64("-0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(Int64("+17", &v));
  EXPECT_EQ(v, 17);
  EXPECT_TRUE(Int64("1700000000000000595", &v));
  EXPECT_EQ(v, 1700000000000000595);
  EXPECT_TRUE(Int64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(Int64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(Int64("00000000000000000000000042", &v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(Int64("9223372036854775808", &v));
  EXPECT_FALSE(Int64("-9223372036854775809", &v));
  EXPECT_FALSE(Int64("99999999999999999999", &v));
  EXPECT_FALSE(Int64("", &v));
  EXPECT_FALSE(Int64("-", &v));
  EXPECT_FALSE(Int64("1.0", &v));
  EXPECT_FALSE(Int64("12345678x", &v));
  EXPECT_FALSE(Int64("1234567:", &v));  // ':' is '9' + 1
  EXPECT_FALSE(Int64("/1234567", &v));  // '/' is '0' - 1
  EXPECT_FALSE(Int64(" 1", &v));
}

TEST(ParseInt64Test, MatchesStrtollOnRandomDigits) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    const int len = 1 + static_cast<int>(rng() % 20);
    std::string s = (rng() % 2) ? "-" : "";
    for (int i = 0; i < len; ++i) s += static_cast<char>('0' + rng() % 10);
    errno = 0;
    const long long want = std::strtoll(s.c_str(), nullptr, 10);
    const bool want_ok = errno == 0;
    int64_t got;
    ASSERT_EQ(Int64(s, &got), want_ok) << s;
    if (want_ok) {
      ASSERT_EQ(got, want) << s;
    }
  }
}

TEST(ParseDoubleTest, FastPathMatchesStrtodBitForBit) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 200000; ++iter) {
    std::string s = (rng() % 2) ? "-" : "";
    const int int_digits = static_cast<int>(rng() % 9);
    const int frac_digits = static_cast<int>(rng() % 10);
    for (int i = 0; i < int_digits; ++i) s += static_cast<char>('0' + rng() % 10);
    if (frac_digits > 0 || rng() % 2) {
      s += '.';
      for (int i = 0; i < frac_digits; ++i) s += static_cast<char>('0' + rng() % 10);
    }
    const bool valid = int_digits + frac_digits > 0;
    double got = 0;
    // Short and long tails: fast path and slow path.
    for (const std::string& after : {std::string(",1234567890123456789012345"), std::string()}) {
      ASSERT_EQ(Double(s, &got, after), valid) << "'" << s << "' seed 11 iter " << iter;
      if (!valid) continue;
      const double want = std::strtod(s.c_str(), nullptr);
      ASSERT_EQ(std::memcmp(&got, &want, sizeof(double)), 0) << s << " got " << got << " want " << want;
    }
  }
}

TEST(ParseDoubleTest, SpecialForms) {
  double v;
  ASSERT_TRUE(Double("1e308", &v));
  EXPECT_EQ(v, 1e308);
  ASSERT_TRUE(Double("-0.0", &v));
  EXPECT_TRUE(std::signbit(v));
  EXPECT_EQ(v, 0.0);
  ASSERT_TRUE(Double("-0", &v));
  EXPECT_TRUE(std::signbit(v));
  ASSERT_TRUE(Double("4.9406564584124654e-324", &v));
  EXPECT_EQ(v, std::numeric_limits<double>::denorm_min());
  ASSERT_TRUE(Double("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(Double("nan", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(Double("inf", &v));
  EXPECT_EQ(v, INFINITY);
  ASSERT_TRUE(Double("-inf", &v));
  EXPECT_EQ(v, -INFINITY);
  ASSERT_TRUE(Double("Infinity", &v));
  EXPECT_EQ(v, INFINITY);
  ASSERT_TRUE(Double("+1.5", &v));
  EXPECT_EQ(v, 1.5);
  ASSERT_TRUE(Double("1.", &v));
  EXPECT_EQ(v, 1.0);
  ASSERT_TRUE(Double(".5", &v));
  EXPECT_EQ(v, 0.5);
  ASSERT_TRUE(Double("-1.25E-3", &v));
  EXPECT_EQ(v, -1.25e-3);
  ASSERT_TRUE(Double("123456789012345678901234567890", &v));
  EXPECT_EQ(v, 123456789012345678901234567890.0);
  for (const char* bad : {"", "-", ".", "1.2.3", "1e", "abc", "1,5", " 1", "1 ", "infx", "--1", "0x10", "1e5x"}) {
    EXPECT_FALSE(Double(bad, &v)) << bad;
  }
}

TEST(ParseFloatTest, Float32RoundTrip) {
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {
    uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    if (!std::isfinite(f)) continue;
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof(buf), f);
    float back;
    ASSERT_TRUE(ParseFloat(buf, res.ptr, &back)) << std::string(buf, res.ptr);
    ASSERT_EQ(std::memcmp(&f, &back, 4), 0) << std::string(buf, res.ptr);
  }
}

TEST(ParseBoolTest, Spellings) {
  auto parse = [](const std::string& s, bool digits, bool* v) {
    return ParseBool(s.data(), s.data() + s.size(), digits, v);
  };
  bool v;
  for (const char* t : {"true", "True", "TRUE", "tRuE"}) {
    ASSERT_TRUE(parse(t, false, &v)) << t;
    EXPECT_TRUE(v);
  }
  for (const char* f : {"false", "False", "FALSE"}) {
    ASSERT_TRUE(parse(f, false, &v)) << f;
    EXPECT_FALSE(v);
  }
  EXPECT_FALSE(parse("1", false, &v));
  ASSERT_TRUE(parse("1", true, &v));
  EXPECT_TRUE(v);
  ASSERT_TRUE(parse("0", true, &v));
  EXPECT_FALSE(v);
  for (const char* bad : {"", "t", "yes", "truee", "2", "10"}) EXPECT_FALSE(parse(bad, true, &v)) << bad;
}

// ---------------------------------------------------------------- timestamps

int64_t Ts(const std::string& s) {
  int64_t v = 0;
  EXPECT_TRUE(ParseIsoTimestamp(s.data(), s.data() + s.size(), &v)) << s;
  return v;
}
bool TsFails(const std::string& s) {
  int64_t v;
  return !ParseIsoTimestamp(s.data(), s.data() + s.size(), &v);
}

TEST(TimestampTest, HandComputedValues) {
  EXPECT_EQ(Ts("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ts("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(Ts("1970-01-01"), 0);
  EXPECT_EQ(Ts("1970-01-02"), 86400LL * 1000000000);
  // 2024-02-29 is day 19782 since the epoch; 12:00 at +02:00 is 10:00 UTC.
  EXPECT_EQ(Ts("2024-02-29T12:00:00+02:00"), (19782LL * 86400 + 10 * 3600) * 1000000000);
  EXPECT_EQ(Ts("2024-02-29T12:00:00+0200"), (19782LL * 86400 + 10 * 3600) * 1000000000);
  EXPECT_EQ(Ts("2024-02-29T12:00:00+02"), (19782LL * 86400 + 10 * 3600) * 1000000000);
  EXPECT_EQ(Ts("2024-02-29T12:00:00-05:30"), (19782LL * 86400 + 17 * 3600 + 30 * 60) * 1000000000);
  EXPECT_EQ(Ts("2024-02-29 12:00:00"), (19782LL * 86400 + 12 * 3600) * 1000000000);
  EXPECT_EQ(Ts("2024-02-29T12:00"), (19782LL * 86400 + 12 * 3600) * 1000000000);
  // 2024-01-02 is day 19724.
  EXPECT_EQ(Ts("2024-01-02T03:04:05.123456789Z"), (19724LL * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000000 + 123456789);
  EXPECT_EQ(Ts("2024-01-02T03:04:05.1234567891234Z"),
            (19724LL * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000000000 + 123456789);  // truncated below 1 ns
  EXPECT_EQ(Ts("1969-12-31T23:59:59.999999999Z"), -1);
  EXPECT_EQ(Ts("2000-03-01T00:00:00Z"), 951868800LL * 1000000000);
  EXPECT_EQ(Ts("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
  EXPECT_EQ(Ts("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
}

TEST(TimestampTest, Rejects) {
  for (const char* bad : {"", "2024", "2024-1-02", "2024-13-01", "2024-00-01", "2023-02-29", "2024-04-31",
                          "2024-01-02T", "2024-01-02T24:00:00", "2024-01-02T03:60", "2024-01-02T03:04:61",
                          "2024-01-02T03:04:05.", "2024-01-02T03:04:05Zx", "2024-01-02T03:04:05+2",
                          "2024-01-02T03:04:05+25:00", "2024-01-02x03:04", "1677-09-21T00:12:43.145224191Z",
                          "2262-04-11T23:47:16.854775808Z", "9999-12-31", "abcd-ef-gh"}) {
    EXPECT_TRUE(TsFails(bad)) << bad;
  }
}

TEST(TimestampTest, FormatRoundTrip) {
  char buf[kIsoTimestampLength];
  ASSERT_EQ(FormatIsoTimestamp(1500000000, buf), kIsoTimestampLength);
  EXPECT_EQ(std::string(buf, kIsoTimestampLength), "1970-01-01T00:00:01.500000000Z");
  FormatIsoTimestamp(-1, buf);
  EXPECT_EQ(std::string(buf, kIsoTimestampLength), "1969-12-31T23:59:59.999999999Z");
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const auto ns = static_cast<int64_t>(rng());
    const size_t n = FormatIsoTimestamp(ns, buf);
    int64_t back;
    ASSERT_TRUE(ParseIsoTimestamp(buf, buf + n, &back)) << std::string(buf, n);
    ASSERT_EQ(back, ns) << std::string(buf, n);
  }
  for (int64_t ns : {INT64_MIN, INT64_MAX, int64_t{0}}) {
    const size_t n = FormatIsoTimestamp(ns, buf);
    int64_t back;
    ASSERT_TRUE(ParseIsoTimestamp(buf, buf + n, &back)) << std::string(buf, n);
    EXPECT_EQ(back, ns);
  }
}

TEST(TimestampTest, DaysFromCivilMatchesDayCounting) {
  // Walk day by day from 1600-01-01 and compare with a running counter.
  int64_t expected = DaysFromCivil(1600, 1, 1);
  for (int64_t y = 1600; y < 2500; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      const unsigned dim = m == 2 && leap ? 29 : kDays[m - 1];
      for (unsigned d = 1; d <= dim; ++d) {
        ASSERT_EQ(DaysFromCivil(y, m, d), expected) << y << "-" << m << "-" << d;
        ++expected;
      }
    }
  }
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
}

// ---------------------------------------------------------------- scan masks

TEST(ScanWindowTest, SimdAndSwarMatchNaive) {
  std::mt19937 rng(9);
  const char alphabet[] = {',', '\n', '"', 'a', '0', '\r', ';', '\t', static_cast<char>(0x80), static_cast<char>(0xFF)};
  for (int iter = 0; iter < 5000; ++iter) {
    uint8_t buf[64];
    for (auto& b : buf) b = static_cast<uint8_t>(alphabet[rng() % sizeof(alphabet)]);
    const char delimiter = iter % 2 ? ',' : ';';
    uint64_t d = 0, n = 0, q = 0;
    for (int i = 0; i < 64; ++i) {
      d |= uint64_t{buf[i] == static_cast<uint8_t>(delimiter)} << i;
      n |= uint64_t{buf[i] == '\n'} << i;
      q |= uint64_t{buf[i] == '"'} << i;
    }
    const auto swar = internal::ScanWindowSwar(buf, delimiter, '"');
    EXPECT_EQ(swar.delimiter, d);
    EXPECT_EQ(swar.newline, n);
    EXPECT_EQ(swar.quote, q);
    const auto best = internal::ScanWindow(buf, delimiter, '"');
    EXPECT_EQ(best.delimiter, d);
    EXPECT_EQ(best.newline, n);
    EXPECT_EQ(best.quote, q);
  }
}

TEST(ShortDigitRunTest, AllCounts) {
  for (int count = 0; count <= 7; ++count) {
    std::string s = std::string("9876543").substr(0, static_cast<size_t>(count)) + "x1234567";
    const DigitRun run = ShortDigitRun(s.data());
    EXPECT_EQ(run.count, count);
    EXPECT_EQ(run.value, count == 0 ? 0 : std::stoull(s.substr(0, static_cast<size_t>(count))));
  }
  EXPECT_EQ(ShortDigitRun("12345678x").count, 7);  // longer runs report 7
  // Bytes just outside the digit range end the run.
  for (char stop : {'/', ':', '.', ',', '\0', static_cast<char>(0xFF), static_cast<char>(0xB0), static_cast<char>(0xFA)}) {
    std::string s = "12";
    s += stop;
    s += "45678";
    EXPECT_EQ(ShortDigitRun(s.data()).count, 2) << static_cast<int>(stop);
    EXPECT_EQ(ShortDigitRun(s.data()).value, 12u) << static_cast<int>(stop);
  }
}

}  // namespace
}  // namespace edgepipe::csv
