// libFuzzer target for the CSV reader (and writer). The first two bytes
// choose the dialect, a small block size and a forced type; the rest is the
// CSV text. Checks, besides "no crash, no hang, no sanitizer report":
//  - every failure is Corruption (options are valid, so nothing else fits);
//  - the table does not depend on the block size (chunking is invisible);
//  - a table read with inference survives write -> read with its types.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "edgepipe/csv/reader.h"
#include "edgepipe/csv/writer.h"

namespace {

using edgepipe::Result;
using edgepipe::Table;
using edgepipe::Type;
namespace csv = edgepipe::csv;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Returns the table, or nothing after checking the error is Corruption.
bool Read(std::string_view text, const csv::CsvReadOptions& options, Table* out) {
  Result<Table> table = csv::ReadCsvBuffer(text, options, "fuzz.csv");
  if (!table.ok()) {
    Check(table.status().IsCorruption());
    return false;
  }
  *out = std::move(table).MoveValueUnsafe();
  return true;
}

void CheckRoundTrip(const Table& table, const csv::CsvReadOptions& read_options) {
  std::set<std::string> names;
  for (const auto& f : table.schema()->fields()) names.insert(f.name);
  if (names.size() != static_cast<size_t>(table.num_columns()) || table.num_columns() == 0) return;
  static const std::string path = "/tmp/csv_fuzz_" + std::to_string(::getpid()) + ".csv";
  csv::CsvWriteOptions write_options;
  write_options.delimiter = read_options.delimiter;
  write_options.rows_per_task = 3;
  Check(csv::WriteCsv(path, table, write_options).ok());
  csv::CsvReadOptions options;
  options.delimiter = read_options.delimiter;
  options.block_size = 7;
  for (const auto& f : table.schema()->fields()) options.column_types[f.name] = f.type;
  Result<Table> back = csv::ReadCsv(path, options);
  Check(back.ok());
  Check(back->Equals(table));
  std::remove(path.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 1 << 16) return 0;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  static constexpr Type kTypes[] = {Type::kBool,    Type::kInt32,  Type::kInt64,    Type::kFloat32,
                                    Type::kFloat64, Type::kString, Type::kTimestamp};
  csv::CsvReadOptions options;
  options.delimiter = kDelimiters[data[0] & 3];
  options.header = (data[0] & 4) == 0;
  options.block_size = 1 + (data[1] & 63);
  const Type forced = kTypes[((data[1] >> 6) | (((data[0] >> 3) & 1) << 2)) % 7];
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Inference.
  Table small_blocks;
  if (Read(text, options, &small_blocks)) {
    csv::CsvReadOptions one_block = options;
    one_block.block_size = 1 << 20;
    Table whole;
    // With small blocks inference sees fewer rows: the one-block read may
    // pick wider types, or (rows past the first block) fail.
    if (Read(text, one_block, &whole) && *whole.schema() == *small_blocks.schema()) {
      Check(whole.Equals(small_blocks));
    }
    if ((data[0] & 0x80) != 0) CheckRoundTrip(small_blocks, options);
  }

  // A forced type for every column.
  csv::CsvReadOptions typed = options;
  csv::CsvReadOptions probe = options;
  probe.block_size = 1 << 20;
  auto reader = csv::CsvReader::OpenBuffer(text, probe, "fuzz.csv");
  if (!reader.ok()) return 0;
  for (const auto& f : (*reader)->schema()->fields()) typed.column_types[f.name] = forced;
  Table forced_small;
  if (Read(text, typed, &forced_small)) {
    typed.block_size = 1 << 20;
    Table forced_whole;
    Check(Read(text, typed, &forced_whole));
    Check(forced_whole.Equals(forced_small));
  }
  return 0;
}
