#pragma once
// Helpers shared by the CSV tests: a per-process temp dir, file writing and
// table access by (row, column) across batch boundaries.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "edgepipe/core/table.h"
#include "edgepipe/csv/reader.h"

namespace edgepipe::csv::testing {

inline std::filesystem::path TempDir() {
  auto dir = std::filesystem::temp_directory_path() / ("edgepipe_csv_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const std::string path = (TempDir() / name).string();
  std::ofstream out(path, std::ios::binary);
  out << contents;
  return path;
}

inline std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One column of a table as one Column (concatenated over batches).
inline Column TableColumn(const Table& table, int col) {
  std::vector<Column> parts;
  for (const auto& b : table.batches()) parts.push_back(b.column(col));
  if (parts.empty()) {
    auto empty = Column::MakeNull(table.schema()->field(col).type, 0);
    return *empty;
  }
  auto c = ConcatenateColumns(parts);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

// Every cell as text ("null" for nulls), row-major, for easy comparisons.
inline std::vector<std::vector<std::string>> Cells(const Table& table) {
  std::vector<std::vector<std::string>> rows(static_cast<size_t>(table.num_rows()));
  for (int c = 0; c < table.num_columns(); ++c) {
    const Column col = TableColumn(table, c);
    for (int64_t r = 0; r < col.length(); ++r) rows[static_cast<size_t>(r)].push_back(col.ValueToString(r));
  }
  return rows;
}

inline Result<Table> ReadText(const std::string& text, const CsvReadOptions& options = CsvReadOptions::Defaults()) {
  return ReadCsvBuffer(text, options, "test.csv");
}

}  // namespace edgepipe::csv::testing
