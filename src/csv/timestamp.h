#pragma once
// ISO-8601 timestamps <-> int64 nanoseconds since 1970-01-01T00:00:00Z.
//
// Accepted on input (docs/csv.md):
//   2024-01-02                              date only: midnight UTC
//   2024-01-02T03:04 / 2024-01-02 03:04     'T', 't' or a space between date and time
//   2024-01-02T03:04:05[.fraction]          fraction: 1+ digits (',' works too);
//                                           digits past the 9th (below 1 ns) are truncated
//   ... followed by nothing (UTC), 'Z', or an offset +hh:mm, +hhmm, +hh, -hh:mm ...
// The result must fit int64 ns (years 1677..2262).

#include <cstddef>
#include <cstdint>

namespace edgepipe::csv {

// Parses [p, end) as an ISO-8601 timestamp; false if it is not one.
bool ParseIsoTimestamp(const char* p, const char* end, int64_t* out_ns);

// Days since 1970-01-01 of a proleptic Gregorian date (any int year).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Writes "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (30 bytes) to out, which must hold
// kIsoTimestampLength bytes. Returns the number of bytes written.
inline constexpr size_t kIsoTimestampLength = 30;
size_t FormatIsoTimestamp(int64_t ns, char* out);

}  // namespace edgepipe::csv
