#include "edgepipe/compute/window.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "compute/group_map_internal.h"
#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/buffer.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::compute {

namespace {

constexpr int64_t kNsPerUs = 1000;
constexpr int64_t kNsPerMs = 1000 * kNsPerUs;
constexpr int64_t kNsPerS = 1000 * kNsPerMs;
constexpr int64_t kNsPerMin = 60 * kNsPerS;
constexpr int64_t kNsPerH = 60 * kNsPerMin;
constexpr int64_t kNsPerD = 24 * kNsPerH;
constexpr int64_t kNsPerW = 7 * kNsPerD;

struct Unit {
  std::string_view name;
  int64_t ns;
};
// Longest names first so "ms" is not read as "m" + "s".
constexpr Unit kUnits[] = {{"ns", 1},          {"us", kNsPerUs},  {"\xC2\xB5s", kNsPerUs}, {"ms", kNsPerMs},
                           {"s", kNsPerS},     {"m", kNsPerMin},  {"h", kNsPerH},          {"d", kNsPerD},
                           {"w", kNsPerW}};

Status DurationError(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid duration '" + std::string(text) + "': " + std::string(why) +
                                 " (expected e.g. 1s, 100ms, 250us, 10ns, 1m, 1h, 1d, 1h30m)");
}

bool IsTimeType(Type t) { return t == Type::kTimestamp || t == Type::kInt64; }

Result<int> TimeColumnIndex(const Schema& schema, const std::string& name) {
  ASSIGN_OR_RETURN(int idx, schema.GetFieldIndex(name));
  const Type t = schema.field(idx).type;
  if (!IsTimeType(t)) {
    return Status::InvalidArgument("time column '" + name + "' is " + std::string(TypeName(t)) +
                                   "; windows need a timestamp or int64 (ns) column");
  }
  return idx;
}

// Window index of every row: floor((t - offset) / every), with offset
// normalized to [0, every). Sensor logs are time-ordered, so the previous
// row's window is checked first (two compares instead of a ~40-cycle int64
// division); unordered input takes the division.
void WindowIndices(const int64_t* t, int64_t n, int64_t every, int64_t offset, int64_t* out) {
  int64_t lo = 1, hi = 0, idx = 0;  // current window [lo, hi]: empty at first
  for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
    const int64_t v = t[row_idx];
    if (v >= lo && v <= hi) {
      out[row_idx] = idx;
      continue;
    }
    // (v - offset) cannot overflow in 128 bits; the quotient fits int64
    // because offset < every.
    const __int128 d = static_cast<__int128>(v) - offset;
    __int128 q = d / every;
    if (d % every < 0) --q;
    idx = static_cast<int64_t>(q);
    const __int128 start = q * every + offset;
    lo = start < std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::min()
                                                      : static_cast<int64_t>(start);
    const __int128 end = start + every - 1;
    hi = end > std::numeric_limits<int64_t>::max() ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(end);
    out[row_idx] = idx;
  }
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return DurationError(text, "empty");
  __int128 total = 0;
  while (!s.empty()) {
    if (s[0] < '0' || s[0] > '9') return DurationError(text, "expected a number at '" + std::string(s) + "'");
    __int128 number = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      number = number * 10 + (s[0] - '0');
      if (number > std::numeric_limits<int64_t>::max()) return DurationError(text, "too large");
      s.remove_prefix(1);
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (s.substr(0, u.name.size()) == u.name) {
        // "m" must not swallow the "m" of "mo" (months): reject calendar units.
        if (u.name == "m" && s.size() > 1 && s[1] == 'o') break;
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      if (s.empty()) return DurationError(text, "missing unit after the number");
      return DurationError(text, "unknown unit at '" + std::string(s) + "' (calendar units mo/y are not supported)");
    }
    s.remove_prefix(unit->name.size());
    total += number * unit->ns;
    if (total > std::numeric_limits<int64_t>::max()) return DurationError(text, "too large for int64 nanoseconds");
  }
  return static_cast<int64_t>(negative ? -total : total);
}

