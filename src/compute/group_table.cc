#include "compute/group_table_internal.h"

#include "compute/group_ids_internal.h"

namespace edgepipe::compute::internal {

namespace {

inline uint64_t HashKeyValue(const Column& col, Type type, int64_t i) {
  if (col.IsNull(i)) return kNullKeyHash;
  if (type == Type::kString) {
    const std::string_view s = col.GetString(i);
    return HashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  if (type == Type::kBool) return Mix64(col.GetBool(i) ? 2 : 1);
  return Mix64(static_cast<uint64_t>(IntKeyAt(col, type, i)));
}

inline bool KeyEquals(const GlobalKeyColumn& gk, uint32_t g, const Column& col, int64_t i) {
  const bool valid = col.IsValid(i);
  if (valid != (gk.valid[g] != 0)) return false;
  if (!valid) return true;
  switch (gk.type) {
    case Type::kString:
      return gk.str(g) == col.GetString(i);
    case Type::kBool:
      return gk.ints[g] == static_cast<int64_t>(col.GetBool(i));
    default:
      return gk.ints[g] == IntKeyAt(col, gk.type, i);
  }
}

inline void AppendKey(GlobalKeyColumn& gk, const Column& col, int64_t i) {
  const bool valid = col.IsValid(i);
  gk.valid.push_back(valid);
  int64_t v = 0;
  if (valid) {
    if (gk.type == Type::kString) {
      gk.bytes.append(col.GetString(i));
    } else if (gk.type == Type::kBool) {
      v = col.GetBool(i);
    } else {
      v = IntKeyAt(col, gk.type, i);
    }
  }
  gk.ints.push_back(v);
  gk.offsets.push_back(static_cast<int64_t>(gk.bytes.size()));
}

}  // namespace

GlobalGroupTable::GlobalGroupTable(std::vector<KeyPlan> keys) : keys_(std::move(keys)) {
  for (const KeyPlan& k : keys_) columns_.push_back(GlobalKeyColumn{k.type, {}, {}, {}, {0}});
  slots_.assign(64, Slot{0, kNoGroup});
}

uint32_t GlobalGroupTable::FindOrInsert(const RecordBatch& batch, int64_t row) {
  uint64_t h = kSeed;
  for (const KeyPlan& k : keys_) h = Mix64(h ^ HashKeyValue(batch.column(k.column), k.type, row)) + kHashMul;
  return Probe(
      h,
      [&](uint32_t g) {
        for (size_t k = 0; k < keys_.size(); ++k) {
          if (!KeyEquals(columns_[k], g, batch.column(keys_[k].column), row)) return false;
        }
        return true;
      },
      [&] {
        for (size_t k = 0; k < keys_.size(); ++k) AppendKey(columns_[k], batch.column(keys_[k].column), row);
      });
}

void GlobalGroupTable::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{0, kNoGroup});
  const uint64_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kNoGroup) continue;
    uint64_t idx = s.hash & mask;
    while (slots_[idx].id != kNoGroup) idx = (idx + 1) & mask;
    slots_[idx] = s;
  }
}

}  // namespace edgepipe::compute::internal
