#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "edgepipe/core/atomic_file.h"
#include "edgepipe/core/mapped_file.h"

namespace edgepipe {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("edgepipe_core_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(AtomicFileTest, NothingVisibleUntilCommit) {
  fs::path dir = TempDir();
  std::string path = (dir / "out.bin").string();
  {
    auto f = AtomicFile::Open(path);
    ASSERT_TRUE(f.ok());
    std::string big(3 << 20, 'x');  // larger than the write buffer
    ASSERT_TRUE((*f)->Write("head").ok());
    ASSERT_TRUE((*f)->Write(big).ok());
    EXPECT_EQ((*f)->position(), 4 + big.size());
    EXPECT_FALSE(fs::exists(path));
    // Destroyed without Commit: the temporary disappears too.
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir));
  {
    auto f = AtomicFile::Open(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write("hello").ok());
    ASSERT_TRUE((*f)->Commit().ok());
  }
  auto m = MappedFile::Open(path);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*m)->data()), (*m)->size()), "hello");
  fs::remove_all(dir);
}

TEST(MappedFileTest, Errors) {
  EXPECT_TRUE(MappedFile::Open("/nonexistent/x.parquet").status().IsNotFound());
  auto dir = MappedFile::Open("/tmp");
  EXPECT_TRUE(dir.status().IsIOError());
  EXPECT_NE(dir.status().message().find("/tmp"), std::string::npos);
  EXPECT_TRUE(AtomicFile::Open("/nonexistent-dir/out.csv").status().IsNotFound());
}

}  // namespace
}  // namespace edgepipe
