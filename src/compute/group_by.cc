#include "edgepipe/compute/group_by.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "compute/group_ids_internal.h"
#include "compute/group_map_internal.h"
#include "compute/group_output_internal.h"
#include "compute/group_plan_internal.h"
#include "compute/group_state_internal.h"
#include "compute/group_table_internal.h"
#include "edgepipe/core/parallel.h"

// The GroupBy driver: plans, cuts morsels, runs phase 1 (local ids and
// partial states per morsel, in parallel), phase 2 (local -> global groups,
// merge in row order) and builds the output. The stages live in
// group_plan, group_ids, group_state, group_table and group_output.

namespace edgepipe::compute {

using internal::AggPlan;
using internal::AggState;
using internal::BuildDictionaryKeyMap;
using internal::DenseFirstRows;
using internal::DenseIds;
using internal::DictionaryKeyMap;
using internal::FinishAggregate;
using internal::FinishKeyColumn;
using internal::GlobalGroupTable;
using internal::GlobalKeyColumn;
using internal::IntKeyAt;
using internal::KeyPlan;
using internal::LocalIds;
using internal::MergeState;
using internal::Morsel;
using internal::PlanAggregate;
using internal::PlanKey;
using internal::ResizeState;
using internal::RowLocator;
using internal::ScanIntRange;
using internal::SmallRange;
using internal::UpdateAggregate;
using internal::kMaxMorselRows;

namespace {

// What GroupBy resolved from the schema and options before reading data.
struct GroupByPlan {
  std::vector<KeyPlan> keys;
  std::vector<AggPlan> aggs;
  std::shared_ptr<const Schema> out_schema;
  int64_t morsel_rows = 0;
  bool fixed_dense = false;  // no key (1 slot) or a bool key (false, true, null)
  bool single_int = false;   // one integer-like key: dense when its range is small
  int64_t fixed_slots = 0;   // slots when fixed_dense
  bool sort_keys = true;
  bool track_first = false;  // !sort_keys: groups are output in order of first appearance
};

// The key maps of one batch's dictionary-encoded key columns, by key (null
// for plain columns).
using BatchDictMaps = std::vector<std::shared_ptr<const DictionaryKeyMap>>;

struct MorselResult {
  uint32_t num_groups = 0;
  std::vector<int64_t> rows;       // rows per group: count(*) and presence
  std::vector<int64_t> first_row;  // dense without sort_keys: first global row per slot (phase 2)
  std::vector<int64_t> rep_row;    // hashed: row (within the morsel) where each group first appears
  std::vector<AggState> states;
};

// How phase 1 grouped a morsel.
struct MorselInfo {
  bool dense = false;
  int64_t min = 0;                                   // dense: key of slot 0
  int64_t lo = std::numeric_limits<int64_t>::max();  // single int key: non-null range
  int64_t hi = std::numeric_limits<int64_t>::min();
};

// How morsels' local groups map to global groups.
enum class GlobalMode {
  kFixedDense,  // no key (1 slot) or a bool key (false, true, null)
  kIntDense,    // one integer key whose global range is small: slot = key - min
  kTable,       // GlobalGroupTable on the key tuple
};

// The global groups and their merged state, built by phase 2.
struct GlobalGroups {
  explicit GlobalGroups(const std::vector<KeyPlan>& keys) : table(keys) {}
  bool dense() const { return mode != GlobalMode::kTable; }

