#include <cstring>
#include <string>
#include <vector>

#include "edgepipe/core/atomic_file.h"
#include "edgepipe/core/parallel.h"
#include "edgepipe/core/table.h"
#include "edgepipe/parquet/writer.h"
#include "parquet/thrift/parquet_types.h"
#include "parquet/writer/column_chunk_writer.h"

namespace edgepipe::parquet {
namespace {

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr char kCreatedBy[] = "edgepipe version 0.1.0";

SchemaElement LeafElement(const Field& field) {
  SchemaElement e;
  e.name = field.name;
  e.type = PhysicalTypeOf(field.type);
  e.repetition_type = field.nullable ? FieldRepetitionType::kOptional : FieldRepetitionType::kRequired;
  if (field.type == Type::kString) {
    LogicalType lt;
    lt.kind = LogicalType::Kind::kString;
    e.logical_type = lt;
    e.converted_type = ConvertedType::kUtf8;
  } else if (field.type == Type::kTimestamp) {
    LogicalType lt;
    lt.kind = LogicalType::Kind::kTimestamp;
    lt.is_adjusted_to_utc = true;
    lt.unit = TimeUnit::kNanos;  // no ConvertedType exists for nanoseconds
    e.logical_type = lt;
  }
  return e;
}

}  // namespace

struct ParquetWriter::Impl {
  // Constant after Open.
  std::shared_ptr<const Schema> schema;
  ParquetWriteOptions options;
  std::vector<ChunkWriteConfig> configs;  // per column
  std::unique_ptr<AtomicFile> file;

  std::vector<RecordBatch> pending;  // rows not yet in a row group
  int64_t pending_rows = 0;
  FileMetaData metadata;
  int64_t rows_written = 0;
  bool closed = false;
  Status error;  // sticky: after a failure every call returns it
  std::vector<EncodedChunk> chunks;  // reused between row groups

