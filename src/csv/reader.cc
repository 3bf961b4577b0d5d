#include "edgepipe/csv/reader.h"

#include <string.h>  // memrchr

#include <algorithm>
#include <deque>
#include <vector>

#include "csv/chunker.h"
#include "csv/converter.h"
#include "csv/error_internal.h"
#include "csv/inference.h"
#include "csv/parser.h"
#include "edgepipe/core/mapped_file.h"
#include "edgepipe/core/parallel.h"

namespace edgepipe::csv {
namespace {

// Fields per FieldBatch: ~8K fields keep a batch's ends (32 KiB) and its
// source bytes (~80 KiB for 10-byte fields) in a 512 KiB L2 while the
// converter makes one pass per column.
constexpr int64_t kFieldsPerBatch = 8192;

int64_t RowsPerBatch(int num_cols) { return std::max<int64_t>(16, kFieldsPerBatch / std::max(1, num_cols)); }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

struct CsvReader::Impl {
  Impl(const CsvReadOptions& opts, std::shared_ptr<MappedFile> mapped, std::string_view data, std::string name)
      : options(opts), file(std::move(mapped)), nulls(opts.null_values), chunker(opts.delimiter, opts.quote) {
    source.name = std::move(name);
    source.data = reinterpret_cast<const uint8_t*>(data.data());
    source.size = data.size();
  }

  Status Init();
  // Decodes one block; *saw_quote tells whether it holds a quote character.
  Result<RecordBatch> DecodeBlock(size_t begin, size_t end, bool* saw_quote) const;
  // End of the block at pos, cut at the last line feed before pos +
  // block_size without looking at quotes (see ReadRound).
  size_t SpeculativeBlockEnd(size_t begin, size_t block_size) const;
  Status ReadRound();

  // Constant after Init().
  CsvReadOptions options;
  std::shared_ptr<MappedFile> file;  // keeps the mapping alive (null for buffers)
  internal::Source source;
  NullValues nulls;
  Chunker chunker;
  int num_file_cols = 0;
  std::vector<ColumnPlan> plans;  // one per output column; contexts point into this Impl
  std::shared_ptr<const Schema> schema;

  // Reading state.
  size_t pos = 0;                    // start of the next block
  bool quotes_seen = false;          // blocks are cut with the quote-aware chunker
  std::deque<RecordBatch> pending;   // decoded blocks, in file order
  Status error;                      // sticky
};

Status CsvReader::Impl::Init() {
  const uint8_t* data = source.data;
  const size_t size = source.size;
  size_t at = 0;
  if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) at = 3;  // UTF-8 BOM
  // Blank lines before the header carry nothing.
  while (at < size) {
    if (data[at] == '\n') {
      ++at;
    } else if (data[at] == '\r' && at + 1 < size && data[at + 1] == '\n') {
      at += 2;
    } else {
      break;
    }
  }

  std::vector<std::string> names;
  if (at < size) {
    const RowScan scan = ScanRow(data, size, at, options.delimiter, options.quote, &names);
    if (scan.unterminated_quote) {
      return internal::CorruptionAt(source, at,
                                    "a quoted field of the first row is never closed: " +
                                        internal::LineSnippet(source, at));
    }
    if (options.header) {
      at = scan.next;
    } else {
      for (size_t i = 0; i < names.size(); ++i) names[i] = "f" + std::to_string(i);
    }
  }
  num_file_cols = static_cast<int>(names.size());
  pos = at;

  auto find = [&](const std::string& name) -> int {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
  };
  for (const auto& [name, type] : options.column_types) {
    if (find(name) < 0) {
      return Status::InvalidArgument(source.name + ": --schema (column_types) names column '" + name +
                                     "', which the file does not have; its columns are: " + JoinNames(names));
    }
  }
  std::vector<int> indices;
  if (options.include_columns.empty()) {
    for (int i = 0; i < num_file_cols; ++i) indices.push_back(i);
  } else {
    for (const auto& name : options.include_columns) {
      const int idx = find(name);
      if (idx < 0) {
        return Status::NotFound(source.name + ": no column '" + name + "' to include; its columns are: " +
                                JoinNames(names));
      }
      indices.push_back(idx);
    }
  }