  GlobalMode mode = GlobalMode::kTable;
  int64_t dense_min = 0;    // kIntDense: key of slot 0
  uint32_t num_groups = 0;  // fixed in dense modes; grows with `table` otherwise
  uint32_t null_slot = 0;   // dense modes only
  GlobalGroupTable table;   // kTable only
  std::vector<int64_t> rows, first_row;
  std::vector<AggState> states;
};

// Checks options and names before touching data.
Result<GroupByPlan> PlanGroupBy(const Schema& schema, const std::vector<std::string>& keys,
                                const std::vector<Aggregate>& aggs, const GroupByOptions& options) {
  if (options.morsel_rows < 1) {
    return Status::InvalidArgument("group by: morsel_rows must be >= 1, got " + std::to_string(options.morsel_rows));
  }
  GroupByPlan plan;
  plan.morsel_rows = std::min(options.morsel_rows, kMaxMorselRows);
  std::vector<Field> out_fields;
  for (const std::string& name : keys) {
    ASSIGN_OR_RETURN(KeyPlan k, PlanKey(schema, name));
    plan.keys.push_back(k);
    out_fields.push_back(schema.field(k.column));
  }
  for (const Aggregate& a : aggs) {
    ASSIGN_OR_RETURN(AggPlan p, PlanAggregate(schema, a));
    out_fields.push_back(Field{p.name, p.out_type, p.kind != AggKind::kCount});
    plan.aggs.push_back(std::move(p));
  }
  std::unordered_set<std::string> seen;
  for (const Field& f : out_fields) {
    if (!seen.insert(f.name).second) {
      return Status::InvalidArgument("group by: duplicate output column '" + f.name +
                                     "'; set Aggregate::output_name to tell them apart");
    }
  }
  plan.out_schema = std::make_shared<const Schema>(out_fields);
  plan.fixed_dense = plan.keys.empty() || (plan.keys.size() == 1 && plan.keys[0].type == Type::kBool);
  plan.single_int = plan.keys.size() == 1 && !plan.fixed_dense && plan.keys[0].type != Type::kString;
  plan.fixed_slots = plan.keys.empty() ? 1 : 3;
  plan.sort_keys = options.sort_keys;
  plan.track_first = !options.sort_keys;
  return plan;
}

// Fixed row ranges of the batches, independent of the thread count (so is
// the result). Also fills `loc` with each batch's first global row.
std::vector<Morsel> CutMorsels(const Table& input, int64_t morsel_rows, RowLocator* loc) {
  std::vector<Morsel> morsels;
  int64_t base = 0;
  for (int b = 0; b < static_cast<int>(input.batches().size()); ++b) {
    const int64_t len = input.batches()[b].num_rows();
    loc->starts.push_back(base);
    for (int64_t off = 0; off < len; off += morsel_rows) {
      morsels.push_back({b, off, std::min(morsel_rows, len - off), base + off});
    }
    base += len;
  }
  return morsels;
}

// Dictionary-encoded key columns: each distinct dictionary is deduplicated
// once (batches may share one), so phase 1 never hashes a string per row.
// Returns the maps by batch.
std::vector<BatchDictMaps> BuildDictionaryMaps(const Table& input, const std::vector<KeyPlan>& keys) {
  std::vector<BatchDictMaps> dict_maps(input.batches().size());
  std::vector<std::pair<const Column*, std::shared_ptr<DictionaryKeyMap>>> distinct;  // by dictionary address
  for (size_t b = 0; b < input.batches().size(); ++b) {
    dict_maps[b].resize(keys.size());
    for (size_t k = 0; k < keys.size(); ++k) {
      const Column& col = input.batches()[b].column(keys[k].column);
      if (!col.is_dictionary()) continue;
      const Column* dict = col.dictionary().get();
      auto it = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == dict; });
      if (it == distinct.end()) {
        distinct.emplace_back(dict, std::make_shared<DictionaryKeyMap>());
        it = distinct.end() - 1;
      }
      dict_maps[b][k] = it->second;
    }
  }
  ParallelFor(static_cast<int64_t>(distinct.size()),
              [&](int64_t d) { *distinct[d].second = BuildDictionaryKeyMap(*distinct[d].first); });
  return dict_maps;
}

// A single integer key is grouped densely within a morsel when the morsel's
// range is small (slot = key - morsel min), by hash otherwise.
void SingleIntKeyIds(const KeyPlan& key, const RecordBatch& batch, const Morsel& m, uint32_t* gids, MorselResult& r,
                     MorselInfo& info) {
  const Column& col = batch.column(key.column);
  ScanIntRange(col, key.type, m, &info.lo, &info.hi);
  if (SmallRange(info.lo, info.hi)) {
    info.dense = true;
    info.min = info.lo <= info.hi ? info.lo : 0;
    const int64_t slots = (info.lo <= info.hi ? info.hi - info.lo + 1 : 0) + 1;
    r.num_groups = static_cast<uint32_t>(slots);
    DenseIds(&col, key.type, info.min, static_cast<uint32_t>(slots - 1), m, gids);
  } else {
    r.num_groups = LocalIds(col, key.type, m, gids, &r.rep_row);
  }
}

