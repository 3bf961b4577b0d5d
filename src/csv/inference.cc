#include "csv/inference.h"

#include "edgepipe/core/parallel.h"

namespace edgepipe::csv {
namespace {

using Batches = std::vector<const FieldBatch*>;

Result<Column> Convert(const Batches& batches, int64_t rows, int file_index, const ConvertContext* context) {
  ColumnAccumulator acc(context);
  RETURN_NOT_OK(acc.Reserve(rows));
  for (const FieldBatch* batch : batches) RETURN_NOT_OK(acc.Append(*batch, file_index));
  return acc.Finish();
}

Status InferOne(const Batches& batches, int64_t rows, ColumnPlan* plan, Column* out) {
  ConvertContext& ctx = plan->context;
  if (plan->type_given) {
    ctx.inferring = false;
    ctx.Prepare();
    ASSIGN_OR_RETURN(*out, Convert(batches, rows, plan->file_index, &ctx));
    return Status::OK();
  }
  bool found = false;
  if (rows > 0) {
    for (Type candidate : {Type::kBool, Type::kInt64, Type::kFloat64, Type::kTimestamp}) {
      ctx.type = candidate;
      ctx.inferring = true;
      ctx.Prepare();
      auto col = Convert(batches, rows, plan->file_index, &ctx);
      if (!col.ok()) continue;
      if (col->null_count() == rows) break;  // nothing but nulls: string
      *out = std::move(col).MoveValueUnsafe();
      found = true;
      break;
    }
  }
  if (!found) {
    ctx.type = Type::kString;
    ctx.inferring = true;
    ctx.Prepare();
    ASSIGN_OR_RETURN(*out, Convert(batches, rows, plan->file_index, &ctx));
  }
  // Later blocks convert with the lenient rules (bool 1/0, integer
  // timestamps), which accept everything the strict ones did.
  ctx.inferring = false;
  ctx.inferred = true;
  ctx.inferred_from_rows = rows;
  ctx.Prepare();
  return Status::OK();
}

}  // namespace

Status InferAndConvert(const Batches& batches, std::vector<ColumnPlan>* plans, std::vector<Column>* columns) {
  const auto n = static_cast<int64_t>(plans->size());
  int64_t rows = 0;
  for (const FieldBatch* batch : batches) rows += batch->num_rows();
  columns->assign(plans->size(), Column());
  std::vector<Status> statuses(plans->size());
  ParallelFor(n, [&](int64_t i) { statuses[i] = InferOne(batches, rows, &(*plans)[i], &(*columns)[i]); });
  for (const auto& st : statuses) RETURN_NOT_OK(st);
  return Status::OK();
}

}  // namespace edgepipe::csv