  plans.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    ColumnPlan& plan = plans[i];
    plan.file_index = indices[i];
    plan.context.source = &source;
    plan.context.nulls = &nulls;
    plan.context.column_name = names[indices[i]];
    const auto given = options.column_types.find(plan.context.column_name);
    plan.type_given = given != options.column_types.end();
    // Without any row to infer from (header only), columns are strings.
    plan.context.type = plan.type_given ? given->second : Type::kString;
    plan.context.Prepare();
  }

  const bool infer = std::any_of(plans.begin(), plans.end(), [](const ColumnPlan& p) { return !p.type_given; });
  if (infer && pos < size) {
    // Infer from the first block; when inference saw the whole block, its
    // conversion is the first batch.
    const size_t end = chunker.FindBlockEnd(data, size, pos, static_cast<size_t>(options.block_size));
    ChunkParser parser(&source, pos, end, num_file_cols, options);
    std::vector<std::unique_ptr<FieldBatch>> batches;
    std::vector<const FieldBatch*> view;
    int64_t rows = 0;
    bool truncated = false;
    while (!parser.done()) {
      auto batch = std::make_unique<FieldBatch>();
      RETURN_NOT_OK(parser.Next(RowsPerBatch(num_file_cols), batch.get()));
      if (batch->num_rows() == 0) continue;
      if (options.infer_rows > 0 && rows + batch->num_rows() >= options.infer_rows) {
        truncated = rows + batch->num_rows() > options.infer_rows || !parser.done();
        batch->TruncateRows(options.infer_rows - rows);
        rows += batch->num_rows();
        view.push_back(batch.get());
        batches.push_back(std::move(batch));
        break;
      }
      rows += batch->num_rows();
      view.push_back(batch.get());
      batches.push_back(std::move(batch));
    }
    std::vector<Column> columns;
    RETURN_NOT_OK(InferAndConvert(view, &plans, &columns));
    std::vector<Field> fields;
    for (const auto& plan : plans) fields.push_back(Field{plan.context.column_name, plan.context.type, true});
    schema = std::make_shared<Schema>(std::move(fields));
    if (!truncated) {
      if (rows > 0) {
        ASSIGN_OR_RETURN(auto first, RecordBatch::Make(schema, std::move(columns)));
        pending.push_back(std::move(first));
      }
      pos = end;
    }
    return Status::OK();
  }
  std::vector<Field> fields;
  for (const auto& plan : plans) fields.push_back(Field{plan.context.column_name, plan.context.type, true});
  schema = std::make_shared<Schema>(std::move(fields));
  return Status::OK();
}

Result<RecordBatch> CsvReader::Impl::DecodeBlock(size_t begin, size_t end, bool* saw_quote) const {
  ChunkParser parser(&source, begin, end, num_file_cols, options);
  struct Report {
    const ChunkParser& parser;
    bool* out;
    ~Report() { *out = parser.saw_quote(); }
  } report{parser, saw_quote};
  FieldBatch batch;
  std::vector<ColumnAccumulator> accs;
  accs.reserve(plans.size());
  for (const auto& plan : plans) accs.emplace_back(&plan.context);
  const int64_t rows_per_batch = RowsPerBatch(num_file_cols);
  bool reserved = false;
  while (!parser.done()) {
    RETURN_NOT_OK(parser.Next(rows_per_batch, &batch));
    if (batch.num_rows() == 0) continue;
    if (!reserved) {
      // Size the columns once from the first batch's bytes per row.
      const size_t consumed = std::max<size_t>(1, parser.position() - begin);
      const auto estimate = static_cast<int64_t>(static_cast<double>(batch.num_rows()) *
                                                 static_cast<double>(end - begin) / static_cast<double>(consumed));
      for (auto& acc : accs) RETURN_NOT_OK(acc.Reserve(estimate + estimate / 16 + 64));
      reserved = true;
    }
    for (size_t i = 0; i < accs.size(); ++i) RETURN_NOT_OK(accs[i].Append(batch, plans[i].file_index));
  }
  std::vector<Column> columns;
  columns.reserve(accs.size());
  for (auto& acc : accs) {
    ASSIGN_OR_RETURN(auto col, acc.Finish());
    columns.push_back(std::move(col));
  }
  return RecordBatch::Make(schema, std::move(columns));
}

size_t CsvReader::Impl::SpeculativeBlockEnd(size_t begin, size_t block_size) const {
  if (source.size - begin <= block_size) return source.size;
  const void* nl = memrchr(source.data + begin, '\n', block_size);
  if (nl == nullptr) return chunker.FindBlockEnd(source.data, source.size, begin, block_size);  // a long row
  return static_cast<size_t>(static_cast<const uint8_t*>(nl) - source.data) + 1;
}