// Composite keys: ids per column, folded pairwise (acc * card + id) through
// an integer map; the last fold yields the group ids.
void CompositeKeyIds(const std::vector<KeyPlan>& keys, const RecordBatch& batch, const BatchDictMaps& dicts,
                     const Morsel& m, std::vector<uint32_t>& gids, std::vector<uint32_t>& tmp_ids, MorselResult& r) {
  tmp_ids.resize(static_cast<size_t>(m.length));
  uint32_t card = LocalIds(batch.column(keys[0].column), keys[0].type, m, gids.data(), nullptr, dicts[0].get());
  for (size_t k = 1; k < keys.size(); ++k) {
    const bool last = k + 1 == keys.size();
    const uint32_t card_k =
        LocalIds(batch.column(keys[k].column), keys[k].type, m, tmp_ids.data(), nullptr, dicts[k].get());
    IntGroupMap map(std::min<int64_t>(m.length, int64_t{card} * card_k));
    uint32_t next = 0;
    for (int64_t i = 0; i < m.length; ++i) {
      const int64_t combined = static_cast<int64_t>(uint64_t{gids[i]} * card_k + tmp_ids[i]);
      const uint32_t id = map.FindOrInsert(combined, next);
      if (id == next) {
        ++next;
        if (last) r.rep_row.push_back(i);
      }
      gids[i] = id;
    }
    card = next;
  }
  r.num_groups = card;
}

// Phase 1, ids: the local group id of each row of morsel `m` into `gids`
// (dense slots, hashed, or by dictionary code), with r.num_groups,
// r.rep_row (hashed) and `info`.
void LocalGroupIds(const GroupByPlan& plan, const RecordBatch& batch, const BatchDictMaps& dicts, const Morsel& m,
                   std::vector<uint32_t>& gids, std::vector<uint32_t>& tmp_ids, MorselResult& r, MorselInfo& info) {
  if (plan.fixed_dense) {
    const Column* col = plan.keys.empty() ? nullptr : &batch.column(plan.keys[0].column);
    info.dense = true;
    r.num_groups = static_cast<uint32_t>(plan.fixed_slots);
    DenseIds(col, Type::kBool, 0, static_cast<uint32_t>(plan.fixed_slots - 1), m, gids.data());
  } else if (plan.single_int) {
    SingleIntKeyIds(plan.keys[0], batch, m, gids.data(), r, info);
  } else if (plan.keys.size() == 1) {
    r.num_groups =
        LocalIds(batch.column(plan.keys[0].column), plan.keys[0].type, m, gids.data(), &r.rep_row, dicts[0].get());
  } else {
    CompositeKeyIds(plan.keys, batch, dicts, m, gids, tmp_ids, r);
  }
}

// Phase 1, states: the partial states and row counts of the morsel's groups.
void UpdatePartialStates(const GroupByPlan& plan, const RecordBatch& batch, const Morsel& m, const uint32_t* g,
                         std::vector<int32_t>& scratch, MorselResult& r) {
  const int64_t n = m.length;  // a local: the row counters must not alias it
  // Row counts: without a key trivially; else by the first aggregate
  // kernel that visits every row, or by a histogram pass of their own.
  r.rows.assign(r.num_groups, 0);
  int64_t* rows = r.rows.data();
  bool rows_counted = false;
  if (plan.keys.empty()) {
    rows[0] = n;
    rows_counted = true;
  }
  r.states.resize(plan.aggs.size());
  for (size_t a = 0; a < plan.aggs.size(); ++a) {
    ResizeState(plan.aggs[a], r.states[a], r.num_groups);
    if (UpdateAggregate(plan.aggs[a], r.states[a], g, rows, !rows_counted, r.num_groups, batch, m, scratch)) {
      rows_counted = true;
    }
  }
  if (!rows_counted) {
    for (int64_t i = 0; i < n; ++i) ++rows[g[i]];
  }
}

