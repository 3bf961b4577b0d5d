#pragma once
// Key-id assignment of the group-by (module-private): maps each row of a
// morsel to a local group id (uint32), either densely (slot = key - min, or
// fixed slots for bool / no key) or through a hash map in order of first
// appearance. See docs/group_by.md.

#include <cstdint>
#include <vector>

#include "compute/group_plan_internal.h"
#include "edgepipe/core/column.h"

namespace edgepipe::compute::internal {

// Reads an integer-like key (int32, int64, timestamp) as int64.
inline int64_t IntKeyAt(const Column& col, Type type, int64_t i) {
  return type == Type::kInt32 ? col.values<int32_t>()[i] : col.values<int64_t>()[i];
}

// A dictionary's entries deduplicated by their bytes: canon[e] is a dense
// id in [0, distinct), equal for entries holding the same string (a
// dictionary may repeat values; Parquet's need not be unique).
struct DictionaryKeyMap {
  std::vector<uint32_t> canon;  // one per dictionary entry
  uint32_t distinct = 0;
};
// `dictionary` is a plain string column (Column::dictionary()).
DictionaryKeyMap BuildDictionaryKeyMap(const Column& dictionary);

// Local ids for one key column over a morsel, compact in order of first
// appearance; also records each group's first row (within the morsel) when
// `rep_row` is given. Returns the number of ids. A dictionary-encoded
// column needs `dict` = the map of its dictionary (ignored otherwise): rows
// are mapped code -> canonical entry -> local id, without hashing strings.
uint32_t LocalIds(const Column& col, Type type, const Morsel& m, uint32_t* out, std::vector<int64_t>* rep_row,
                  const DictionaryKeyMap* dict = nullptr);

// Non-null min and max of an integer-like key over a morsel (lo > hi when
// there is none). Reads the morsel once, leaving it in L2/L3 for the id
// pass; vectorized (Highway) when the column has no nulls.
void ScanIntRange(const Column& col, Type type, const Morsel& m, int64_t* lo_out, int64_t* hi_out);

// Whether [lo, hi] (empty when lo > hi) is small enough for dense slots.
inline bool SmallRange(int64_t lo, int64_t hi) {
  return lo > hi || static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) < static_cast<uint64_t>(kDenseMaxSlots);
}

// Dense ids: slot = key - min (bool: 0/1), nulls in slot `null_slot`; no
// key (col == nullptr): all rows in slot 0. Integer keys of the morsel must
// lie in [min, min + kDenseMaxSlots) (see ScanIntRange). Vectorized
// (Highway, dispatched once per morsel).
void DenseIds(const Column* col, Type type, int64_t min, uint32_t null_slot, const Morsel& m, uint32_t* out);

// First rows of dense slots (numbered as by DenseIds): sets first[l] to the
// global row (m.row_base + i) of the morsel's first row in slot l for every
// slot with first[l] == -1; `wanted` is how many there are, all present in
// the morsel. Stops as soon as all are found.
void DenseFirstRows(const Column* col, Type type, int64_t min, uint32_t null_slot, const Morsel& m, uint32_t wanted,
                    int64_t* first);

}  // namespace edgepipe::compute::internal
