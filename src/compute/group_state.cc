#include "compute/group_state_internal.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "compute/group_map_internal.h"
#include "edgepipe/core/bit_util.h"

namespace edgepipe::compute::internal {

void ResizeState(const AggPlan& p, AggState& st, size_t n) {
  switch (p.kind) {
    case AggKind::kCount:
      st.cnt.resize(n, 0);
      break;
    case AggKind::kSum:
    case AggKind::kMean:
      st.cnt.resize(n, 0);
      if (IsFloatClass(p.vc)) {
        st.s.resize(n, 0.0);
        st.c.resize(n, 0.0);
      } else {
        st.isum.resize(n, 0);
      }
      break;
    case AggKind::kMin:
    case AggKind::kMax:
      st.cnt.resize(n, 0);
      if (IsFloatClass(p.vc)) {
        st.fmm.resize(n, std::numeric_limits<double>::quiet_NaN());
      } else {
        st.imm.resize(
            n, p.kind == AggKind::kMin ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min());
      }
      break;
    case AggKind::kFirst:
    case AggKind::kLast:
      st.row.resize(n, -1);
      break;
    case AggKind::kStd:
      st.cnt.resize(n, 0);
      st.s.resize(n, 0.0);
      st.c.resize(n, 0.0);
      st.shift.resize(n, 0.0);
      st.s2.resize(n, 0.0);
      st.c2.resize(n, 0.0);
      break;
  }
}

namespace {

template <bool kNulls, typename F>
inline void ForValid(const uint8_t* bits, int64_t bit_offset, int64_t n, F&& f) {
  if constexpr (kNulls) {
    for (int64_t i = 0; i < n; ++i) {
      if (bit_util::GetBit(bits, bit_offset + i)) f(i);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) f(i);
  }
}

// One aggregate over one morsel: the kind and type are resolved once, then
// a tight loop runs over (group id, value) pairs. Without nulls the value
// counts equal the row counts, so sum/mean/min/max skip the counter update
// (one read-modify-write per row less) and the caller copies the rows; with
// kCountRows the loop counts the rows themselves instead (one pass less
// over the group ids than a separate histogram).
template <bool kNulls, bool kCountRows, typename T>
void UpdateNumeric(AggKind kind, AggState& st, const uint32_t* g, const T* v, const uint8_t* bits, int64_t bit_off,
                   int64_t n, int64_t* rows) {
  static_assert(!(kNulls && kCountRows), "rows are counted only by kernels that visit every row");
  int64_t* cnt = st.cnt.data();
  auto count = [cnt, rows](uint32_t gi) {
    if constexpr (kNulls) {
      ++cnt[gi];
    } else if constexpr (kCountRows) {
      ++rows[gi];
    } else {
      (void)cnt;
      (void)rows;
      (void)gi;
    }
  };
  switch (kind) {
    case AggKind::kSum:
    case AggKind::kMean:
      if constexpr (std::is_floating_point_v<T>) {
        double* s = st.s.data();
        double* c = st.c.data();
        ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
          const uint32_t gi = g[i];
          TwoSumAdd(s[gi], c[gi], static_cast<double>(v[i]));
          count(gi);
        });
      } else {
        __int128* s = st.isum.data();
        ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
          const uint32_t gi = g[i];
          s[gi] += v[i];
          count(gi);
        });
      }
      break;
    case AggKind::kMin:
    case AggKind::kMax: {
      const bool is_min = kind == AggKind::kMin;
      if constexpr (std::is_floating_point_v<T>) {
        double* m = st.fmm.data();
        // Starts at NaN: a NaN minimum is replaced by any number, a NaN
        // value never replaces a number.
        if (is_min) {
          ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
            const uint32_t gi = g[i];
            const double x = v[i];
            m[gi] = (x < m[gi] || m[gi] != m[gi]) ? x : m[gi];
            count(gi);
          });
        } else {
          ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
            const uint32_t gi = g[i];
            const double x = v[i];
            m[gi] = (x > m[gi] || m[gi] != m[gi]) ? x : m[gi];
            count(gi);
          });
        }
      } else {
        int64_t* m = st.imm.data();
        if (is_min) {
          ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
            const uint32_t gi = g[i];
            m[gi] = std::min<int64_t>(m[gi], v[i]);
            count(gi);
          });
        } else {
          ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
            const uint32_t gi = g[i];
            m[gi] = std::max<int64_t>(m[gi], v[i]);
            count(gi);
          });
        }
      }
      break;
    }
    case AggKind::kStd: {
      double* s = st.s.data();
      double* c = st.c.data();
      double* k = st.shift.data();
      double* s2 = st.s2.data();
      double* c2 = st.c2.data();
      ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
        const uint32_t gi = g[i];
        const double x = static_cast<double>(v[i]);
        if (cnt[gi] == 0) k[gi] = x;
        const double d = x - k[gi];
        TwoSumAdd(s[gi], c[gi], d);
        TwoSumAdd(s2[gi], c2[gi], d * d);
        ++cnt[gi];
      });
      break;
    }
    default:
      break;
  }
}

// count(column), first, last: only validity matters.
template <bool kNulls>
void UpdateByValidity(AggKind kind, AggState& st, const uint32_t* g, const uint8_t* bits, int64_t bit_off, int64_t n,
                      int64_t row_base) {
  switch (kind) {
    case AggKind::kCount: {
      int64_t* cnt = st.cnt.data();
      ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) { ++cnt[g[i]]; });
      break;
    }
    case AggKind::kFirst: {
      int64_t* row = st.row.data();
      ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) {
        if (row[g[i]] < 0) row[g[i]] = row_base + i;
      });
      break;
    }
    case AggKind::kLast: {
      int64_t* row = st.row.data();
      ForValid<kNulls>(bits, bit_off, n, [&](int64_t i) { row[g[i]] = row_base + i; });
      break;
    }
    default:
      break;
  }
}