std::string FormatDuration(int64_t ns) {
  if (ns == 0) return "0ns";
  const bool negative = ns < 0;
  const unsigned __int128 mag = negative ? static_cast<unsigned __int128>(-static_cast<__int128>(ns))
                                         : static_cast<unsigned __int128>(ns);
  constexpr Unit kOut[] = {{"h", kNsPerH}, {"m", kNsPerMin}, {"s", kNsPerS}, {"ms", kNsPerMs}, {"us", kNsPerUs}};
  std::string body;
  for (const Unit& u : kOut) {
    if (mag % static_cast<unsigned __int128>(u.ns) == 0) {
      body = std::to_string(static_cast<uint64_t>(mag / static_cast<unsigned __int128>(u.ns))) + std::string(u.name);
      break;
    }
  }
  if (body.empty()) {
    body = std::to_string(static_cast<uint64_t>(mag)) + "ns";
  }
  return negative ? "-" + body : body;
}

Result<Table> GroupByWindow(const Table& input, const WindowOptions& options, const std::vector<Aggregate>& aggs) {
  if (options.every_ns <= 0) {
    return Status::InvalidArgument("window: every must be > 0, got " + std::to_string(options.every_ns) + " ns");
  }
  if (options.output_name.empty()) return Status::InvalidArgument("window: output_name must not be empty");
  const Schema& schema = *input.schema();
  ASSIGN_OR_RETURN(const int time_idx, TimeColumnIndex(schema, options.time_column));
  const Type time_type = schema.field(time_idx).type;
  const int64_t offset = ((options.offset_ns % options.every_ns) + options.every_ns) % options.every_ns;

  // The grouping input: the window index (an int64 key, small-range per
  // morsel, so GroupBy takes its dense path), the keys, then every column an
  // aggregate reads. Columns are shared, not copied.
  std::vector<int> source;  // input column per grouping column after the first
  std::vector<Field> fields = {Field{options.output_name, Type::kInt64, schema.field(time_idx).nullable}};
  std::set<std::string> names = {options.output_name};
  auto add = [&](const std::string& name, std::string_view role) -> Status {
    if (name == options.output_name) {
      return Status::InvalidArgument("window: " + std::string(role) + " column '" + name +
                                     "' has the name of the window column; choose another output_name");
    }
    if (!names.insert(name).second) return Status::OK();
    ASSIGN_OR_RETURN(int idx, schema.GetFieldIndex(name));
    source.push_back(idx);
    fields.push_back(schema.field(idx));
    return Status::OK();
  };
  for (const auto& key : options.by) RETURN_NOT_OK(add(key, "key"));
  for (const auto& agg : aggs) {
    if (!agg.column.empty()) RETURN_NOT_OK(add(agg.column, "aggregate"));
  }
  auto grouping_schema = std::make_shared<Schema>(fields);

  Table grouping(grouping_schema);
  for (const auto& batch : input.batches()) {
    const Column& time = batch.column(time_idx);
    const int64_t n = batch.num_rows();
    ASSIGN_OR_RETURN(auto values, Buffer::Allocate(static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(int64_t)));
    WindowIndices(time.values<int64_t>(), n, options.every_ns, offset, values->mutable_data_as<int64_t>());
    std::shared_ptr<Buffer> validity;
    if (time.null_count() > 0) {
      ASSIGN_OR_RETURN(validity, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(n))));
      bit_util::CopyBitmap(time.validity_bits(), time.offset(), n, validity->mutable_data(), 0);
    }
    std::vector<Column> columns;
    columns.emplace_back(Type::kInt64, n, std::move(values), std::move(validity), time.null_count());
    for (int idx : source) columns.push_back(batch.column(idx));
    ASSIGN_OR_RETURN(RecordBatch b, RecordBatch::Make(grouping_schema, std::move(columns)));
    RETURN_NOT_OK(grouping.Append(std::move(b)));
  }

  std::vector<std::string> keys = {options.output_name};
  keys.insert(keys.end(), options.by.begin(), options.by.end());
  ASSIGN_OR_RETURN(Table grouped, GroupBy(grouping, keys, aggs, options.group_by));

  // Window index -> window start, in the time column's type.
  std::vector<Field> out_fields = grouped.schema()->fields();
  out_fields[0].type = time_type;
  auto out_schema = std::make_shared<Schema>(out_fields);
  Table out(out_schema);
  for (const auto& batch : grouped.batches()) {
    const Column& idx_col = batch.column(0);
    const int64_t n = batch.num_rows();
    ASSIGN_OR_RETURN(auto values, Buffer::Allocate(static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(int64_t)));
    const int64_t* idx = idx_col.values<int64_t>();
    int64_t* start = values->mutable_data_as<int64_t>();
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
      if (idx_col.IsNull(row_idx)) {
        start[row_idx] = 0;
        continue;
      }
      const __int128 s = static_cast<__int128>(idx[row_idx]) * options.every_ns + offset;
      if (s < std::numeric_limits<int64_t>::min()) {
        return Status::InvalidArgument("window: the window of a time near the int64 minimum starts before it");
      }
      start[row_idx] = static_cast<int64_t>(s);
    }
    std::vector<Column> columns = batch.columns();
    columns[0] = Column(time_type, n, std::move(values), idx_col.validity_buffer(), idx_col.null_count(),
                        idx_col.offset());
    if (idx_col.offset() != 0 && idx_col.validity_buffer() != nullptr) {
      // Our values start at 0; the validity must too.
      ASSIGN_OR_RETURN(auto validity, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(n))));
      bit_util::CopyBitmap(idx_col.validity_bits(), idx_col.offset(), n, validity->mutable_data(), 0);
      columns[0] = Column(time_type, n, columns[0].values_buffer(), std::move(validity), idx_col.null_count());
    }
    ASSIGN_OR_RETURN(RecordBatch b, RecordBatch::Make(out_schema, std::move(columns)));
    RETURN_NOT_OK(out.Append(std::move(b)));
  }
  return out;
}