// Phase 1 (parallel): group ids and partial states per morsel.
void GroupMorsels(const GroupByPlan& plan, const Table& input, const std::vector<Morsel>& morsels,
                  const std::vector<BatchDictMaps>& dict_maps, std::vector<MorselResult>& results,
                  std::vector<MorselInfo>& infos) {
  ParallelFor(static_cast<int64_t>(morsels.size()), [&](int64_t mi) {
    const Morsel& m = morsels[mi];
    const RecordBatch& batch = input.batches()[m.batch];
    // Per thread, so morsels reuse them instead of allocating.
    thread_local std::vector<uint32_t> gids, tmp_ids;
    thread_local std::vector<int32_t> scratch;
    gids.resize(static_cast<size_t>(m.length));
    LocalGroupIds(plan, batch, dict_maps[m.batch], m, gids, tmp_ids, results[mi], infos[mi]);
    UpdatePartialStates(plan, batch, m, gids.data(), scratch, results[mi]);
  });
}

// Decides how local groups become global groups: dense slots when every
// morsel's keys fit one small range, else the table. Dense modes are sized
// here; the table grows as morsels are merged.
GlobalGroups StartGlobalGroups(const GroupByPlan& plan, const std::vector<MorselInfo>& infos) {
  GlobalGroups gg(plan.keys);
  gg.mode = plan.fixed_dense ? GlobalMode::kFixedDense : GlobalMode::kTable;
  gg.num_groups = plan.fixed_dense ? static_cast<uint32_t>(plan.fixed_slots) : 0;
  if (plan.single_int) {
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (const MorselInfo& info : infos) {
      lo = std::min(lo, info.lo);
      hi = std::max(hi, info.hi);
    }
    if (SmallRange(lo, hi)) {
      gg.mode = GlobalMode::kIntDense;
      gg.dense_min = lo <= hi ? lo : 0;
      gg.num_groups = static_cast<uint32_t>((lo <= hi ? hi - lo + 1 : 0) + 1);
    }
  }
  gg.null_slot = gg.num_groups - 1;
  gg.states.resize(plan.aggs.size());
  if (gg.dense()) {
    gg.rows.assign(gg.num_groups, 0);
    if (plan.track_first) gg.first_row.assign(gg.num_groups, -1);
    for (size_t a = 0; a < plan.aggs.size(); ++a) ResizeState(plan.aggs[a], gg.states[a], gg.num_groups);
  }
  return gg;
}

