// ParquetFileReader: open (magic, footer, validation), projection,
// row-group selection from statistics, and the parallel read.

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "edgepipe/core/bit_util.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/parquet/reader.h"
#include "parquet/reader/column_chunk_reader.h"
#include "parquet/reader/error_context.h"
#include "parquet/reader/reader_impl.h"
#include "parquet/reader/statistics.h"

namespace edgepipe::parquet {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};
constexpr uint8_t kEncryptedMagic[4] = {'P', 'A', 'R', 'E'};
constexpr int64_t kMinFileSize = 12;  // magic + footer length + magic

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // Parquet is little endian, like every platform we build for.
}

std::string JoinPath(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += parts[i];
  }
  return out;
}

class FooterChecker {
 public:
  FooterChecker(const std::string& path, int64_t footer_start) : path_(path), footer_start_(footer_start) {}

  Status Error(std::string_view what) const {
    return Status::Corruption(path_ + ": corrupt Parquet footer at byte " + std::to_string(footer_start_) + ": " +
                              std::string(what));
  }
  Status ChunkError(int rg, const std::string& column, std::string_view what) const {
    return Error("row group " + std::to_string(rg) + ", column '" + column + "': " + std::string(what));
  }

 private:
  const std::string& path_;
  int64_t footer_start_;
};

bool IsFixedWidth(Type type) { return type != Type::kBool && type != Type::kString; }

}  // namespace

// ---------------------------------------------------------------------------
// ReaderState

void ReaderState::ChunkRange(int row_group, int leaf, int64_t* start, int64_t* end) const {
  const ColumnMetaData& meta = *metadata.row_groups[row_group].columns[leaf].meta_data;
  int64_t s = meta.data_page_offset;
  // Writers put the dictionary page first; some write 0 for "none".
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 && *meta.dictionary_page_offset < s) {
    s = *meta.dictionary_page_offset;
  }
  *start = s;
  // Saturates for forged sizes; ValidateMetadata rejects those.
  if (__builtin_add_overflow(s, meta.total_compressed_size, end)) *end = INT64_MAX;
}

