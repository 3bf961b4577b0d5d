#include "apps/edgepipe/cli_util.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "edgepipe/csv/reader.h"
#include "edgepipe/csv/writer.h"

namespace edgepipe::cli {

bool g_quiet = false;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Owns the Parquet file reader behind its batch stream.
class ParquetInput : public BatchReader {
 public:
  explicit ParquetInput(std::unique_ptr<parquet::ParquetFileReader> file)
      : file_(std::move(file)), stream_(file_->GetBatchReader()) {}
  const std::shared_ptr<const Schema>& schema() const override { return stream_->schema(); }
  Result<std::optional<RecordBatch>> Next() override { return stream_->Next(); }

 private:
  std::unique_ptr<parquet::ParquetFileReader> file_;
  std::unique_ptr<BatchReader> stream_;
};

// ParquetWriter and CsvWriter behind one interface.
template <typename Writer>
class WriterAdapter : public TableWriter {
 public:
  explicit WriterAdapter(std::unique_ptr<Writer> w) : writer_(std::move(w)) {}
  Status Write(const RecordBatch& batch) override { return writer_->WriteBatch(batch); }
  Status Close() override { return writer_->Close(); }

 private:
  std::unique_ptr<Writer> writer_;
};

}  // namespace

Result<FileFormat> FormatFromPath(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (EndsWith(lower, ".csv") || EndsWith(lower, ".tsv") || EndsWith(lower, ".txt")) return FileFormat::kCsv;
  if (EndsWith(lower, ".parquet") || EndsWith(lower, ".pq")) return FileFormat::kParquet;
  return Status::InvalidArgument("cannot tell the format of '" + path +
                                 "' from its extension; use .csv or .parquet");
}

Result<std::unique_ptr<BatchReader>> OpenInput(const std::string& path, const InputOptions& options) {
  ASSIGN_OR_RETURN(FileFormat format, FormatFromPath(path));
  if (format == FileFormat::kParquet) {
    parquet::ParquetReadOptions popts = options.parquet;
    if (!options.columns.empty()) popts.columns = options.columns;
    ASSIGN_OR_RETURN(auto file, parquet::ParquetFileReader::Open(path, popts));
    return std::unique_ptr<BatchReader>(new ParquetInput(std::move(file)));
  }
  csv::CsvReadOptions copts = options.csv;
  if (!options.columns.empty()) copts.include_columns = options.columns;
  ASSIGN_OR_RETURN(auto reader, csv::CsvReader::Open(path, copts));
  return std::unique_ptr<BatchReader>(std::move(reader));
}

Result<std::unique_ptr<TableWriter>> OpenOutput(const std::string& path, std::shared_ptr<const Schema> schema,
                                                const OutputOptions& options) {
  ASSIGN_OR_RETURN(FileFormat format, FormatFromPath(path));
  if (format == FileFormat::kParquet) {
    ASSIGN_OR_RETURN(auto w, parquet::ParquetWriter::Open(path, std::move(schema), options.parquet));
    return std::unique_ptr<TableWriter>(new WriterAdapter<parquet::ParquetWriter>(std::move(w)));
  }
  ASSIGN_OR_RETURN(auto w, csv::CsvWriter::Open(path, std::move(schema), options.csv));
  return std::unique_ptr<TableWriter>(new WriterAdapter<csv::CsvWriter>(std::move(w)));
}

Result<int64_t> CopyBatches(BatchReader* reader, TableWriter* writer, const std::string& label) {
  Progress progress(label);
  int64_t rows = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    RETURN_NOT_OK(writer->Write(*batch));
    rows += batch->num_rows();
    progress.Update(rows);
  }
  RETURN_NOT_OK(writer->Close());
  progress.Finish();
  return rows;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

Result<std::map<std::string, Type>> ParseSchemaOverride(const std::string& text) {
  std::map<std::string, Type> out;
  for (const std::string& item : SplitList(text)) {
    const auto colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("--schema item '" + item + "' is not NAME:TYPE (e.g. timestamp:timestamp,ax:float32)");
    }
    ASSIGN_OR_RETURN(Type type, ParseType(item.substr(colon + 1)));
    out[item.substr(0, colon)] = type;
  }
  return out;
}

Progress::Progress(std::string label)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), last_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(int64_t rows) {
  rows_ = rows;
  if (g_quiet) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  const double secs = elapsed_seconds();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  fmt::print(stderr, "{}[{}] {} rows, {:.1f} s, {:.2f} M rows/s{}", tty ? "\r" : "", label_, rows, secs,
             static_cast<double>(rows) / secs / 1e6, tty ? "" : "\n");
  printed_ = true;
}

void Progress::Finish() {
  if (g_quiet || !printed_) return;
  const double secs = elapsed_seconds();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  fmt::print(stderr, "{}[{}] done: {} rows in {:.2f} s\n", tty ? "\r" : "", label_, rows_, secs);
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

}  // namespace edgepipe::cli
