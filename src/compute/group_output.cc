#include "compute/group_output_internal.h"

#include <cmath>
#include <limits>
#include <string>

namespace edgepipe::compute::internal {

namespace {

Status AppendValueFrom(ColumnBuilder& b, const Column& col, int64_t i) {
  if (col.IsNull(i)) return b.AppendNull();
  switch (col.type()) {
    case Type::kBool:
      return b.AppendBool(col.GetBool(i));
    case Type::kInt32:
      return b.Append(col.values<int32_t>()[i]);
    case Type::kInt64:
    case Type::kTimestamp:
      return b.Append(col.values<int64_t>()[i]);
    case Type::kFloat32:
      return b.Append(col.values<float>()[i]);
    case Type::kFloat64:
      return b.Append(col.values<double>()[i]);
    case Type::kString:
      return b.AppendString(col.GetString(i));
  }
  return Status::Internal("unreachable");
}

Status AppendInt(ColumnBuilder& b, Type type, int64_t v) {
  switch (type) {
    case Type::kBool:
      return b.AppendBool(v != 0);
    case Type::kInt32:
      return b.Append(static_cast<int32_t>(v));
    default:
      return b.Append(v);
  }
}

}  // namespace

Result<Column> FinishAggregate(const AggPlan& p, const AggState& st, const std::vector<int64_t>& rows,
                               const std::vector<uint32_t>& order, const Table& input, const RowLocator& loc) {
  ColumnBuilder b(p.out_type);
  RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(order.size())));
  const bool is_float = IsFloatClass(p.vc);
  for (uint32_t g : order) {
    switch (p.kind) {
      case AggKind::kCount:
        RETURN_NOT_OK(b.Append<int64_t>(p.column < 0 ? rows[g] : st.cnt[g]));
        break;
      case AggKind::kSum:
        if (st.cnt[g] == 0) {
          RETURN_NOT_OK(b.AppendNull());
        } else if (is_float) {
          RETURN_NOT_OK(b.Append<double>(st.s[g] + st.c[g]));
        } else {
          const __int128 s = st.isum[g];
          if (s > std::numeric_limits<int64_t>::max() || s < std::numeric_limits<int64_t>::min()) {
            return Status::InvalidArgument("sum of column '" + input.schema()->field(p.column).name +
                                           "' overflows int64; use mean or cast to float64");
          }
          RETURN_NOT_OK(b.Append<int64_t>(static_cast<int64_t>(s)));
        }
        break;
      case AggKind::kMean:
        if (st.cnt[g] == 0) {
          RETURN_NOT_OK(b.AppendNull());
        } else if (is_float) {
          RETURN_NOT_OK(b.Append<double>((st.s[g] + st.c[g]) / static_cast<double>(st.cnt[g])));
        } else {
          RETURN_NOT_OK(b.Append<double>(static_cast<double>(st.isum[g]) / static_cast<double>(st.cnt[g])));
        }
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        if (st.cnt[g] == 0) {
          RETURN_NOT_OK(b.AppendNull());
        } else if (p.vc == ValueClass::kFloat32) {
          RETURN_NOT_OK(b.Append<float>(static_cast<float>(st.fmm[g])));
        } else if (p.vc == ValueClass::kFloat64) {
          RETURN_NOT_OK(b.Append<double>(st.fmm[g]));
        } else {
          RETURN_NOT_OK(AppendInt(b, p.out_type, st.imm[g]));
        }
        break;
      case AggKind::kFirst:
      case AggKind::kLast:
        if (st.row[g] < 0) {
          RETURN_NOT_OK(b.AppendNull());
        } else {
          const auto [batch, row] = loc.Find(st.row[g]);
          RETURN_NOT_OK(AppendValueFrom(b, input.batches()[batch].column(p.column), row));
        }
        break;
      case AggKind::kStd:
        if (st.cnt[g] < 2) {
          RETURN_NOT_OK(b.AppendNull());
        } else {
          RETURN_NOT_OK(b.Append<double>(std::sqrt(st.s2[g] / static_cast<double>(st.cnt[g] - 1))));
        }
        break;
    }
  }
  return b.Finish();
}

Result<Column> FinishKeyColumn(Type type, const std::vector<uint32_t>& order, const GlobalKeyColumn* table_col,
                               int64_t dense_min, uint32_t null_slot) {
  ColumnBuilder b(type);
  RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(order.size())));
  for (uint32_t g : order) {
    if (table_col == nullptr) {
      if (g == null_slot) {
        RETURN_NOT_OK(b.AppendNull());
      } else {
        RETURN_NOT_OK(AppendInt(b, type, dense_min + g));
      }
    } else if (!table_col->valid[g]) {
      RETURN_NOT_OK(b.AppendNull());
    } else if (type == Type::kString) {
      RETURN_NOT_OK(b.AppendString(table_col->str(g)));
    } else {
      RETURN_NOT_OK(AppendInt(b, type, table_col->ints[g]));
    }
  }
  return b.Finish();
}

}  // namespace edgepipe::compute::internal