namespace {

// The footer's promises, checked once so the decoding tasks can trust them:
// every chunk range lies inside the data area, counts are consistent.
Status ValidateMetadata(const ReaderState& impl, const FooterChecker& check) {
  const FileMetaData& md = impl.metadata;
  const size_t num_leaves = impl.mapping.leaves.size();
  int64_t total_rows = 0;
  for (size_t rg_idx = 0; rg_idx < md.row_groups.size(); ++rg_idx) {
    const int rg = static_cast<int>(rg_idx);
    const RowGroup& group = md.row_groups[rg_idx];
    if (group.num_rows < 0) return check.Error("row group " + std::to_string(rg) + " has num_rows " + std::to_string(group.num_rows));
    if (__builtin_add_overflow(total_rows, group.num_rows, &total_rows)) {
      return check.Error("the row groups' num_rows overflow 64 bits");
    }
    if (group.columns.size() != num_leaves) {
      return check.Error("row group " + std::to_string(rg) + " has " + std::to_string(group.columns.size()) +
                         " column chunks, the schema has " + std::to_string(num_leaves) + " leaf columns");
    }
    for (size_t leaf = 0; leaf < num_leaves; ++leaf) {
      const ColumnDescriptor& col = impl.mapping.leaves[leaf];
      const ColumnChunk& chunk = group.columns[leaf];
      if (chunk.file_path) {
        return Status::NotSupported(impl.path + ": row group " + std::to_string(rg) + ", column '" + col.path +
                                    "' is stored in another file ('" + *chunk.file_path + "')");
      }
      if (!chunk.meta_data) {
        return Status::NotSupported(impl.path + ": row group " + std::to_string(rg) + ", column '" + col.path +
                                    "' has no metadata (an encrypted column?)");
      }
      const ColumnMetaData& meta = *chunk.meta_data;
      if (meta.type != col.physical_type) {
        return check.ChunkError(rg, col.path, "chunk type " + std::string(PhysicalTypeName(meta.type)) +
                                                  " differs from the schema's " +
                                                  std::string(PhysicalTypeName(col.physical_type)));
      }
      if (!meta.path_in_schema.empty() && JoinPath(meta.path_in_schema) != col.path) {
        return check.ChunkError(rg, col.path, "path_in_schema is '" + JoinPath(meta.path_in_schema) + "'");
      }
      if (meta.num_values < 0 || meta.total_compressed_size < 0 || meta.total_uncompressed_size < 0) {
        return check.ChunkError(rg, col.path, "negative num_values or sizes");
      }
      // Flat columns have one value (or null) per row.
      if (col.supported() && meta.num_values != group.num_rows) {
        return check.ChunkError(rg, col.path, "num_values " + std::to_string(meta.num_values) +
                                                  " differs from the row group's num_rows " +
                                                  std::to_string(group.num_rows));
      }
      int64_t start, end;
      impl.ChunkRange(rg, static_cast<int>(leaf), &start, &end);
      if (start < 4 || meta.total_compressed_size > impl.footer_start - start) {
        return check.ChunkError(rg, col.path, "pages at bytes [" + std::to_string(start) + ", " +
                                                  std::to_string(start) + " + " +
                                                  std::to_string(meta.total_compressed_size) +
                                                  ") run outside the data area [4, " +
                                                  std::to_string(impl.footer_start) + ")");
      }
    }
  }
  if (total_rows != md.num_rows) {
    return check.Error("num_rows is " + std::to_string(md.num_rows) + " but the row groups hold " +
                       std::to_string(total_rows));
  }
  return Status::OK();
}

Status ResolveProjection(ReaderState* impl) {
  const SchemaMapping& mapping = impl->mapping;
  std::vector<int> fields;
  if (impl->options.columns.empty()) {
    for (size_t i = 0; i < mapping.fields.size(); ++i) fields.push_back(static_cast<int>(i));
  } else {
    std::unordered_map<std::string, int> by_name;
    for (size_t i = 0; i < mapping.fields.size(); ++i) by_name.emplace(mapping.fields[i].name, static_cast<int>(i));
    std::unordered_set<std::string> seen;
    for (const std::string& name : impl->options.columns) {
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        std::string names;
        for (const TopLevelField& f : mapping.fields) names += (names.empty() ? "" : ", ") + f.name;
        return Status::NotFound(impl->path + ": no column '" + name + "'; columns are: " + names);
      }
      if (!seen.insert(name).second) {
        return Status::InvalidArgument(impl->path + ": column '" + name + "' is listed twice in the projection");
      }
      fields.push_back(it->second);
    }
  }
  std::vector<Field> out_fields;
  std::unordered_set<std::string> names;
  for (int field_idx : fields) {
    const TopLevelField& field = mapping.fields[field_idx];
    if (field.num_leaves != 1 || !mapping.leaves[field.first_leaf].supported()) {
      const std::string why = field.num_leaves == 1 ? mapping.leaves[field.first_leaf].unsupported
                                                    : "nested column is not supported";
      return Status::NotSupported(impl->path + ": column '" + field.name + "': " + why +
                                  " (skip it with a projection)");
    }
    if (!names.insert(field.name).second) {
      return Status::NotSupported(impl->path + ": two columns are named '" + field.name +
                                  "'; select one set of names with a projection");
    }
    const ColumnDescriptor& col = mapping.leaves[field.first_leaf];
    impl->projected_leaves.push_back(col.leaf_index);
    out_fields.push_back(Field{col.name, col.type, col.nullable});
  }
  impl->schema = std::make_shared<Schema>(std::move(out_fields));
  return Status::OK();
}

Status CheckDecodedSize(const ReaderState& impl) {
  __int128 bits_per_row = 0;
  for (int leaf : impl.projected_leaves) bits_per_row += DecodedBitsPerRow(impl.mapping.leaves[leaf]);
  const __int128 bytes = (bits_per_row * impl.num_rows + 7) / 8;
  if (bytes > impl.options.max_decoded_bytes) {
    return Status::OutOfMemory(impl.path + ": " + std::to_string(impl.num_rows) + " rows of the selected columns need " +
                               std::to_string(static_cast<int64_t>(std::min<__int128>(bytes, INT64_MAX))) +
                               " bytes decoded, more than max_decoded_bytes (" +
                               std::to_string(impl.options.max_decoded_bytes) +
                               "); select fewer columns or raise the limit");
  }
  return Status::OK();
}

