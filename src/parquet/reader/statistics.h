#pragma once
// Column chunk statistics: picking the trustworthy min/max, turning them into
// numbers for row-group skipping and into text for `edgepipe inspect`.

#include <optional>
#include <string>

#include "parquet/reader/schema_mapping.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

struct MinMax {
  std::string min, max;  // PLAIN-encoded (byte arrays without length prefix)
};

// min_value/max_value when both are present; otherwise the deprecated
// min/max, but only where their signed sort order is the column's order
// (BOOLEAN, signed INT32/INT64, FLOAT, DOUBLE). nullopt when neither is usable.
std::optional<MinMax> SelectMinMax(const ColumnDescriptor& column, const Statistics& stats);

// The statistic as a number in the column's output units (timestamps and
// dates in ns since the epoch), for RangeFilter. nullopt when it cannot be
// used: wrong length, NaN, a non-numeric column, INT96 (undefined order),
// unsigned 64-bit values above INT64_MAX (they read back negative).
std::optional<double> StatisticAsDouble(const ColumnDescriptor& column, const std::string& bytes);

// The statistic formatted in the column's type: integers, shortest
// round-trip floats, ISO-8601 dates and timestamps ("2024-05-01T12:00:00.250Z"),
// strings with control bytes escaped, hex for FIXED_LEN_BYTE_ARRAY.
// nullopt when the bytes have the wrong length for the type.
std::optional<std::string> FormatStatistic(const ColumnDescriptor& column, const std::string& bytes);

// "2024-05-01T12:00:00.250Z": `value` counts units of 10^-digits seconds
// (digits 0, 3, 6 or 9) since the epoch. Exposed for tests.
std::string FormatTimestamp(int64_t value, int digits);
// "2024-05-01" for days since the epoch.
std::string FormatDate(int64_t days);

}  // namespace edgepipe::parquet
