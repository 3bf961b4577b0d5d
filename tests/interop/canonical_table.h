#pragma once
// Our tables in the canonical dump form of the peers (docs/interop.md), and
// an exact cell-by-cell comparison that reports the first differences.

#include <string>

#include "edgepipe/core/table.h"
#include "interop/peer_runner.h"

namespace edgepipe::testing {

CanonicalTable ToCanonical(const Table& table);

// Empty when equal; otherwise a description of up to 10 differing cells
// (column, row, expected, actual) or the shape difference.
std::string DiffCanonical(const CanonicalTable& expected, const CanonicalTable& actual);

// DuckDB 1.5 reads TIMESTAMP(NANOS, UTC) at microsecond precision,
// truncating toward zero: apply the same to our side before comparing.
void TruncateTimestampsToMicros(CanonicalTable* table);

}  // namespace edgepipe::testing