// Phase 2, dense morsel: maps the local slots with rows into `map`. Without
// sort_keys it also finds the first rows of groups no earlier morsel had
// (table mode: of all its groups, to insert them in order of appearance).
void MapDenseMorsel(const GroupByPlan& plan, const RecordBatch& batch, const Morsel& m, const MorselInfo& info,
                    MorselResult& r, std::vector<uint32_t>& map, std::vector<uint32_t>& local_order,
                    GlobalGroups& gg) {
  // Locals, not gg's fields: stores through map could alias those (uint32).
  const GlobalMode mode = gg.mode;
  const int64_t dense_min = gg.dense_min;
  const uint32_t null_slot = gg.null_slot;
  std::vector<int64_t>& first_row = gg.first_row;
  const Column* key_col = plan.keys.empty() ? nullptr : &batch.column(plan.keys[0].column);
  const Type key_type = plan.fixed_dense ? Type::kBool : plan.keys[0].type;
  const uint32_t local_null = r.num_groups - 1;
  // Local slots with rows.
  local_order.clear();
  for (uint32_t l = 0; l < r.num_groups; ++l) {
    if (r.rows[l] > 0) local_order.push_back(l);
  }
  if (mode != GlobalMode::kTable) {
    for (uint32_t l : local_order) {
      map[l] = mode == GlobalMode::kFixedDense ? l
               : l == local_null              ? null_slot
                                              : static_cast<uint32_t>(info.min + l - dense_min);
    }
  }
  if (plan.track_first) {
    // First rows are needed only for groups not seen in earlier morsels
    // (dense modes; usually all of them are in the first morsel), or to
    // order this morsel's new groups (table mode): found here, by a scan
    // that stops when they are, rather than by a pass over every morsel
    // in phase 1.
    r.first_row.assign(r.num_groups, -2);
    uint32_t wanted = 0;
    for (uint32_t l : local_order) {
      if (mode == GlobalMode::kTable || first_row[map[l]] < 0) {
        r.first_row[l] = -1;
        ++wanted;
      }
    }
    if (wanted > 0) DenseFirstRows(key_col, key_type, info.min, local_null, m, wanted, r.first_row.data());
    if (mode == GlobalMode::kTable) {
      std::sort(local_order.begin(), local_order.end(),
                [&](uint32_t a, uint32_t b) { return r.first_row[a] < r.first_row[b]; });
    } else {
      for (uint32_t l : local_order) {
        if (r.first_row[l] >= 0) first_row[map[l]] = r.first_row[l];
      }
    }
  }
  if (mode == GlobalMode::kTable) {
    for (uint32_t l : local_order) map[l] = gg.table.FindOrInsertInt(info.min + l, l != local_null);
  }
}

// Phase 2, hashed morsel: maps each local group, by the key at its first
// row, into `map` (local groups are already in order of first appearance).
void MapHashedMorsel(const GroupByPlan& plan, const RecordBatch& batch, const Morsel& m, const MorselResult& r,
                     std::vector<uint32_t>& map, GlobalGroups& gg) {
  // Locals, as in MapDenseMorsel.
  const GlobalMode mode = gg.mode;
  const int64_t dense_min = gg.dense_min;
  const uint32_t null_slot = gg.null_slot;
  const bool track_first = plan.track_first;
  std::vector<int64_t>& first_row = gg.first_row;
  for (uint32_t l = 0; l < r.num_groups; ++l) {
    const int64_t row = m.offset + r.rep_row[l];
    if (mode == GlobalMode::kIntDense) {
      const Column& col = batch.column(plan.keys[0].column);
      map[l] = col.IsNull(row) ? null_slot : static_cast<uint32_t>(IntKeyAt(col, plan.keys[0].type, row) - dense_min);
      if (track_first && first_row[map[l]] < 0) first_row[map[l]] = m.row_base + r.rep_row[l];
    } else {
      map[l] = gg.table.FindOrInsert(batch, row);
    }
  }
}

// Phase 2, merge: folds a mapped morsel's row counts and partial states into
// the global ones, growing them first when the table gained groups.
void MergeMorsel(const GroupByPlan& plan, const MorselResult& r, const std::vector<uint32_t>& map, GlobalGroups& gg) {
  if (!gg.dense() && gg.table.size() > gg.num_groups) {
    gg.num_groups = gg.table.size();
    gg.rows.resize(gg.num_groups, 0);
    for (size_t a = 0; a < plan.aggs.size(); ++a) ResizeState(plan.aggs[a], gg.states[a], gg.num_groups);
  }
  for (uint32_t l = 0; l < r.num_groups; ++l) {
    if (map[l] != kNoGroup) gg.rows[map[l]] += r.rows[l];
  }
  for (size_t a = 0; a < plan.aggs.size(); ++a) {
    MergeState(plan.aggs[a], gg.states[a], r.states[a], map.data(), r.num_groups);
  }
}

// Phase 2 (sequential, in row order, so the result does not depend on the
// thread count): local groups -> global groups, partial states merged.
void MergeMorsels(const GroupByPlan& plan, const Table& input, const std::vector<Morsel>& morsels,
                  const std::vector<MorselInfo>& infos, std::vector<MorselResult>& results, GlobalGroups& gg) {
  std::vector<uint32_t> map, local_order;
  for (size_t mi = 0; mi < morsels.size(); ++mi) {
    MorselResult& r = results[mi];
    const Morsel& m = morsels[mi];
    const RecordBatch& batch = input.batches()[m.batch];
    map.assign(r.num_groups, kNoGroup);
    if (infos[mi].dense) {
      MapDenseMorsel(plan, batch, m, infos[mi], r, map, local_order, gg);
    } else {
      MapHashedMorsel(plan, batch, m, r, map, gg);
    }
    MergeMorsel(plan, r, map, gg);
    r = MorselResult();  // free as we go
  }
}