// ---------------------------------------------------------------- rolling

namespace {

// Row -> dense group id (first appearance order) over the key columns; null
// keys are one value of their column. Several keys fold pairwise as
// GroupBy does: id = map(acc * card + id_of_next_key).
Result<std::vector<uint32_t>> RowGroupIds(const RecordBatch& batch, const std::vector<int>& keys,
                                          uint32_t* num_groups) {
  const int64_t n = batch.num_rows();
  std::vector<uint32_t> acc(static_cast<size_t>(n), 0);
  uint32_t acc_card = 1;
  std::vector<uint32_t> ids(static_cast<size_t>(n));
  for (int key : keys) {
    const Column& col = batch.column(key);
    uint32_t card = 0;
    uint32_t null_id = kNoGroup;
    auto null_group = [&] {
      if (null_id == kNoGroup) null_id = card++;
      return null_id;
    };
    switch (col.type()) {
      case Type::kString: {
        StringGroupMap map;
        if (col.is_dictionary()) {
          // Hash each dictionary entry once, on its first use; rows then
          // map code -> id by array lookup. Duplicate entries hash to the
          // same id, so a non-unique dictionary groups correctly.
          const Column& dict = *col.dictionary();
          const int32_t* codes = col.dictionary_codes();
          const int32_t* offs = dict.string_offsets();
          const uint8_t* data = dict.string_data();
          std::vector<uint32_t> code_ids(static_cast<size_t>(dict.length()), kNoGroup);
          for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
            if (col.IsNull(row_idx)) {
              ids[row_idx] = null_group();
              continue;
            }
            const int32_t code = codes[row_idx];
            uint32_t id = code_ids[static_cast<size_t>(code)];
            if (id == kNoGroup) {
              const uint8_t* p = data + offs[code];
              const uint32_t len = static_cast<uint32_t>(offs[code + 1] - offs[code]);
              id = map.FindOrInsert(p, len, HashBytes(p, len), card);
              if (id == card) ++card;
              code_ids[static_cast<size_t>(code)] = id;
            }
            ids[row_idx] = id;
          }
          break;
        }
        const int32_t* offs = col.string_offsets();
        const uint8_t* data = col.string_data();
        for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
          if (col.IsNull(row_idx)) {
            ids[row_idx] = null_group();
            continue;
          }
          const uint8_t* p = data + offs[row_idx];
          const uint32_t len = static_cast<uint32_t>(offs[row_idx + 1] - offs[row_idx]);
          const uint32_t id = map.FindOrInsert(p, len, HashBytes(p, len), card);
          if (id == card) ++card;
          ids[row_idx] = id;
        }
        break;
      }
      case Type::kBool:
        for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
          ids[row_idx] = col.IsNull(row_idx) ? 2u : (col.GetBool(row_idx) ? 1u : 0u);
        }
        card = 3;
        break;
      case Type::kInt32:
      case Type::kInt64:
      case Type::kTimestamp: {
        IntGroupMap map;
        const bool is32 = col.type() == Type::kInt32;
        for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
          if (col.IsNull(row_idx)) {
            ids[row_idx] = null_group();
            continue;
          }
          const int64_t v = is32 ? col.values<int32_t>()[row_idx] : col.values<int64_t>()[row_idx];
          const uint32_t id = map.FindOrInsert(v, card);
          if (id == card) ++card;
          ids[row_idx] = id;
        }
        break;
      }
      default:
        return Status::InvalidArgument("cannot group by " + std::string(TypeName(col.type())) + " column '" +
                                       batch.schema()->field(key).name + "'");
    }
    // Fold into the accumulated ids.
    IntGroupMap fold;
    uint32_t next = 0;
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
      const int64_t combined = static_cast<int64_t>(acc[row_idx]) * card + ids[row_idx];
      const uint32_t id = fold.FindOrInsert(combined, next);
      if (id == next) ++next;
      acc[row_idx] = id;
    }
    acc_card = next;
  }
  *num_groups = n == 0 ? 0 : acc_card;
  return acc;
}

