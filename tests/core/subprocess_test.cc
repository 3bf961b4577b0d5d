#include "edgepipe/core/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace edgepipe {
namespace {

std::vector<std::string> Shell(const std::string& script) { return {"sh", "-c", script}; }

SubprocessOptions WithTimeout(double seconds) {
  SubprocessOptions options;
  options.timeout_seconds = seconds;
  return options;
}

// Gone, or a zombie waiting for whoever inherited it.
bool ProcessIsDead(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || (paren + 2 < line.size() && line[paren + 2] == 'Z');
}

TEST(SubprocessTest, CapturesStdoutStderrAndExitCode) {
  auto run = RunSubprocess(Shell("echo out; echo err >&2; exit 7"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->spawn_error, 0);
  EXPECT_EQ(run->exit_code, 7);
  EXPECT_EQ(run->term_signal, 0);
  EXPECT_FALSE(run->timed_out);
  EXPECT_EQ(run->stdout_text, "out\n");
  EXPECT_EQ(run->stderr_text, "err\n");
  EXPECT_FALSE(run->ok());
}

TEST(SubprocessTest, OutputOfACleanRun) {
  auto out = RunSubprocessForOutput({"printf", "a\\nb"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "a\nb");
}

TEST(SubprocessTest, LargeOutputOnBothStreamsDoesNotDeadlock) {
  // Far beyond a 64 KiB pipe buffer on each stream at once.
  auto run = RunSubprocess(Shell("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; "
                                 "head -c 1000000 /dev/zero"),
                           WithTimeout(30));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->stdout_text.size(), 2000000u);
}

TEST(SubprocessTest, FailureNamesCommandExitCodeAndStderrTail) {
  auto out = RunSubprocessForOutput(Shell("echo 'first line' >&2; echo 'x.mjs: error: unknown engine' >&2; exit 3"));
  ASSERT_TRUE(out.status().IsIOError()) << out.status().ToString();
  const std::string& msg = out.status().message();
  EXPECT_NE(msg.find("'sh -c \"echo"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exited with status 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stderr: first line\nx.mjs: error: unknown engine"), std::string::npos) << msg;
}

TEST(SubprocessTest, StderrTailIsBounded) {
  auto out = RunSubprocessForOutput(Shell("head -c 100000 /dev/zero | tr '\\0' a >&2; echo ' the end' >&2; exit 1"));
  ASSERT_TRUE(out.status().IsIOError());
  const std::string& msg = out.status().message();
  EXPECT_LT(msg.size(), 5000u);
  EXPECT_NE(msg.find("stderr: ...aaa"), std::string::npos);
  EXPECT_EQ(msg.substr(msg.size() - 8), " the end");
}

TEST(SubprocessTest, SignalIsAFailure) {
  auto run = RunSubprocess(Shell("kill -9 $$"));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->term_signal, SIGKILL);
  EXPECT_EQ(run->exit_code, -1);
  Status st = CheckSubprocess(Shell("kill -9 $$"), {}, *run);
  EXPECT_TRUE(st.IsIOError());
  EXPECT_NE(st.message().find("killed by signal 9"), std::string::npos) << st.message();
}

TEST(SubprocessTest, MissingProgramIsASpawnError) {
  auto run = RunSubprocess({"edgepipe-no-such-program-xyz"});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->spawn_error, ENOENT);
  auto out = RunSubprocessForOutput({"/nonexistent/bin/tool", "--flag"});
  ASSERT_TRUE(out.status().IsIOError());
  EXPECT_NE(out.status().message().find("cannot run '/nonexistent/bin/tool --flag'"), std::string::npos)
      << out.status().message();
}

TEST(SubprocessTest, EmptyCommandIsInvalid) {
  EXPECT_TRUE(RunSubprocess({}).status().IsInvalidArgument());
  EXPECT_TRUE(RunSubprocess({""}).status().IsInvalidArgument());
}

TEST(SubprocessTest, TimeoutKillsTheProcessGroup) {
  const auto start = std::chrono::steady_clock::now();
  // The background sleep holds the pipes open too: only a group kill ends it.
  const auto argv = Shell("sleep 30 & echo $!; sleep 30");
  auto run = RunSubprocess(argv, WithTimeout(0.5));
  ASSERT_TRUE(run.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(run->timed_out);
  EXPECT_EQ(run->term_signal, SIGKILL);
  const pid_t background = std::stoi(run->stdout_text);
  bool dead = false;
  for (int attempt = 0; attempt < 200 && !dead; ++attempt) {
    dead = ProcessIsDead(background);
    if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(dead) << "background sleep " << background << " outlived the timeout";
  Status st = CheckSubprocess(argv, WithTimeout(0.5), *run);
  EXPECT_TRUE(st.IsIOError());
  EXPECT_NE(st.message().find("timed out after 0.5 s"), std::string::npos) << st.message();
}

TEST(SubprocessTest, ProcessGroupIsOwnByDefaultOursOnRequest) {
  // Field 5 of /proc/self/stat is the process group.
  const auto child_pgid = [](bool own) {
    SubprocessOptions options;
    options.own_process_group = own;
    auto out = RunSubprocessForOutput(Shell("cut -d' ' -f5 /proc/self/stat"), options);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? std::stol(*out) : -1L;
  };
  EXPECT_NE(child_pgid(true), static_cast<long>(::getpgrp()));
  EXPECT_EQ(child_pgid(false), static_cast<long>(::getpgrp()));
}

TEST(SubprocessTest, TimeoutAlsoAppliesAfterThePipesClose) {
  const auto start = std::chrono::steady_clock::now();
  auto run = RunSubprocess(Shell("exec >/dev/null 2>&1; sleep 30"), WithTimeout(0.3));
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(SubprocessTest, EnvironmentWorkingDirAndStderrLines) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  SubprocessOptions options;
  options.env = {{"SUBPROCESS_TEST_VAR", "hello"}};
  options.working_dir = dir.string();
  std::vector<std::string> progress;
  options.on_stderr_line = [&](std::string_view line) {
    if (line.substr(0, 9) != "progress ") return false;
    progress.emplace_back(line.substr(9));
    return true;
  };
  auto run = RunSubprocess(Shell("echo \"$SUBPROCESS_TEST_VAR\"; pwd; echo 'progress 1/2' >&2; "
                                 "printf 'kept' >&2"),
                           options);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 0);
  const size_t nl = run->stdout_text.find('\n');
  EXPECT_EQ(run->stdout_text.substr(0, nl), "hello");
  EXPECT_EQ(std::filesystem::canonical(run->stdout_text.substr(nl + 1, run->stdout_text.size() - nl - 2)),
            std::filesystem::canonical(dir));
  EXPECT_EQ(progress, std::vector<std::string>{"1/2"});
  EXPECT_EQ(run->stderr_text, "kept\n");
}

TEST(SubprocessTest, StdoutBeyondTheLimitIsAFailure) {
  SubprocessOptions options;
  options.max_stdout_bytes = 10;
  auto run = RunSubprocess(Shell("echo 0123456789abcdef"), options);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->stdout_truncated);
  EXPECT_FALSE(run->ok());
  EXPECT_NE(CheckSubprocess({"sh"}, options, *run).message().find("more than 10 bytes"), std::string::npos);
}

}  // namespace
}  // namespace edgepipe