// Output order of the global groups: by first appearance without
// sort_keys, else by key (nulls last); dense slots are already in key order.
std::vector<uint32_t> OutputOrder(const GroupByPlan& plan, const GlobalGroups& gg) {
  std::vector<uint32_t> order;
  if (gg.dense()) {
    const std::vector<int64_t>& first_row = gg.first_row;
    for (uint32_t g = 0; g < gg.num_groups; ++g) {
      if (gg.rows[g] > 0 || plan.keys.empty()) order.push_back(g);
    }
    if (plan.track_first && !plan.keys.empty()) {
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return first_row[a] < first_row[b]; });
    }
  } else {
    order.resize(gg.num_groups);
    std::iota(order.begin(), order.end(), 0u);  // already first-appearance order
    if (plan.sort_keys) {
      const auto& cols = gg.table.columns();
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        for (const GlobalKeyColumn& c : cols) {
          const bool va = c.valid[a], vb = c.valid[b];
          if (va != vb) return va;  // nulls last
          if (!va) continue;
          if (c.type == Type::kString) {
            const int cmp = c.str(a).compare(c.str(b));
            if (cmp != 0) return cmp < 0;
          } else if (c.ints[a] != c.ints[b]) {
            return c.ints[a] < c.ints[b];
          }
        }
        return false;
      });
    }
  }
  return order;
}

// The output table: keys, then aggregates, one batch (none without groups).
Result<Table> BuildOutput(const GroupByPlan& plan, const GlobalGroups& gg, const std::vector<uint32_t>& order,
                          const Table& input, const RowLocator& loc) {
  std::vector<Column> columns;
  for (size_t k = 0; k < plan.keys.size(); ++k) {
    ASSIGN_OR_RETURN(Column col, FinishKeyColumn(plan.keys[k].type, order,
                                                 gg.dense() ? nullptr : &gg.table.columns()[k], gg.dense_min,
                                                 gg.null_slot));
    columns.push_back(std::move(col));
  }
  for (size_t a = 0; a < plan.aggs.size(); ++a) {
    ASSIGN_OR_RETURN(Column col, FinishAggregate(plan.aggs[a], gg.states[a], gg.rows, order, input, loc));
    columns.push_back(std::move(col));
  }
  Table out(plan.out_schema);
  if (!order.empty()) {
    ASSIGN_OR_RETURN(RecordBatch batch, RecordBatch::Make(plan.out_schema, std::move(columns)));
    RETURN_NOT_OK(out.Append(std::move(batch)));
  }
  return out;
}

}  // namespace

Result<Table> GroupBy(const Table& input, const std::vector<std::string>& keys, const std::vector<Aggregate>& aggs,
                      const GroupByOptions& options) {
  ASSIGN_OR_RETURN(const GroupByPlan plan, PlanGroupBy(*input.schema(), keys, aggs, options));
  RowLocator loc;
  const std::vector<Morsel> morsels = CutMorsels(input, plan.morsel_rows, &loc);
  const std::vector<BatchDictMaps> dict_maps = BuildDictionaryMaps(input, plan.keys);

  std::vector<MorselResult> results(morsels.size());
  std::vector<MorselInfo> infos(morsels.size());
  GroupMorsels(plan, input, morsels, dict_maps, results, infos);

  GlobalGroups groups = StartGlobalGroups(plan, infos);
  MergeMorsels(plan, input, morsels, infos, results, groups);

  const std::vector<uint32_t> order = OutputOrder(plan, groups);
  return BuildOutput(plan, groups, order, input, loc);
}

}  // namespace edgepipe::compute