template <typename T>
bool DispatchNulls(AggKind kind, AggState& st, const uint32_t* g, const T* v, const uint8_t* bits, int64_t bit_off,
                   int64_t n, int64_t* rows, bool count_rows) {
  if (bits != nullptr) {
    UpdateNumeric<true, false, T>(kind, st, g, v, bits, bit_off, n, rows);
    return false;
  }
  if (count_rows && kind != AggKind::kStd) {
    UpdateNumeric<false, true, T>(kind, st, g, v, bits, bit_off, n, rows);
    return true;
  }
  UpdateNumeric<false, false, T>(kind, st, g, v, bits, bit_off, n, rows);
  return false;
}

}  // namespace

bool UpdateAggregate(const AggPlan& p, AggState& st, const uint32_t* g, int64_t* rows, bool count_rows,
                     uint32_t num_groups, const RecordBatch& batch, const Morsel& m, std::vector<int32_t>& scratch) {
  const int64_t n = m.length;
  if (p.column < 0) return false;  // count(*) comes from the row counts
  const Column& col = batch.column(p.column);
  const uint8_t* bits = col.null_count() > 0 ? col.validity_bits() : nullptr;
  const int64_t bit_off = col.offset() + m.offset;
  if (p.kind == AggKind::kCount || p.kind == AggKind::kFirst || p.kind == AggKind::kLast) {
    if (bits != nullptr) {
      UpdateByValidity<true>(p.kind, st, g, bits, bit_off, n, m.row_base);
    } else {
      UpdateByValidity<false>(p.kind, st, g, bits, bit_off, n, m.row_base);
    }
    return false;
  }
  bool counted = false;
  switch (p.vc) {
    case ValueClass::kInt32:
      counted = DispatchNulls(p.kind, st, g, col.values<int32_t>() + m.offset, bits, bit_off, n, rows, count_rows);
      break;
    case ValueClass::kInt64:
      counted = DispatchNulls(p.kind, st, g, col.values<int64_t>() + m.offset, bits, bit_off, n, rows, count_rows);
      break;
    case ValueClass::kFloat32:
      counted = DispatchNulls(p.kind, st, g, col.values<float>() + m.offset, bits, bit_off, n, rows, count_rows);
      break;
    case ValueClass::kFloat64:
      counted = DispatchNulls(p.kind, st, g, col.values<double>() + m.offset, bits, bit_off, n, rows, count_rows);
      break;
    case ValueClass::kBool: {
      // Bits -> int32 once per morsel, then the int32 kernels.
      scratch.resize(static_cast<size_t>(n));
      const uint8_t* vbits = col.values_buffer()->data();
      for (int64_t i = 0; i < n; ++i) scratch[i] = bit_util::GetBit(vbits, bit_off + i);
      counted = DispatchNulls(p.kind, st, g, scratch.data(), bits, bit_off, n, rows, count_rows);
      break;
    }
    case ValueClass::kString:
      break;  // rejected while planning
  }
  if (bits == nullptr && p.kind != AggKind::kStd) std::copy(rows, rows + num_groups, st.cnt.begin());
  return counted;
}

void MergeState(const AggPlan& p, AggState& dst, const AggState& src, const uint32_t* map, uint32_t n) {
  const bool is_float = IsFloatClass(p.vc);
  for (uint32_t l = 0; l < n; ++l) {
    const uint32_t g = map[l];
    if (g == kNoGroup) continue;
    switch (p.kind) {
      case AggKind::kCount:
        dst.cnt[g] += src.cnt[l];
        break;
      case AggKind::kSum:
      case AggKind::kMean:
        dst.cnt[g] += src.cnt[l];
        if (is_float) {
          NeumaierAdd(dst.s[g], dst.c[g], src.s[l]);
          dst.c[g] += src.c[l];
        } else {
          dst.isum[g] += src.isum[l];
        }
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        if (src.cnt[l] == 0) break;
        if (is_float) {
          const double x = src.fmm[l], cur = dst.fmm[g];
          const bool better = p.kind == AggKind::kMin ? x < cur : x > cur;
          if (dst.cnt[g] == 0 || better || (cur != cur)) dst.fmm[g] = x;
        } else {
          dst.imm[g] = p.kind == AggKind::kMin ? std::min(dst.imm[g], src.imm[l]) : std::max(dst.imm[g], src.imm[l]);
        }
        dst.cnt[g] += src.cnt[l];
        break;
      case AggKind::kFirst:
        if (dst.row[g] < 0) dst.row[g] = src.row[l];
        break;
      case AggKind::kLast:
        if (src.row[l] >= 0) dst.row[g] = src.row[l];
        break;
      case AggKind::kStd: {
        const int64_t nb = src.cnt[l];
        if (nb == 0) break;
        const double s1 = src.s[l] + src.c[l];
        const double mean_b = src.shift[l] + s1 / static_cast<double>(nb);
        const double m2_b = std::max(0.0, (src.s2[l] + src.c2[l]) - s1 * s1 / static_cast<double>(nb));
        const int64_t na = dst.cnt[g];
        if (na == 0) {
          dst.s[g] = mean_b;
          dst.s2[g] = m2_b;
        } else {
          const double nt = static_cast<double>(na + nb);
          const double delta = mean_b - dst.s[g];
          dst.s[g] += delta * static_cast<double>(nb) / nt;
          dst.s2[g] += m2_b + delta * delta * static_cast<double>(na) * static_cast<double>(nb) / nt;
        }
        dst.cnt[g] = na + nb;
        break;
      }
    }
  }
}

}  // namespace edgepipe::compute::internal
