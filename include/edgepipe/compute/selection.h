#pragma once
// Filter (keep the rows a selection bitmap selects) and Take (gather rows
// by index). Both work on every column type (fixed width, bool, string) and
// carry validity over: a null value stays null. Dictionary-encoded strings
// stay dictionary-encoded (the codes are gathered; the dictionary is shared).

#include <cstdint>

#include "edgepipe/core/column.h"
#include "edgepipe/core/status.h"

namespace edgepipe::compute {

// Rows i of `values` where selection[i] is true; a null selection drops the
// row (Arrow's "drop" null selection). `selection` is a kBool column of the
// same length (InvalidArgument otherwise). Single-threaded: output
// positions depend on every earlier bit; full 64-row words are copied
// as runs.
Result<Column> Filter(const Column& values, const Column& selection);

// out[i] = values[indices[i]]; a null index gives a null row. `indices` is
// an int64 column; any non-null index outside [0, values.length()) is
// InvalidArgument naming the index and its position, and nothing is
// returned. Gathers of fixed-width values above kParallelMinElements rows
// are split over the pool.
Result<Column> Take(const Column& values, const Column& indices);

}  // namespace edgepipe::compute
