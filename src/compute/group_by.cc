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

}  // namespace

Result<Table> GroupBy(const Table& input, const std::vector<std::string>& keys, const std::vector<Aggregate>& aggs,
                      const GroupByOptions& options) {
  const Schema& schema = *input.schema();
  if (options.morsel_rows < 1) {
    return Status::InvalidArgument("group by: morsel_rows must be >= 1, got " + std::to_string(options.morsel_rows));
  }
  const int64_t morsel_rows = std::min(options.morsel_rows, kMaxMorselRows);

  // Plan keys and aggregates; check names before touching data.
  std::vector<KeyPlan> key_plans;
  std::vector<Field> out_fields;
  for (const std::string& name : keys) {
    ASSIGN_OR_RETURN(KeyPlan k, PlanKey(schema, name));
    key_plans.push_back(k);
    out_fields.push_back(schema.field(k.column));
  }
  std::vector<AggPlan> agg_plans;
  for (const Aggregate& a : aggs) {
    ASSIGN_OR_RETURN(AggPlan p, PlanAggregate(schema, a));
    out_fields.push_back(Field{p.name, p.out_type, p.kind != AggKind::kCount});
    agg_plans.push_back(std::move(p));
  }
  {
    std::unordered_set<std::string> seen;
    for (const Field& f : out_fields) {
      if (!seen.insert(f.name).second) {
        return Status::InvalidArgument("group by: duplicate output column '" + f.name +
                                       "'; set Aggregate::output_name to tell them apart");
      }
    }
  }
  auto out_schema = std::make_shared<const Schema>(out_fields);

  // Morsels: fixed row ranges of the batches, independent of the thread count.
  std::vector<Morsel> morsels;
  RowLocator loc;
  {
    int64_t base = 0;
    for (int b = 0; b < static_cast<int>(input.batches().size()); ++b) {
      const int64_t len = input.batches()[b].num_rows();
      loc.starts.push_back(base);
      for (int64_t off = 0; off < len; off += morsel_rows) {
        morsels.push_back({b, off, std::min(morsel_rows, len - off), base + off});
      }
      base += len;
    }
  }

  // Dictionary-encoded key columns: each distinct dictionary is
  // deduplicated once (batches may share one), so phase 1 never hashes a
  // string per row. dict_maps[batch][key] is null for plain columns.
  std::vector<std::vector<std::shared_ptr<const DictionaryKeyMap>>> dict_maps(input.batches().size());
  {
    std::vector<std::pair<const Column*, std::shared_ptr<DictionaryKeyMap>>> distinct;  // by dictionary address
    for (size_t b = 0; b < input.batches().size(); ++b) {
      dict_maps[b].resize(key_plans.size());
      for (size_t k = 0; k < key_plans.size(); ++k) {
        const Column& col = input.batches()[b].column(key_plans[k].column);
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
  }

  const bool fixed_dense = key_plans.empty() || (key_plans.size() == 1 && key_plans[0].type == Type::kBool);
  const bool single_int = key_plans.size() == 1 && !fixed_dense && key_plans[0].type != Type::kString;
  const int64_t fixed_slots = key_plans.empty() ? 1 : 3;
  const bool track_first = !options.sort_keys;

  // Phase 1 (parallel): group ids and partial states per morsel. A single
  // integer key is grouped densely within a morsel when the morsel's range
  // is small (slot = key - morsel min), by hash otherwise.
  std::vector<MorselResult> results(morsels.size());
  std::vector<MorselInfo> infos(morsels.size());
  ParallelFor(static_cast<int64_t>(morsels.size()), [&](int64_t mi) {
    const Morsel& m = morsels[mi];
    const RecordBatch& batch = input.batches()[m.batch];
    const auto& dicts = dict_maps[m.batch];
    MorselResult& r = results[mi];
    MorselInfo& info = infos[mi];
    thread_local std::vector<uint32_t> gids, tmp_ids;
    thread_local std::vector<int32_t> scratch;
    gids.resize(static_cast<size_t>(m.length));
    if (fixed_dense) {
      const Column* col = key_plans.empty() ? nullptr : &batch.column(key_plans[0].column);
      info.dense = true;
      r.num_groups = static_cast<uint32_t>(fixed_slots);
      DenseIds(col, Type::kBool, 0, static_cast<uint32_t>(fixed_slots - 1), m, gids.data());
    } else if (single_int) {
      const Column& col = batch.column(key_plans[0].column);
      ScanIntRange(col, key_plans[0].type, m, &info.lo, &info.hi);
      if (SmallRange(info.lo, info.hi)) {
        info.dense = true;
        info.min = info.lo <= info.hi ? info.lo : 0;
        const int64_t slots = (info.lo <= info.hi ? info.hi - info.lo + 1 : 0) + 1;
        r.num_groups = static_cast<uint32_t>(slots);
        DenseIds(&col, key_plans[0].type, info.min, static_cast<uint32_t>(slots - 1), m, gids.data());
      } else {
        r.num_groups = LocalIds(col, key_plans[0].type, m, gids.data(), &r.rep_row);
      }
    } else if (key_plans.size() == 1) {
      r.num_groups =
          LocalIds(batch.column(key_plans[0].column), key_plans[0].type, m, gids.data(), &r.rep_row, dicts[0].get());
    } else {
      // Composite keys: ids per column, folded pairwise (acc * card + id)
      // through an integer map; the last fold yields the group ids.
      tmp_ids.resize(static_cast<size_t>(m.length));
      uint32_t card =
          LocalIds(batch.column(key_plans[0].column), key_plans[0].type, m, gids.data(), nullptr, dicts[0].get());
      for (size_t k = 1; k < key_plans.size(); ++k) {
        const bool last = k + 1 == key_plans.size();
        const uint32_t card_k =
            LocalIds(batch.column(key_plans[k].column), key_plans[k].type, m, tmp_ids.data(), nullptr, dicts[k].get());
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
    const uint32_t* g = gids.data();
    const int64_t n = m.length;  // a local: the row counters must not alias it
    // Row counts: without a key trivially; else by the first aggregate
    // kernel that visits every row, or by a histogram pass of their own.
    r.rows.assign(r.num_groups, 0);
    int64_t* rows = r.rows.data();
    bool rows_counted = false;
    if (key_plans.empty()) {
      rows[0] = n;
      rows_counted = true;
    }
    r.states.resize(agg_plans.size());
    for (size_t a = 0; a < agg_plans.size(); ++a) {
      ResizeState(agg_plans[a], r.states[a], r.num_groups);
      if (UpdateAggregate(agg_plans[a], r.states[a], g, rows, !rows_counted, r.num_groups, batch, m, scratch)) {
        rows_counted = true;
      }
    }
    if (!rows_counted) {
      for (int64_t i = 0; i < n; ++i) ++rows[g[i]];
    }
  });

  // Decide how local groups become global groups.
  GlobalMode mode = fixed_dense ? GlobalMode::kFixedDense : GlobalMode::kTable;
  int64_t dense_min = 0;
  uint32_t num_groups = fixed_dense ? static_cast<uint32_t>(fixed_slots) : 0;
  if (single_int) {
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (const MorselInfo& info : infos) {
      lo = std::min(lo, info.lo);
      hi = std::max(hi, info.hi);
    }
    if (SmallRange(lo, hi)) {
      mode = GlobalMode::kIntDense;
      dense_min = lo <= hi ? lo : 0;
      num_groups = static_cast<uint32_t>((lo <= hi ? hi - lo + 1 : 0) + 1);
    }
  }
  const bool dense = mode != GlobalMode::kTable;
  const uint32_t null_slot = num_groups - 1;  // dense modes only

  // Phase 2 (sequential, in row order): merge partial states.
  std::vector<AggState> states(agg_plans.size());
  std::vector<int64_t> rows, first_row;
  std::vector<uint32_t> map, local_order;
  GlobalGroupTable table(key_plans);
  if (dense) {
    rows.assign(num_groups, 0);
    if (track_first) first_row.assign(num_groups, -1);
    for (size_t a = 0; a < agg_plans.size(); ++a) ResizeState(agg_plans[a], states[a], num_groups);
  }
  for (size_t mi = 0; mi < morsels.size(); ++mi) {
    MorselResult& r = results[mi];
    const MorselInfo& info = infos[mi];
    const Morsel& m = morsels[mi];
    const RecordBatch& batch = input.batches()[m.batch];
    map.assign(r.num_groups, kNoGroup);
    if (info.dense) {
      const Column* key_col = key_plans.empty() ? nullptr : &batch.column(key_plans[0].column);
      const Type key_type = fixed_dense ? Type::kBool : key_plans[0].type;
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
      if (track_first) {
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
        for (uint32_t l : local_order) map[l] = table.FindOrInsertInt(info.min + l, l != local_null);
      }
    } else {
      for (uint32_t l = 0; l < r.num_groups; ++l) {
        const int64_t row = m.offset + r.rep_row[l];
        if (mode == GlobalMode::kIntDense) {
          const Column& col = batch.column(key_plans[0].column);
          map[l] =
              col.IsNull(row) ? null_slot : static_cast<uint32_t>(IntKeyAt(col, key_plans[0].type, row) - dense_min);
          if (track_first && first_row[map[l]] < 0) first_row[map[l]] = m.row_base + r.rep_row[l];
        } else {
          map[l] = table.FindOrInsert(batch, row);
        }
      }
    }
    if (!dense && table.size() > num_groups) {
      num_groups = table.size();
      rows.resize(num_groups, 0);
      for (size_t a = 0; a < agg_plans.size(); ++a) ResizeState(agg_plans[a], states[a], num_groups);
    }
    for (uint32_t l = 0; l < r.num_groups; ++l) {
      if (map[l] != kNoGroup) rows[map[l]] += r.rows[l];
    }
    for (size_t a = 0; a < agg_plans.size(); ++a) {
      MergeState(agg_plans[a], states[a], r.states[a], map.data(), r.num_groups);
    }
    r = MorselResult();  // free as we go
  }

  // Output order.
  std::vector<uint32_t> order;
  if (dense) {
    for (uint32_t g = 0; g < num_groups; ++g) {
      if (rows[g] > 0 || key_plans.empty()) order.push_back(g);
    }
    if (track_first && !key_plans.empty()) {
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return first_row[a] < first_row[b]; });
    }
  } else {
    order.resize(num_groups);
    std::iota(order.begin(), order.end(), 0u);  // already first-appearance order
    if (options.sort_keys) {
      const auto& cols = table.columns();
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

  // Build the output batch: keys, then aggregates.
  std::vector<Column> columns;
  for (size_t k = 0; k < key_plans.size(); ++k) {
    ASSIGN_OR_RETURN(Column col, FinishKeyColumn(key_plans[k].type, order, dense ? nullptr : &table.columns()[k],
                                                 dense_min, null_slot));
    columns.push_back(std::move(col));
  }
  for (size_t a = 0; a < agg_plans.size(); ++a) {
    ASSIGN_OR_RETURN(Column col, FinishAggregate(agg_plans[a], states[a], rows, order, input, loc));
    columns.push_back(std::move(col));
  }
  Table out(out_schema);
  if (!order.empty()) {
    ASSIGN_OR_RETURN(RecordBatch batch, RecordBatch::Make(out_schema, std::move(columns)));
    RETURN_NOT_OK(out.Append(std::move(batch)));
  }
  return out;
}

}  // namespace edgepipe::compute
