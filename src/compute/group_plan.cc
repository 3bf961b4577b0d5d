#include "compute/group_plan_internal.h"

#include <string_view>

namespace edgepipe::compute {

std::string_view AggKindName(AggKind kind) {
  switch (kind) {
    case AggKind::kCount:
      return "count";
    case AggKind::kSum:
      return "sum";
    case AggKind::kMean:
      return "mean";
    case AggKind::kMin:
      return "min";
    case AggKind::kMax:
      return "max";
    case AggKind::kFirst:
      return "first";
    case AggKind::kLast:
      return "last";
    case AggKind::kStd:
      return "std";
  }
  return "?";
}

Result<AggKind> ParseAggKind(std::string_view name) {
  for (AggKind k : {AggKind::kCount, AggKind::kSum, AggKind::kMean, AggKind::kMin, AggKind::kMax, AggKind::kFirst,
                    AggKind::kLast, AggKind::kStd}) {
    if (name == AggKindName(k)) return k;
  }
  return Status::InvalidArgument("unknown aggregate '" + std::string(name) +
                                 "'; expected one of count, sum, mean, min, max, first, last, std");
}

namespace internal {

ValueClass ClassOf(Type t) {
  switch (t) {
    case Type::kInt32:
      return ValueClass::kInt32;
    case Type::kInt64:
    case Type::kTimestamp:
      return ValueClass::kInt64;
    case Type::kFloat32:
      return ValueClass::kFloat32;
    case Type::kFloat64:
      return ValueClass::kFloat64;
    case Type::kBool:
      return ValueClass::kBool;
    case Type::kString:
      return ValueClass::kString;
  }
  return ValueClass::kInt64;
}

Result<AggPlan> PlanAggregate(const Schema& schema, const Aggregate& agg) {
  AggPlan p;
  p.kind = agg.kind;
  const std::string kind_name(AggKindName(agg.kind));
  if (agg.column.empty()) {
    if (agg.kind != AggKind::kCount) {
      return Status::InvalidArgument("aggregate '" + kind_name + "' needs a column (only count may omit it)");
    }
    p.out_type = Type::kInt64;
    p.name = agg.output_name.empty() ? "count" : agg.output_name;
    return p;
  }
  auto idx = schema.GetFieldIndex(agg.column);
  if (!idx.ok()) return idx.status().WithContext("group by aggregate " + kind_name + "(" + agg.column + ")");
  p.column = *idx;
  p.in_type = schema.field(p.column).type;
  p.vc = ClassOf(p.in_type);
  p.name = agg.output_name.empty() ? agg.column + "_" + kind_name : agg.output_name;
  auto needs = [&](std::string_view what) {
    return Status::InvalidArgument(kind_name + " needs " + std::string(what) + " column; '" + agg.column + "' is " +
                                   std::string(TypeName(p.in_type)));
  };
  switch (agg.kind) {
    case AggKind::kCount:
      p.out_type = Type::kInt64;
      break;
    case AggKind::kFirst:
    case AggKind::kLast:
      p.out_type = p.in_type;
      break;
    case AggKind::kMin:
    case AggKind::kMax:
      if (p.in_type == Type::kString) return needs("a numeric, timestamp or bool");
      p.out_type = p.in_type;
      break;
    case AggKind::kSum:
    case AggKind::kMean:
    case AggKind::kStd:
      if (p.in_type == Type::kString || p.in_type == Type::kTimestamp) return needs("a numeric or bool");
      p.out_type = (agg.kind == AggKind::kSum && !IsFloatClass(p.vc)) ? Type::kInt64 : Type::kFloat64;
      break;
  }
  return p;
}

Result<KeyPlan> PlanKey(const Schema& schema, const std::string& name) {
  auto idx = schema.GetFieldIndex(name);
  if (!idx.ok()) return idx.status().WithContext("group by key");
  const Field& f = schema.field(*idx);
  if (IsFloating(f.type)) {
    return Status::InvalidArgument("cannot group by " + std::string(TypeName(f.type)) + " column '" + name +
                                   "'; keys must be integer, timestamp, bool or string");
  }
  return KeyPlan{*idx, f.type};
}

}  // namespace internal
}  // namespace edgepipe::compute
