// libFuzzer target for the Parquet reader: the input is written to a file
// (MappedFile is file-based; /dev/shm keeps it in memory) and read with
// Info(), ReadTable() and the batch stream, with and without dictionary
// columns. Any status is fine; crashes, sanitizer reports, hangs and huge
// allocations are bugs.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "edgepipe/core/parallel.h"
#include "edgepipe/parquet/reader.h"

namespace {

std::string InputPath() {
  const char* dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/edgepipe_parquet_reader_fuzz_" + std::to_string(::getpid()) + ".parquet";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = InputPath();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    std::fclose(f);
    return 0;
  }
  std::fclose(f);

  // Both string decodings: dictionary columns (the default) and plain.
  for (bool read_dictionary : {true, false}) {
    edgepipe::parquet::ParquetReadOptions options;
    options.read_dictionary = read_dictionary;
    // Well under libFuzzer's -rss_limit_mb / malloc limit (2 GiB).
    options.max_decoded_bytes = int64_t{64} << 20;
    auto reader = edgepipe::parquet::ParquetFileReader::Open(path, options);
    if (!reader.ok()) return 0;
    (void)(*reader)->Info();
    auto table = (*reader)->ReadTable();
    if (table.ok()) {
      // Touch every value so lazily wrong buffers show up under ASan.
      for (const auto& batch : table->batches()) {
        for (const auto& column : batch.columns()) {
          for (int64_t i = 0; i < column.length(); ++i) (void)column.ValueToString(i);
        }
      }
    }
    auto stream = (*reader)->GetBatchReader();
    while (true) {
      auto next = stream->Next();
      if (!next.ok() || !next->has_value()) break;
    }
  }
  return 0;
}