// A sliding sum that can remove what it added: Neumaier-compensated, with
// NaN and infinities counted apart so one of them does not poison the sum
// after it leaves the window.
struct SlidingSum {
  double sum = 0, comp = 0;
  int64_t count = 0, nan = 0, pos_inf = 0, neg_inf = 0;

  void Add(double x, int sign) {
    count += sign;
    if (std::isnan(x)) {
      nan += sign;
      return;
    }
    if (std::isinf(x)) {
      (x > 0 ? pos_inf : neg_inf) += sign;
      return;
    }
    if (count == 0) {  // window empty again: drop accumulated rounding
      sum = comp = 0;
      return;
    }
    const double v = sign > 0 ? x : -x;
    const double t = sum + v;
    comp += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  double Mean() const {
    if (nan > 0 || (pos_inf > 0 && neg_inf > 0)) return std::numeric_limits<double>::quiet_NaN();
    if (pos_inf > 0) return std::numeric_limits<double>::infinity();
    if (neg_inf > 0) return -std::numeric_limits<double>::infinity();
    return (sum + comp) / static_cast<double>(count);
  }
};

template <typename T>
double ValueAt(const Column& col, int64_t row_idx) {
  if constexpr (std::is_same_v<T, bool>) {
    return col.GetBool(row_idx) ? 1.0 : 0.0;
  } else {
    return static_cast<double>(col.values<T>()[row_idx]);
  }
}

// One column's rolling means for the groups [group_begin, group_end):
// `order` lists the rows group by group (starts[g]..starts[g+1]), each
// group's rows in time order.
template <typename T>
void RollingColumn(const Column& col, const int64_t* time, int64_t period, const std::vector<int64_t>& order,
                   const std::vector<int64_t>& starts, size_t group_begin, size_t group_end, double* out,
                   uint8_t* out_valid) {
  // out_valid is one byte per row: tasks own disjoint rows, and bits of a
  // shared bitmap byte would race.
  const bool has_nulls = col.null_count() > 0;
  for (size_t g = group_begin; g < group_end; ++g) {
    const int64_t begin = starts[g], end = starts[g + 1];
    SlidingSum window;
    int64_t lo = begin, hi = begin;
    for (int64_t pos = begin; pos < end; ++pos) {
      const int64_t t = time[order[pos]];
      // Right edge: every row with time <= t (ties included).
      while (hi < end && time[order[hi]] <= t) {
        const int64_t r = order[hi++];
        if (!has_nulls || col.IsValid(r)) window.Add(ValueAt<T>(col, r), +1);
      }
      // Left edge: drop rows with time <= t - period.
      int64_t limit;
      if (!__builtin_sub_overflow(t, period, &limit)) {
        while (lo < hi && time[order[lo]] <= limit) {
          const int64_t r = order[lo++];
          if (!has_nulls || col.IsValid(r)) window.Add(ValueAt<T>(col, r), -1);
        }
      }
      const int64_t row = order[pos];
      if (window.count > 0) {
        out[row] = window.Mean();
        out_valid[row] = 1;
      } else {
        out[row] = 0;
      }
    }
  }
}

}  // namespace

