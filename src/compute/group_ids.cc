#include "compute/group_ids_internal.h"

#include <algorithm>
#include <limits>

#include "compute/group_map_internal.h"
#include "edgepipe/core/bit_util.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "compute/group_ids-inl.h"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "compute/group_ids-inl.h"

#if HWY_ONCE
namespace edgepipe::compute::internal {

HWY_EXPORT(KeyRangeI64);
HWY_EXPORT(KeyRangeI32);
HWY_EXPORT(DenseIdsI64);
HWY_EXPORT(DenseIdsI32);

DictionaryKeyMap BuildDictionaryKeyMap(const Column& dictionary) {
  // Entries are grouped by their bytes alone, as DecodeDictionary reads
  // them (a dictionary's own validity is not consulted).
  DictionaryKeyMap out;
  const int64_t n = dictionary.length();
  out.canon.resize(static_cast<size_t>(n));
  StringGroupMap map(n);
  const int32_t* offs = dictionary.string_offsets();
  const uint8_t* data = dictionary.string_data();
  for (int64_t e = 0; e < n; ++e) {
    const uint8_t* p = data + offs[e];
    const uint32_t len = static_cast<uint32_t>(offs[e + 1] - offs[e]);
    const uint32_t id = map.FindOrInsert(p, len, HashBytes(p, len), out.distinct);
    if (id == out.distinct) ++out.distinct;
    out.canon[static_cast<size_t>(e)] = id;
  }
  return out;
}

uint32_t LocalIds(const Column& col, Type type, const Morsel& m, uint32_t* out, std::vector<int64_t>* rep_row,
                  const DictionaryKeyMap* dict) {
  const int64_t n = m.length;
  const int64_t off = m.offset;
  const uint8_t* bits = col.null_count() > 0 ? col.validity_bits() : nullptr;
  const int64_t bit_off = col.offset() + off;
  uint32_t next = 0;
  uint32_t null_id = kNoGroup;
  auto new_group = [&](int64_t i) {
    if (rep_row) rep_row->push_back(i);
    return next++;
  };
  auto null_group = [&](int64_t i) {
    if (null_id == kNoGroup) null_id = new_group(i);
    return null_id;
  };
  if (type == Type::kBool) {
    uint32_t ids[2] = {kNoGroup, kNoGroup};
    const uint8_t* vbits = col.values_buffer()->data();
    for (int64_t i = 0; i < n; ++i) {
      if (bits && !bit_util::GetBit(bits, bit_off + i)) {
        out[i] = null_group(i);
        continue;
      }
      const int b = bit_util::GetBit(vbits, bit_off + i);
      if (ids[b] == kNoGroup) ids[b] = new_group(i);
      out[i] = ids[b];
    }
  } else if (col.is_dictionary()) {
    // Per row two loads (code -> canonical entry -> local id), no hashing:
    // the dictionary's strings were hashed once in BuildDictionaryKeyMap.
    // `local` is all kNoGroup between calls: entries set here are reset
    // from `touched` at the end, so a large dictionary costs nothing per
    // morsel beyond the entries the morsel uses.
    thread_local std::vector<uint32_t> local;
    thread_local std::vector<uint32_t> touched;
    if (local.size() < dict->distinct) local.resize(dict->distinct, kNoGroup);
    touched.clear();
    const int32_t* codes = col.dictionary_codes() + off;
    const uint32_t* canon = dict->canon.data();
    uint32_t* loc = local.data();
    for (int64_t i = 0; i < n; ++i) {
      if (bits && !bit_util::GetBit(bits, bit_off + i)) {
        out[i] = null_group(i);  // its code may be out of range (0 in an empty dictionary)
        continue;
      }
      const uint32_t c = canon[codes[i]];
      uint32_t id = loc[c];
      if (id == kNoGroup) {
        id = loc[c] = new_group(i);
        touched.push_back(c);
      }
      out[i] = id;
    }
    for (uint32_t c : touched) loc[c] = kNoGroup;
  } else if (type == Type::kString) {
    StringGroupMap map;
    const int32_t* offs = col.string_offsets() + off;
    const uint8_t* data = col.string_data();
    // Sensor logs repeat a key in runs: compare with the previous row first.
    const uint8_t* last_ptr = nullptr;
    uint32_t last_len = 0, last_id = kNoGroup;
    for (int64_t i = 0; i < n; ++i) {
      if (bits && !bit_util::GetBit(bits, bit_off + i)) {
        out[i] = null_group(i);
        continue;
      }
      const uint8_t* p = data + offs[i];
      const uint32_t len = static_cast<uint32_t>(offs[i + 1] - offs[i]);
      if (len == last_len && last_id != kNoGroup && BytesEqual(p, last_ptr, len)) {
        out[i] = last_id;
        continue;
      }
      uint32_t id = map.FindOrInsert(p, len, HashBytes(p, len), next);
      if (id == next) new_group(i);
      out[i] = id;
      last_ptr = p;
      last_len = len;
      last_id = id;
    }
  } else {
    IntGroupMap map;
    for (int64_t i = 0; i < n; ++i) {
      if (bits && !bit_util::GetBit(bits, bit_off + i)) {
        out[i] = null_group(i);
        continue;
      }
      uint32_t id = map.FindOrInsert(IntKeyAt(col, type, off + i), next);
      if (id == next) new_group(i);
      out[i] = id;
    }
  }
  return next;
}

void ScanIntRange(const Column& col, Type type, const Morsel& m, int64_t* lo_out, int64_t* hi_out) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  const int64_t n = m.length;
  if (col.null_count() == 0) {
    if (n > 0) {
      if (type == Type::kInt32) {
        HWY_DYNAMIC_DISPATCH(KeyRangeI32)(col.values<int32_t>() + m.offset, static_cast<size_t>(n), &lo, &hi);
      } else {
        HWY_DYNAMIC_DISPATCH(KeyRangeI64)(col.values<int64_t>() + m.offset, static_cast<size_t>(n), &lo, &hi);
      }
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      if (col.IsNull(m.offset + i)) continue;
      const int64_t v = IntKeyAt(col, type, m.offset + i);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  *lo_out = lo;
  *hi_out = hi;
}

void DenseIds(const Column* col, Type type, int64_t min, uint32_t null_slot, const Morsel& m, uint32_t* out) {
  const int64_t n = m.length;
  if (col == nullptr) {
    std::fill(out, out + n, 0u);
    return;
  }
  const uint8_t* bits = col->null_count() > 0 ? col->validity_bits() : nullptr;
  const int64_t bit_off = col->offset() + m.offset;
  if (type == Type::kBool) {
    const uint8_t* vbits = col->values_buffer()->data();
    for (int64_t i = 0; i < n; ++i) out[i] = bit_util::GetBit(vbits, bit_off + i);
  } else if (type == Type::kInt32) {
    HWY_DYNAMIC_DISPATCH(DenseIdsI32)(col->values<int32_t>() + m.offset, static_cast<size_t>(n), min, out);
  } else {
    HWY_DYNAMIC_DISPATCH(DenseIdsI64)(col->values<int64_t>() + m.offset, static_cast<size_t>(n), min, out);
  }
  if (bits != nullptr) {
    // Null rows hold arbitrary key values: their ids are overwritten here.
    for (int64_t i = 0; i < n; ++i) {
      if (!bit_util::GetBit(bits, bit_off + i)) out[i] = null_slot;
    }
  }
}

void DenseFirstRows(const Column* col, Type type, int64_t min, uint32_t null_slot, const Morsel& m, uint32_t wanted,
                    int64_t* first) {
  // Chunks of 1024 ids (4 KiB, stays in L1): with uniform keys every slot
  // shows up within a few thousand rows, so the scan stops long before the
  // end of the morsel.
  constexpr int64_t kChunk = 1024;
  uint32_t ids[kChunk];
  for (int64_t start = 0; start < m.length && wanted > 0; start += kChunk) {
    const Morsel chunk{m.batch, m.offset + start, std::min(kChunk, m.length - start), m.row_base + start};
    DenseIds(col, type, min, null_slot, chunk, ids);
    for (int64_t i = 0; i < chunk.length; ++i) {
      if (first[ids[i]] == -1) {
        first[ids[i]] = chunk.row_base + i;
        if (--wanted == 0) break;
      }
    }
  }
}

}  // namespace edgepipe::compute::internal
#endif  // HWY_ONCE
