#pragma once
// A test fixture for differential tests on files: a fresh temporary
// directory per test (removed afterwards) and the canonical dump of a
// Parquet file by a reference engine (tests/interop/peers/parquet_dump.mjs).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "interop/canonical_table.h"

namespace edgepipe::testing {

class PeerFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string suite = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
    dir_ = std::filesystem::temp_directory_path() / ("edgepipe_" + suite + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // `engine`'s ("duckdb", "polars") canonical dump of the file at `path`;
  // an empty table, with the failure recorded, when it cannot read it.
  CanonicalTable Dump(const std::string& engine, const std::string& path) {
    auto text = RunPeer({"parquet_dump.mjs", "--engine", engine, path});
    EXPECT_TRUE(text.ok()) << engine << " could not read " << path << ": " << text.status().ToString();
    if (!text.ok()) return {};
    auto table = ParseCanonical(*text);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? *table : CanonicalTable{};
  }

  std::filesystem::path dir_;
};

}  // namespace edgepipe::testing
