#pragma once
// Inference: the type of each column from the rows of the first block
// (Arrow's csv/inference). Each column tries bool, int64, float64,
// timestamp (ISO-8601 only), in that order, and takes the first type that
// every non-null value fits; otherwise string. A column with no non-null
// value is string. Trying a type is converting the column with it, so the
// winning attempt is also the first block's column; most failed attempts
// stop at the first value. Columns are inferred in parallel.

#include <vector>

#include "csv/converter.h"
#include "csv/parser.h"
#include "edgepipe/core/column.h"

namespace edgepipe::csv {

struct ColumnPlan {
  int file_index = 0;    // field index in the file's rows
  bool type_given = false;
  ConvertContext context;  // type, name, ... (filled in for inferred columns)
};

// Sets the type of every plan without type_given from the rows of
// `batches` (the first block, in order), marking it inferred (with the row
// count for error hints), and converts those rows: (*columns)[i] is plan
// i's column. Errors come from columns whose type was given and do not fit.
Status InferAndConvert(const std::vector<const FieldBatch*>& batches, std::vector<ColumnPlan>* plans,
                       std::vector<Column>* columns);

}  // namespace edgepipe::csv
