#pragma once
// Facts printed at the top of every scenario benchmark: the machine (CPU,
// cores, memory, kernel, the SIMD target Highway dispatches to) and the
// build (compiler, build type, whether optimization is on). A benchmark of
// a debug build is meaningless, so BuildWarnings() says so loudly.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgepipe::bench {

struct MachineInfo {
  std::string cpu_model;       // /proc/cpuinfo "model name" ("unknown" if absent)
  int logical_cores = 0;       // online CPUs (sysconf)
  int64_t memory_bytes = 0;    // MemTotal from /proc/meminfo
  std::string kernel;          // uname: sysname release machine
  std::string simd_target;     // best Highway target compiled in and supported ("AVX3", "AVX2", ...)
  std::vector<std::string> simd_targets;  // every compiled-in target the CPU supports, best first
  std::vector<std::string> cpu_flags;     // selected ISA flags: avx2, avx512f, avx512_vnni, ...
  double load_average = 0;     // 1-minute load average when the facts were taken
};

struct BuildInfo {
  std::string edgepipe_version;  // project version
  std::string compiler;          // "GCC 12.2.0", "Clang 14.0.6"
  std::string build_type;        // CMAKE_BUILD_TYPE of the build
  bool ndebug = false;           // NDEBUG defined (assertions off)
  bool optimized = false;        // compiled with optimization (__OPTIMIZE__)
  int threads = 0;               // edgepipe's pool size (GetNumThreads)
};

MachineInfo GetMachineInfo();
BuildInfo GetBuildInfo();

// Empty for an optimized release build; otherwise lines like "WARNING: ...".
std::vector<std::string> BuildWarnings(const BuildInfo& build);
// A warning when other work was keeping the machine busy (1-minute load
// average above half the cores) as the benchmark started; empty otherwise.
std::vector<std::string> MachineWarnings(const MachineInfo& machine);

// "AMD EPYC, 2 logical cores, 23.4 GiB, Linux 6.1 x86_64, SIMD AVX3"
std::string MachineSummary(const MachineInfo& machine);
std::string BuildSummary(const BuildInfo& build);

nlohmann::json ToJson(const MachineInfo& machine);
nlohmann::json ToJson(const BuildInfo& build);

}  // namespace edgepipe::bench
