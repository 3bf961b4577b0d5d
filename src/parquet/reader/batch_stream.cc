// GetBatchReader: streams the selected row groups in file order. Row groups
// are decoded a few at a time (enough chunk tasks to keep every worker busy,
// at most kMaxGroupsInFlight), so memory stays bounded by a few row groups
// while small row groups still decode in parallel.

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "edgepipe/core/parallel.h"
#include "edgepipe/parquet/reader.h"
#include "parquet/reader/reader_impl.h"

namespace edgepipe::parquet {
namespace {

constexpr size_t kMaxGroupsInFlight = 4;

// Reads a set of row groups (file indices) into one batch each.
using ReadGroupsFn = std::function<Result<std::vector<RecordBatch>>(const std::vector<int>&)>;

class ParquetBatchStream final : public BatchReader {
 public:
  ParquetBatchStream(std::shared_ptr<const Schema> schema, const std::vector<int>& row_groups, size_t num_columns,
                     ReadGroupsFn read)
      : schema_(std::move(schema)),
        num_columns_(std::max<size_t>(num_columns, 1)),
        read_(std::move(read)),
        pending_(row_groups.begin(), row_groups.end()) {}

  const std::shared_ptr<const Schema>& schema() const override { return schema_; }

  Result<std::optional<RecordBatch>> Next() override {
    RETURN_NOT_OK(error_);
    if (ready_.empty() && !pending_.empty()) {
      // Enough row groups for two tasks per worker, when there are few columns.
      const size_t wanted = (2 * static_cast<size_t>(GetNumThreads()) + num_columns_ - 1) / num_columns_;
      const size_t take = std::clamp<size_t>(wanted, 1, std::min(kMaxGroupsInFlight, pending_.size()));
      std::vector<int> groups(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(take));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(take));
      Result<std::vector<RecordBatch>> batches = read_(groups);
      if (!batches.ok()) {
        error_ = batches.status();  // sticky: later calls report it too
        return error_;
      }
      for (RecordBatch& b : *batches) ready_.push_back(std::move(b));
    }
    if (ready_.empty()) return std::optional<RecordBatch>();
    RecordBatch batch = std::move(ready_.front());
    ready_.pop_front();
    return std::optional<RecordBatch>(std::move(batch));
  }

 private:
  // Constant after construction.
  std::shared_ptr<const Schema> schema_;
  size_t num_columns_;
  ReadGroupsFn read_;

  std::deque<int> pending_;
  std::deque<RecordBatch> ready_;
  Status error_;
};

}  // namespace

std::unique_ptr<BatchReader> ParquetFileReader::GetBatchReader() {
  const Impl* impl = impl_.get();
  return std::make_unique<ParquetBatchStream>(
      impl->schema, impl->selected_row_groups, impl->projected_leaves.size(),
      [impl](const std::vector<int>& groups) { return impl->ReadRowGroups(groups); });
}

}  // namespace edgepipe::parquet