  Status FlushRowGroup(int64_t rows);
};

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(const std::string& path,
                                                           std::shared_ptr<const Schema> schema,
                                                           const ParquetWriteOptions& options) {
  if (schema->num_fields() == 0) return Status::InvalidArgument(path + ": cannot write a table with no columns");
  if (options.row_group_rows <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("row_group_rows and page_bytes must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->schema = schema;
  impl->options = options;
  for (const auto& [name, col_opts] : options.columns) {
    const int idx = schema->FieldIndex(name);
    if (idx < 0) {
      ASSIGN_OR_RETURN(int unused, schema->GetFieldIndex(name));  // NotFound listing the columns
      (void)unused;
    }
    const Field& field = schema->field(idx);
    if (!EncodingFits(col_opts.encoding, field.type)) {
      return Status::InvalidArgument("encoding " + std::string(ColumnEncodingName(col_opts.encoding)) +
                                     " cannot store column '" + name + "' of type " +
                                     std::string(TypeName(field.type)));
    }
  }
  for (const Field& field : schema->fields()) {
    ChunkWriteConfig cfg;
    cfg.name = field.name;
    cfg.nullable = field.nullable;
    cfg.compression = options.compression;
    cfg.compression_level = options.compression_level;
    cfg.page_bytes = options.page_bytes;
    cfg.dictionary_bytes_limit = options.dictionary_bytes_limit;
    cfg.data_page_v2 = options.data_page_v2;
    cfg.write_statistics = options.write_statistics;
    auto it = options.columns.find(field.name);
    if (it != options.columns.end()) {
      cfg.encoding = it->second.encoding;
      if (it->second.compression) cfg.compression = *it->second.compression;
    }
    impl->configs.push_back(cfg);
  }
  AtomicFile::Options file_options;
  file_options.sync = options.sync;
  ASSIGN_OR_RETURN(impl->file, AtomicFile::Open(path, file_options));
  RETURN_NOT_OK(impl->file->Write(kMagic, 4));

  FileMetaData& md = impl->metadata;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = schema->num_fields();
  md.schema.push_back(root);
  for (const Field& field : schema->fields()) md.schema.push_back(LeafElement(field));
  md.created_by = kCreatedBy;
  md.num_column_orders = schema->num_fields();
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

Status ParquetWriter::WriteBatch(const RecordBatch& batch) {
  Impl& s = *impl_;
  RETURN_NOT_OK(s.error);
  if (s.closed) return Status::InvalidArgument(s.file ? s.file->path() : "" + std::string(": writer is closed"));
  if (!(*batch.schema() == *s.schema)) {
    return Status::InvalidArgument(s.file->path() + ": batch schema differs from the writer's:\n" +
                                   batch.schema()->ToString() + "vs\n" + s.schema->ToString());
  }
  for (int i = 0; i < batch.num_columns(); ++i) {
    if (!s.schema->field(i).nullable && batch.column(i).null_count() > 0) {
      return Status::InvalidArgument(s.file->path() + ": column '" + s.schema->field(i).name +
                                     "' is declared not null but the batch has nulls");
    }
  }
  int64_t offset = 0;
  while (offset < batch.num_rows()) {
    const int64_t take = std::min(batch.num_rows() - offset, s.options.row_group_rows - s.pending_rows);
    s.pending.push_back(batch.Slice(offset, take));
    s.pending_rows += take;
    offset += take;
    if (s.pending_rows == s.options.row_group_rows) {
      Status st = s.FlushRowGroup(s.pending_rows);
      if (!st.ok()) return s.error = st;
    }
  }
  return Status::OK();
}

Status ParquetWriter::Impl::FlushRowGroup(int64_t rows) {
  if (rows == 0) return Status::OK();
  std::vector<RecordBatch> parts = std::move(pending);
  pending.clear();
  pending_rows = 0;

  // Columns are encoded from the pending batches in place: peak memory is
  // one row group of input plus its encoded chunks.
  const int num_columns = schema->num_fields();
  chunks.resize(static_cast<size_t>(num_columns));
  std::vector<Status> statuses(static_cast<size_t>(num_columns));
  ParallelFor(num_columns, [&](int64_t col_idx) {
    std::vector<Column> pieces;
    pieces.reserve(parts.size());
    for (const RecordBatch& part : parts) pieces.push_back(part.column(static_cast<int>(col_idx)));
    statuses[col_idx] = EncodeColumnChunk(pieces, configs[col_idx], &chunks[col_idx]);
  });
  parts.clear();
  for (int col_idx = 0; col_idx < num_columns; ++col_idx) {
    if (!statuses[col_idx].ok()) {
      return statuses[col_idx].WithContext(file->path() + ": column '" + schema->field(col_idx).name + "'");
    }
    // A float column's PLAIN-vs-BYTE_STREAM_SPLIT trial is made once per
    // file: sensor data does not change character between row groups, and
    // the trial costs a second compression of a page.
    const Type type = schema->field(col_idx).type;
    if (configs[col_idx].encoding == ColumnEncoding::kAuto && IsFloating(type)) {
      configs[col_idx].encoding = chunks[col_idx].value_encoding;
    }
  }

  RowGroup rg;
  rg.num_rows = rows;
  rg.file_offset = static_cast<int64_t>(file->position());
  rg.ordinal = static_cast<int16_t>(metadata.row_groups.size());
  int64_t total_uncompressed = 0, total_compressed = 0;
  for (int col_idx = 0; col_idx < num_columns; ++col_idx) {
    EncodedChunk& chunk = chunks[col_idx];
    const int64_t base = static_cast<int64_t>(file->position());
    ColumnChunk cc;
    cc.meta_data = chunk.meta;
    ColumnMetaData& meta = *cc.meta_data;
    meta.data_page_offset += base;
    if (meta.dictionary_page_offset) *meta.dictionary_page_offset += base;
    cc.file_offset = base;
    RETURN_NOT_OK(file->Write(chunk.dictionary_page.data(), chunk.dictionary_page.size()));
    RETURN_NOT_OK(file->Write(chunk.data_pages.data(), chunk.data_pages.size()));
    total_uncompressed += meta.total_uncompressed_size;
    total_compressed += meta.total_compressed_size;
    rg.columns.push_back(std::move(cc));
  }
  rg.total_byte_size = total_uncompressed;
  rg.total_compressed_size = total_compressed;
  metadata.row_groups.push_back(std::move(rg));
  metadata.num_rows += rows;
  rows_written += rows;
  return Status::OK();
}

Status ParquetWriter::Close() {
  Impl& s = *impl_;
  RETURN_NOT_OK(s.error);
  if (s.closed) return Status::OK();
  Status st = s.FlushRowGroup(s.pending_rows);
  if (!st.ok()) return s.error = st;
  std::string footer;
  EncodeFileMetaData(s.metadata, &footer);
  const uint32_t len = static_cast<uint32_t>(footer.size());
  uint8_t len_le[4] = {static_cast<uint8_t>(len), static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len >> 16),
                       static_cast<uint8_t>(len >> 24)};
  st = s.file->Write(footer);
  if (st.ok()) st = s.file->Write(len_le, 4);
  if (st.ok()) st = s.file->Write(kMagic, 4);
  if (st.ok()) st = s.file->Commit();
  if (!st.ok()) return s.error = st;
  s.closed = true;
  return Status::OK();
}

int64_t ParquetWriter::rows_written() const { return impl_->rows_written; }
uint64_t ParquetWriter::bytes_written() const { return impl_->file->position(); }

Status WriteParquet(const Table& table, const std::string& path, const ParquetWriteOptions& options) {
  ASSIGN_OR_RETURN(auto writer, ParquetWriter::Open(path, table.schema(), options));
  for (const auto& batch : table.batches()) RETURN_NOT_OK(writer->WriteBatch(batch));
  return writer->Close();
}

}  // namespace edgepipe::parquet
