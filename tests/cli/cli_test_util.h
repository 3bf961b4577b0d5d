#pragma once
// Runs the real `edgepipe` binary from a fresh temporary directory per test:
// exit status, stdout and stderr of each command.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "edgepipe/core/subprocess.h"

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

  // `edgepipe <args>` in the test directory; args are split and unquoted
  // by the shell, as a user types them.
  CommandResult Run(const std::string& args) {
    SubprocessOptions options;
    options.working_dir = dir_.string();
    options.timeout_seconds = 600;  // a hung command fails the test instead of the suite
    options.max_stderr_bytes = size_t{16} << 20;
    CommandResult r;
    auto run = RunSubprocess({"/bin/sh", "-c", "exec '" + exe_.string() + "' " + args}, options);
    if (!run.ok()) {
      ADD_FAILURE() << run.status().ToString();
      return r;
    }
    if (run->timed_out) ADD_FAILURE() << "edgepipe " << args << ": killed after 600 s";
    r.exit_code = run->term_signal != 0 ? 128 + run->term_signal : run->exit_code;
    r.out = std::move(run->stdout_text);
    r.err = std::move(run->stderr_text);
    return r;
  }

  std::filesystem::path exe_, dir_;
};

}  // namespace edgepipe::testing