// Keeps the row groups whose statistics may hold rows inside every filter.
Status SelectRowGroups(ReaderState* impl) {
  struct ResolvedFilter {
    const RangeFilter* filter;
    const ColumnDescriptor* column;
  };
  std::vector<ResolvedFilter> filters;
  for (const RangeFilter& filter : impl->options.filters) {
    const ColumnDescriptor* column = nullptr;
    for (const TopLevelField& f : impl->mapping.fields) {
      if (f.name == filter.column && f.num_leaves == 1) column = &impl->mapping.leaves[f.first_leaf];
    }
    if (column == nullptr) {
      return Status::InvalidArgument(impl->path + ": filter on column '" + filter.column +
                                     "', which is not a flat column of the file");
    }
    if (!column->supported() || !IsNumeric(column->type)) {
      return Status::InvalidArgument(impl->path + ": filter on column '" + filter.column +
                                     "': range filters apply to integer, float and timestamp columns");
    }
    filters.push_back({&filter, column});
  }
  impl->selected_row_groups.clear();
  for (size_t rg = 0; rg < impl->metadata.row_groups.size(); ++rg) {
    const RowGroup& group = impl->metadata.row_groups[rg];
    bool keep = true;
    for (const ResolvedFilter& f : filters) {
      const ColumnMetaData& meta = *group.columns[f.column->leaf_index].meta_data;
      if (!meta.statistics) continue;
      const Statistics& stats = *meta.statistics;
      // Nulls are never inside a range: an all-null chunk has no matching row.
      if (stats.null_count && meta.num_values > 0 && *stats.null_count == meta.num_values) {
        keep = false;
        break;
      }
      std::optional<MinMax> minmax = SelectMinMax(*f.column, stats);
      if (!minmax) continue;
      const std::optional<double> lo = StatisticAsDouble(*f.column, minmax->min);
      const std::optional<double> hi = StatisticAsDouble(*f.column, minmax->max);
      if (!lo || !hi) continue;
      if ((f.filter->min && *hi < *f.filter->min) || (f.filter->max && *lo > *f.filter->max)) {
        keep = false;
        break;
      }
    }
    if (keep) impl->selected_row_groups.push_back(static_cast<int>(rg));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<RecordBatch>> ReaderState::ReadRowGroups(const std::vector<int>& row_groups) const {
  const size_t num_cols = projected_leaves.size();
  const size_t num_rgs = row_groups.size();
  std::vector<int64_t> row_start(num_rgs + 1, 0);
  for (size_t i = 0; i < num_rgs; ++i) {
    row_start[i + 1] = row_start[i] + metadata.row_groups[row_groups[i]].num_rows;
  }
  const int64_t total_rows = row_start[num_rgs];

  // One output buffer per fixed-width column for all row groups: allocated
  // once (huge pages for big ones), no concatenation afterwards.
  std::vector<std::shared_ptr<Buffer>> values(num_cols);
  int64_t fixed_bytes = 0;
  for (size_t c = 0; c < num_cols; ++c) {
    const Type type = mapping.leaves[projected_leaves[c]].type;
    if (!IsFixedWidth(type)) continue;
    const int64_t bytes = total_rows * TypeByteWidth(type);
    ASSIGN_OR_RETURN(values[c], Buffer::Allocate(static_cast<size_t>(bytes)));
    fixed_bytes += bytes;
  }
  std::atomic<int64_t> byte_budget(options.max_decoded_bytes - fixed_bytes);

  const size_t num_tasks = num_rgs * num_cols;
  std::vector<ColumnChunkTask> tasks(num_tasks);
  std::vector<ColumnChunkResult> results(num_tasks);
  std::vector<Status> statuses(num_tasks);
  for (size_t r = 0; r < num_rgs; ++r) {
    for (size_t c = 0; c < num_cols; ++c) {
      ColumnChunkTask& task = tasks[r * num_cols + c];
      const int leaf = projected_leaves[c];
      const ColumnDescriptor& col = mapping.leaves[leaf];
      task.file_data = file->data();
      task.path = &path;
      task.row_group = row_groups[r];
      task.column = &col;
      task.meta = &*metadata.row_groups[row_groups[r]].columns[leaf].meta_data;
      ChunkRange(row_groups[r], leaf, &task.chunk_start, &task.chunk_end);
      task.num_rows = metadata.row_groups[row_groups[r]].num_rows;
      if (values[c]) task.values = values[c]->mutable_data() + row_start[r] * TypeByteWidth(col.type);
      task.byte_budget = &byte_budget;
      task.read_dictionary = options.read_dictionary;
    }
  }
  ParallelFor(static_cast<int64_t>(num_tasks),
              [&](int64_t i) { statuses[i] = ReadColumnChunk(tasks[i], &results[i]); });
  for (const Status& st : statuses) RETURN_NOT_OK(st);

  // Validity of fixed-width columns: the chunks decoded their bitmaps from
  // bit 0 (tasks must not share bytes); copy them into one bitmap aligned
  // with the shared values buffer.
  std::vector<std::shared_ptr<Buffer>> validity(num_cols);
  for (size_t c = 0; c < num_cols; ++c) {
    if (!values[c]) continue;
    for (size_t r = 0; r < num_rgs; ++r) {
      const ColumnChunkResult& res = results[r * num_cols + c];
      if (!res.validity) continue;
      if (!validity[c]) {
        ASSIGN_OR_RETURN(validity[c],
                         Buffer::AllocateZeroed(static_cast<size_t>(bit_util::BytesForBits(total_rows))));
      }
      bit_util::CopyBitmap(res.validity->data(), 0, row_start[r + 1] - row_start[r], validity[c]->mutable_data(),
                           row_start[r]);
    }
  }

  std::vector<RecordBatch> batches;
  batches.reserve(num_rgs);
  for (size_t r = 0; r < num_rgs; ++r) {
    const int64_t n = row_start[r + 1] - row_start[r];
    std::vector<Column> columns;
    columns.reserve(num_cols);
    for (size_t c = 0; c < num_cols; ++c) {
      ColumnChunkResult& res = results[r * num_cols + c];
      const Type type = mapping.leaves[projected_leaves[c]].type;
      if (type == Type::kString && res.dictionary != nullptr) {
        // The chunk reader checked every code against the dictionary.
        ASSIGN_OR_RETURN(Column col, Column::MakeDictionary(n, std::move(res.values), std::move(res.dictionary),
                                                            std::move(res.validity), res.null_count));
        columns.push_back(std::move(col));
      } else if (type == Type::kString) {
        columns.push_back(Column::MakeString(n, std::move(res.values), std::move(res.data), std::move(res.validity),
                                             res.null_count));
      } else if (type == Type::kBool) {
        columns.emplace_back(type, n, std::move(res.values), std::move(res.validity), res.null_count);
      } else {
        columns.emplace_back(type, n, values[c], res.validity ? validity[c] : nullptr, res.null_count, row_start[r]);
      }
    }
    ASSIGN_OR_RETURN(RecordBatch batch, RecordBatch::Make(schema, std::move(columns)));
    batches.push_back(std::move(batch));
  }
  return batches;
}

// ---------------------------------------------------------------------------
// ParquetFileReader

ParquetFileReader::ParquetFileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetFileReader::~ParquetFileReader() = default;

Result<std::unique_ptr<ParquetFileReader>> ParquetFileReader::Open(const std::string& path,
                                                                   const ParquetReadOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  if (options.max_decoded_bytes < 0) {
    return Status::InvalidArgument(path + ": max_decoded_bytes is negative");
  }
  ASSIGN_OR_RETURN(impl->file, MappedFile::Open(path));
  const uint8_t* data = impl->file->data();
  const int64_t size = static_cast<int64_t>(impl->file->size());
  if (size < kMinFileSize) {
    return Status::Corruption(path + ": file is " + std::to_string(size) +
                              " bytes, too small for Parquet (at least 12: magic, footer length, magic)");
  }
  const uint8_t* tail_magic = data + size - 4;
  if (std::memcmp(tail_magic, kEncryptedMagic, 4) == 0 || std::memcmp(data, kEncryptedMagic, 4) == 0) {
    return Status::NotSupported(path + ": encrypted Parquet files (magic PARE) are not supported");
  }
  if (std::memcmp(data, kMagic, 4) != 0) {
    return Status::Corruption(path + ": not a Parquet file: bytes 0..3 are not the magic 'PAR1'");
  }
  if (std::memcmp(tail_magic, kMagic, 4) != 0) {
    return Status::Corruption(path + ": not a Parquet file or truncated: the last 4 bytes (at byte " +
                              std::to_string(size - 4) + ") are not the magic 'PAR1'");
  }
  const int64_t footer_len = LoadLe32(data + size - 8);
  if (footer_len > size - kMinFileSize) {
    return Status::Corruption(path + ": corrupt Parquet footer at byte " + std::to_string(size - 8) +
                              ": footer length " + std::to_string(footer_len) + " runs past the start of the file (" +
                              std::to_string(size) + " bytes)");
  }
  impl->footer_start = size - 8 - footer_len;
  FooterChecker check(path, impl->footer_start);
  Status st = DecodeFileMetaData(data + impl->footer_start, static_cast<size_t>(footer_len), &impl->metadata);
  if (!st.ok()) return WithByteContext(st, path + ": corrupt Parquet footer", impl->footer_start);
  st = BuildSchemaMapping(impl->metadata.schema, &impl->mapping);
  if (!st.ok()) return check.Error("schema: " + st.message());
  RETURN_NOT_OK(ValidateMetadata(*impl, check));
  impl->num_rows = impl->metadata.num_rows;
  RETURN_NOT_OK(ResolveProjection(impl.get()));
  RETURN_NOT_OK(CheckDecodedSize(*impl));
  RETURN_NOT_OK(SelectRowGroups(impl.get()));
  return std::unique_ptr<ParquetFileReader>(new ParquetFileReader(std::move(impl)));
}

const std::shared_ptr<const Schema>& ParquetFileReader::schema() const { return impl_->schema; }
int ParquetFileReader::num_row_groups() const { return static_cast<int>(impl_->metadata.row_groups.size()); }
int64_t ParquetFileReader::num_rows() const { return impl_->num_rows; }
std::vector<int> ParquetFileReader::SelectedRowGroups() const { return impl_->selected_row_groups; }

Result<RecordBatch> ParquetFileReader::ReadRowGroup(int row_group) {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument(impl_->path + ": row group " + std::to_string(row_group) + " out of range (" +
                                   std::to_string(num_row_groups()) + " row groups)");
  }
  ASSIGN_OR_RETURN(std::vector<RecordBatch> batches, impl_->ReadRowGroups({row_group}));
  return std::move(batches[0]);
}

Result<Table> ParquetFileReader::ReadTable() {
  ASSIGN_OR_RETURN(std::vector<RecordBatch> batches, impl_->ReadRowGroups(impl_->selected_row_groups));
  return Table::Make(impl_->schema, std::move(batches));
}

FileInfo ParquetFileReader::Info() const {
  const FileMetaData& md = impl_->metadata;
  FileInfo info;
  info.file_size = static_cast<int64_t>(impl_->file->size());
  info.num_rows = md.num_rows;
  info.format_version = md.version;
  info.created_by = md.created_by.value_or("");
  for (const KeyValue& kv : md.key_value_metadata) info.key_value_metadata.emplace_back(kv.key, kv.value.value_or(""));
  for (const RowGroup& group : md.row_groups) {
    RowGroupInfo rg;
    rg.num_rows = group.num_rows;
    rg.total_byte_size = group.total_byte_size;
    for (size_t leaf = 0; leaf < group.columns.size(); ++leaf) {
      const ColumnDescriptor& col = impl_->mapping.leaves[leaf];
      const ColumnMetaData& meta = *group.columns[leaf].meta_data;
      ColumnChunkInfo cc;
      cc.column = col.path;
      cc.physical_type = std::string(PhysicalTypeName(meta.type));
      cc.codec = std::string(CompressionCodecName(meta.codec));
      for (Encoding e : meta.encodings) cc.encodings.emplace_back(EncodingName(e));
      cc.num_values = meta.num_values;
      cc.compressed_bytes = meta.total_compressed_size;
      cc.uncompressed_bytes = meta.total_uncompressed_size;
      if (meta.statistics) {
        cc.null_count = meta.statistics->null_count;
        if (std::optional<MinMax> mm = SelectMinMax(col, *meta.statistics)) {
          cc.min = FormatStatistic(col, mm->min);
          cc.max = FormatStatistic(col, mm->max);
        }
      }
      if (meta.encoding_stats.empty()) {
        cc.data_pages = -1;
      } else {
        cc.data_pages = 0;
        for (const PageEncodingStats& s : meta.encoding_stats) {
          if (s.page_type == PageType::kDataPage || s.page_type == PageType::kDataPageV2) cc.data_pages += s.count;
        }
      }
      rg.columns.push_back(std::move(cc));
    }
    info.row_groups.push_back(std::move(rg));
  }
  return info;
}

Result<Table> ReadParquet(const std::string& path, const ParquetReadOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ParquetFileReader> reader, ParquetFileReader::Open(path, options));
  return reader->ReadTable();
}

}  // namespace edgepipe::parquet