Result<Table> RollingMean(const Table& input, const RollingOptions& options, const std::vector<std::string>& columns) {
  if (options.period_ns <= 0) {
    return Status::InvalidArgument("rolling: period must be > 0, got " + std::to_string(options.period_ns) + " ns");
  }
  const Schema& schema = *input.schema();
  ASSIGN_OR_RETURN(const int time_idx, TimeColumnIndex(schema, options.time_column));
  std::vector<int> key_idx;
  for (const auto& key : options.by) {
    ASSIGN_OR_RETURN(int idx, schema.GetFieldIndex(key));
    key_idx.push_back(idx);
  }
  std::vector<int> value_idx;
  std::set<std::string> out_names = {options.time_column};
  out_names.insert(options.by.begin(), options.by.end());
  for (const auto& name : columns) {
    ASSIGN_OR_RETURN(int idx, schema.GetFieldIndex(name));
    const Type t = schema.field(idx).type;
    if (!(IsInteger(t) || IsFloating(t) || t == Type::kBool)) {
      return Status::InvalidArgument("rolling mean needs a numeric column; '" + name + "' is " +
                                     std::string(TypeName(t)));
    }
    if (!out_names.insert(name + "_rolling_mean").second) {
      return Status::InvalidArgument("rolling: duplicate output column '" + name + "_rolling_mean'");
    }
    value_idx.push_back(idx);
  }
  ASSIGN_OR_RETURN(RecordBatch batch, input.Concatenate());
  const int64_t n = batch.num_rows();
  const Column& time_col = batch.column(time_idx);
  if (time_col.null_count() > 0) {
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
      if (time_col.IsNull(row_idx)) {
        return Status::InvalidArgument("rolling: time column '" + options.time_column + "' is null at row " +
                                       std::to_string(row_idx) + "; drop or fill null times first");
      }
    }
  }
  const int64_t* time = time_col.values<int64_t>();

  uint32_t num_groups = 0;
  std::vector<uint32_t> gid;
  if (key_idx.empty()) {
    gid.assign(static_cast<size_t>(n), 0);
    num_groups = n > 0 ? 1 : 0;
  } else {
    ASSIGN_OR_RETURN(gid, RowGroupIds(batch, key_idx, &num_groups));
  }
  // Counting sort of rows by group (stable: each group's rows stay in input order).
  std::vector<int64_t> starts(static_cast<size_t>(num_groups) + 1, 0);
  for (int64_t row_idx = 0; row_idx < n; ++row_idx) ++starts[gid[row_idx] + 1];
  for (size_t g = 0; g < num_groups; ++g) starts[g + 1] += starts[g];
  std::vector<int64_t> order(static_cast<size_t>(n));
  {
    std::vector<int64_t> fill(starts.begin(), starts.end() - 1);
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) order[fill[gid[row_idx]]++] = row_idx;
  }
  for (size_t g = 0; g < num_groups; ++g) {
    for (int64_t pos = starts[g] + 1; pos < starts[g + 1]; ++pos) {
      if (time[order[pos]] < time[order[pos - 1]]) {
        std::string key_text;
        for (size_t k = 0; k < key_idx.size(); ++k) {
          key_text += (k ? ", " : "") + options.by[k] + "=" + batch.column(key_idx[k]).ValueToString(order[pos]);
        }
        return Status::InvalidArgument(
            "rolling: rows must be sorted by '" + options.time_column + "'" +
            (key_text.empty() ? "" : " within each key (" + key_text + ")") + ": row " + std::to_string(order[pos]) +
            " (" + std::to_string(time[order[pos]]) + ") comes after row " + std::to_string(order[pos - 1]) + " (" +
            std::to_string(time[order[pos - 1]]) + "); sort the input by time first");
      }
    }
  }

  std::vector<Field> fields = {schema.field(time_idx)};
  std::vector<Column> out_columns = {time_col};
  for (size_t k = 0; k < key_idx.size(); ++k) {
    fields.push_back(schema.field(key_idx[k]));
    out_columns.push_back(batch.column(key_idx[k]));
  }
  // Per column, groups cut into tasks of ~64 Ki rows so one column with one
  // key still uses every core when there are many keys.
  std::vector<std::pair<size_t, size_t>> group_tasks;
  for (size_t g = 0; g < num_groups;) {
    size_t e = g + 1;
    while (e < num_groups && starts[e + 1] - starts[g] <= 65536) ++e;
    group_tasks.emplace_back(g, e);
    g = e;
  }
  for (int idx : value_idx) {
    const Column& col = batch.column(idx);
    ASSIGN_OR_RETURN(auto values, Buffer::Allocate(static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(double)));
    ASSIGN_OR_RETURN(auto validity, Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(n) + 8)));
    double* out = values->mutable_data_as<double>();
    uint8_t* valid = validity->mutable_data();
    std::vector<uint8_t> valid_bytes(static_cast<size_t>(n), 0);
    auto run = [&](size_t task) {
      // Plain names: clang 14 cannot capture structured bindings.
      const auto gb = group_tasks[task].first;
      const auto ge = group_tasks[task].second;
      auto go = [&](auto tag) {
        RollingColumn<decltype(tag)>(col, time, options.period_ns, order, starts, gb, ge, out, valid_bytes.data());
      };
      switch (col.type()) {
        case Type::kInt32: go(int32_t{}); break;
        case Type::kInt64: go(int64_t{}); break;
        case Type::kFloat32: go(float{}); break;
        case Type::kFloat64: go(double{}); break;
        default: go(bool{}); break;
      }
    };
    ParallelFor(static_cast<int64_t>(group_tasks.size()), [&](int64_t task) { run(static_cast<size_t>(task)); });
    int64_t nulls = 0;
    for (int64_t row_idx = 0; row_idx < n; ++row_idx) {
      if (valid_bytes[row_idx]) {
        bit_util::SetBit(valid, row_idx);
      } else {
        ++nulls;
      }
    }
    fields.push_back(Field{schema.field(idx).name + "_rolling_mean", Type::kFloat64, true});
    out_columns.emplace_back(Type::kFloat64, n, std::move(values), nulls > 0 ? std::move(validity) : nullptr, nulls);
  }
  auto out_schema = std::make_shared<Schema>(fields);
  ASSIGN_OR_RETURN(RecordBatch out_batch, RecordBatch::Make(out_schema, std::move(out_columns)));
  Table out(out_schema);
  RETURN_NOT_OK(out.Append(std::move(out_batch)));
  return out;
}

}  // namespace edgepipe::compute
