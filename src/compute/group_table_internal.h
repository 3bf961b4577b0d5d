#pragma once
// The global group table of the group-by (module-private): distinct key
// tuples in order of first appearance, used in phase 2 to map each morsel's
// local groups to global ids when the keys are not densely indexable.
// Keys are copied (strings into one byte arena), so the table outlives the
// morsels it was filled from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compute/group_map_internal.h"
#include "compute/group_plan_internal.h"
#include "edgepipe/core/record_batch.h"

namespace edgepipe::compute::internal {

// Hash of a null key value (any key type).
inline constexpr uint64_t kNullKeyHash = 0x5BD1E995u;

// The distinct key tuples found so far, one column of values per key.
struct GlobalKeyColumn {
  Type type;
  std::vector<int64_t> ints;  // int32 / int64 / timestamp / bool values
  std::vector<uint8_t> valid;
  std::string bytes;  // string keys, concatenated
  std::vector<int64_t> offsets{0};

  std::string_view str(size_t g) const {
    return std::string_view(bytes).substr(static_cast<size_t>(offsets[g]),
                                          static_cast<size_t>(offsets[g + 1] - offsets[g]));
  }
};

// Key tuple -> global group id, for merging morsels' local groups.
class GlobalGroupTable {
 public:
  explicit GlobalGroupTable(std::vector<KeyPlan> keys);
  uint32_t size() const { return size_; }
  const std::vector<GlobalKeyColumn>& columns() const { return columns_; }

  // The group of the key tuple at `row` of `batch`, inserted when new.
  uint32_t FindOrInsert(const RecordBatch& batch, int64_t row);

  // As FindOrInsert for a single integer-like key given by value (valid =
  // false: the null key); hashes equal those of FindOrInsert.
  uint32_t FindOrInsertInt(int64_t v, bool valid) {
    const uint64_t h = Mix64(kSeed ^ (valid ? Mix64(static_cast<uint64_t>(v)) : kNullKeyHash)) + kHashMul;
    GlobalKeyColumn& c = columns_[0];
    return Probe(
        h, [&](uint32_t g) { return (c.valid[g] != 0) == valid && (!valid || c.ints[g] == v); },
        [&] {
          c.valid.push_back(valid);
          c.ints.push_back(valid ? v : 0);
          c.offsets.push_back(static_cast<int64_t>(c.bytes.size()));
        });
  }

 private:
  struct Slot {
    uint64_t hash;
    uint32_t id;
  };
  void Grow();

  static constexpr uint64_t kSeed = 0x243F6A8885A308D3ULL;

  template <typename Eq, typename Append>
  uint32_t Probe(uint64_t h, Eq&& eq, Append&& append) {
    const uint64_t mask = slots_.size() - 1;
    uint64_t idx = h & mask;
    for (;;) {
      const Slot& s = slots_[idx];
      if (s.id == kNoGroup) break;
      if (s.hash == h && eq(s.id)) return s.id;
      idx = (idx + 1) & mask;
    }
    append();
    slots_[idx] = Slot{h, size_};
    if (++size_ * 2 > slots_.size()) Grow();
    return size_ - 1;
  }

  std::vector<KeyPlan> keys_;
  std::vector<GlobalKeyColumn> columns_;
  std::vector<Slot> slots_;
  uint32_t size_ = 0;
};

}  // namespace edgepipe::compute::internal
