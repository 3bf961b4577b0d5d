#pragma once
// Runs the real `edgepipe` binary from a fresh temporary directory per test:
// exit status, stdout and stderr of each command.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace edgepipe::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    exe_ = std::filesystem::path(EDGEPIPE_TEST_BINARY_DIR) / "bin" / "edgepipe";
    ASSERT_TRUE(std::filesystem::exists(exe_)) << exe_;
    const std::string suite = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
    dir_ = std::filesystem::temp_directory_path() / ("edgepipe_" + suite + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // `edgepipe <args>` run by the shell in the test directory.
  CommandResult Run(const std::string& args) {
    const std::string cmd = "cd '" + dir_.string() + "' && '" + exe_.string() + "' " + args + " >'" +
                            Path("stdout.txt") + "' 2>'" + Path("stderr.txt") + "'";
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = Slurp(Path("stdout.txt"));
    r.err = Slurp(Path("stderr.txt"));
    return r;
  }

  std::filesystem::path exe_, dir_;
};

}  // namespace edgepipe::testing