// Cutting blocks is serial, and the quote-aware cut reads every byte (and
// takes the file's page faults) in this one thread. So blocks are first cut
// at the last line feed, which is right whenever a block holds no quote
// character, and the parallel parse reports whether it saw one. At the first
// block that did, its results and the later ones are dropped and the rest of
// the file is cut with the Chunker. A block without quotes starts at a true
// row start (the blocks before it had no quotes either), so its rows and
// errors are exactly what the exact cut gives.
Status CsvReader::Impl::ReadRound() {
  const size_t max_blocks = static_cast<size_t>(std::max(2, 2 * GetNumThreads()));
  // Rounds end in a barrier: when the rest of the input is less than a
  // full round, cut it into max_blocks equal blocks so that no thread idles
  // through the last one (~8% of a 20-block file on 2 cores otherwise).
  auto block_size = static_cast<size_t>(options.block_size);
  const size_t remaining = source.size - pos;
  if (remaining < max_blocks * block_size) {
    block_size = std::max<size_t>((remaining + max_blocks - 1) / max_blocks, std::min<size_t>(block_size, 64 << 10));
  }
  const bool speculative = !quotes_seen;
  std::vector<std::pair<size_t, size_t>> blocks;
  size_t next = pos;
  while (blocks.size() < max_blocks && next < source.size) {
    const size_t end = speculative ? SpeculativeBlockEnd(next, block_size)
                                   : chunker.FindBlockEnd(source.data, source.size, next, block_size);
    blocks.emplace_back(next, end);
    next = end;
  }
  std::vector<RecordBatch> out(blocks.size());
  std::vector<Status> statuses(blocks.size());
  std::unique_ptr<bool[]> saw_quote(new bool[blocks.size()]());
  ParallelFor(static_cast<int64_t>(blocks.size()), [&](int64_t i) {
    auto result = DecodeBlock(blocks[i].first, blocks[i].second, &saw_quote[i]);
    if (result.ok()) {
      out[i] = std::move(result).MoveValueUnsafe();
    } else {
      statuses[i] = result.status();
    }
  });
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (speculative && saw_quote[i]) {
      quotes_seen = true;  // redo from this block with exact cuts
      return Status::OK();
    }
    pos = blocks[i].second;
    if (!statuses[i].ok()) return statuses[i];
    if (out[i].num_rows() > 0) pending.push_back(std::move(out[i]));
  }
  // Parsed rows own their values: the input behind them can leave memory,
  // so converting a file larger than RAM keeps a small resident set.
  if (file != nullptr) file->Release(0, pos);
  return Status::OK();
}

// ---------------------------------------------------------------- CsvReader

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, const CsvReadOptions& options) {
  RETURN_NOT_OK(options.Validate());
  ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  const std::string_view data(reinterpret_cast<const char*>(file->data()), file->size());
  auto impl = std::make_unique<Impl>(options, std::move(file), data, path);
  RETURN_NOT_OK(impl->Init());
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(impl)));
}

Result<std::unique_ptr<CsvReader>> CsvReader::OpenBuffer(std::string_view data, const CsvReadOptions& options,
                                                         std::string name) {
  RETURN_NOT_OK(options.Validate());
  auto impl = std::make_unique<Impl>(options, nullptr, data, std::move(name));
  RETURN_NOT_OK(impl->Init());
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(impl)));
}

const std::shared_ptr<const Schema>& CsvReader::schema() const { return impl_->schema; }

Result<std::optional<RecordBatch>> CsvReader::Next() {
  Impl& impl = *impl_;
  while (impl.pending.empty()) {
    if (!impl.error.ok()) return impl.error;
    if (impl.pos >= impl.source.size) return std::optional<RecordBatch>();
    // Batches decoded before an error are still handed out first.
    impl.error = impl.ReadRound();
  }
  RecordBatch batch = std::move(impl.pending.front());
  impl.pending.pop_front();
  return std::optional<RecordBatch>(std::move(batch));
}

Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path, options));
  return ReadAll(reader.get());
}

Result<Table> ReadCsvBuffer(std::string_view data, const CsvReadOptions& options, std::string name) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::OpenBuffer(data, options, std::move(name)));
  return ReadAll(reader.get());
}

}  // namespace edgepipe::csv
