#pragma once
// Column-chunk statistics for the writer: null count and min/max of the
// non-null values, PLAIN-encoded as parquet.thrift's min_value/max_value.
// Floats: NaN is ignored (no bounds if all values are NaN); a zero bound is
// written as -0.0 for min and +0.0 for max, as the spec asks, so readers
// cannot skip a group holding the other zero.

#include <vector>

#include "edgepipe/core/column.h"
#include "parquet/thrift/parquet_types.h"

namespace edgepipe::parquet {

// Over the pieces of one column chunk.
Statistics ComputeStatistics(const std::vector<Column>& pieces);

}  // namespace edgepipe::parquet
