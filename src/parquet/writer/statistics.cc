#include "parquet/writer/statistics.h"

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace edgepipe::parquet {
namespace {

template <typename T>
std::string Bytes(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

template <typename T>
void NumericMinMax(const std::vector<Column>& pieces, Statistics* stats) {
  bool any = false;
  T lo{}, hi{};
  for (const Column& col : pieces) {
    const T* v = col.values<T>();
    const bool has_nulls = col.null_count() > 0;
    for (int64_t i = 0; i < col.length(); ++i) {
      if (has_nulls && col.IsNull(i)) continue;
      const T x = v[i];
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(x)) continue;
      }
      if (!any) {
        lo = hi = x;
        any = true;
      } else {
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
      }
    }
  }
  if (!any) return;
  if constexpr (std::is_floating_point_v<T>) {
    if (lo == 0) lo = -T(0);
    if (hi == 0) hi = T(0);
  }
  stats->min_value = Bytes(lo);
  stats->max_value = Bytes(hi);
}

void StringMinMax(const std::vector<Column>& pieces, Statistics* stats) {
  bool any = false;
  std::string_view lo, hi;
  auto add = [&](std::string_view s) {
    if (!any) {
      lo = hi = s;
      any = true;
    } else {
      // Byte-wise (unsigned) order, as string_view compares.
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
  };
  // Dictionary pieces: mark the entries their non-null rows use (per
  // distinct dictionary), then compare each used entry once, not each row.
  std::vector<std::pair<const Column*, std::vector<uint8_t>>> used;
  for (const Column& col : pieces) {
    if (!col.is_dictionary()) continue;
    const Column* d = col.dictionary().get();
    size_t k = 0;
    while (k < used.size() && used[k].first != d) ++k;
    if (k == used.size()) used.emplace_back(d, std::vector<uint8_t>(static_cast<size_t>(d->length()), 0));
    uint8_t* u = used[k].second.data();
    const int32_t* codes = col.dictionary_codes();
    for (int64_t i = 0; i < col.length(); ++i) {
      if (col.IsValid(i)) u[codes[i]] = 1;
    }
  }
  for (const auto& [d, u] : used) {
    for (int64_t e = 0; e < d->length(); ++e) {
      if (u[static_cast<size_t>(e)]) add(d->GetString(e));
    }
  }
  for (const Column& col : pieces) {
    if (col.is_dictionary()) continue;
    for (int64_t i = 0; i < col.length(); ++i) {
      if (col.IsNull(i)) continue;
      add(col.GetString(i));
    }
  }
  if (!any) return;
  stats->min_value = std::string(lo);
  stats->max_value = std::string(hi);
}

void BoolMinMax(const std::vector<Column>& pieces, Statistics* stats) {
  bool seen[2] = {false, false};
  for (const Column& col : pieces) {
    for (int64_t i = 0; i < col.length(); ++i) {
      if (col.IsValid(i)) seen[col.GetBool(i)] = true;
    }
  }
  if (seen[0] || seen[1]) {
    stats->min_value = std::string(1, seen[0] ? '\0' : '\1');
    stats->max_value = std::string(1, seen[1] ? '\1' : '\0');
  }
}

}  // namespace

Statistics ComputeStatistics(const std::vector<Column>& pieces) {
  Statistics stats;
  int64_t nulls = 0;
  for (const Column& col : pieces) nulls += col.null_count();
  stats.null_count = nulls;
  if (pieces.empty()) return stats;
  switch (pieces[0].type()) {
    case Type::kInt32: NumericMinMax<int32_t>(pieces, &stats); break;
    case Type::kInt64:
    case Type::kTimestamp: NumericMinMax<int64_t>(pieces, &stats); break;
    case Type::kFloat32: NumericMinMax<float>(pieces, &stats); break;
    case Type::kFloat64: NumericMinMax<double>(pieces, &stats); break;
    case Type::kString: StringMinMax(pieces, &stats); break;
    case Type::kBool: BoolMinMax(pieces, &stats); break;
  }
  if (stats.min_value) stats.is_min_value_exact = true;
  if (stats.max_value) stats.is_max_value_exact = true;
  return stats;
}

}  // namespace edgepipe::parquet
