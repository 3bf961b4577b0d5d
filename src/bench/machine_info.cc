#include "edgepipe/bench/machine_info.h"

#include <fmt/core.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "edgepipe/core/parallel.h"
#include "hwy/targets.h"

#ifndef EDGEPIPE_VERSION
#define EDGEPIPE_VERSION "unknown"
#endif
#ifndef EDGEPIPE_BUILD_TYPE
#define EDGEPIPE_BUILD_TYPE "unknown"
#endif

namespace edgepipe::bench {

namespace {

// Value after the first "key<spaces>:" line of a /proc file, trimmed.
std::string ProcField(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    // Only whitespace may sit between the key and the colon ("model name\t: ").
    if (line.find_first_not_of(" \t", key.size()) != colon) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    return value;
  }
  return "";
}

}  // namespace

MachineInfo GetMachineInfo() {
  MachineInfo m;
  m.cpu_model = ProcField("/proc/cpuinfo", "model name");
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  m.logical_cores = cpus > 0 ? static_cast<int>(cpus) : 0;
  const std::string mem = ProcField("/proc/meminfo", "MemTotal");  // "24000000 kB"
  if (!mem.empty()) m.memory_bytes = std::atoll(mem.c_str()) * 1024;
  struct utsname uts;
  if (::uname(&uts) == 0) m.kernel = fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine);

  // What HWY_DYNAMIC_DISPATCH picks: the best (lowest bit) target that is both
  // compiled in (HWY_TARGETS, same flags as the kernels) and supported.
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) m.simd_targets.push_back(hwy::TargetName(target));
  m.simd_target = m.simd_targets.empty() ? "none" : m.simd_targets.front();

  double loads[1];
  if (::getloadavg(loads, 1) == 1) m.load_average = loads[0];

  std::istringstream flags(ProcField("/proc/cpuinfo", "flags"));
  const char* kInteresting[] = {"sse4_2", "avx", "avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512vl",
                                "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "sha_ni"};
  std::string flag;
  while (flags >> flag) {
    for (const char* want : kInteresting) {
      if (flag == want) m.cpu_flags.push_back(flag);
    }
  }
  return m;
}

BuildInfo GetBuildInfo() {
  BuildInfo b;
  b.edgepipe_version = EDGEPIPE_VERSION;
#if defined(__clang__)
  b.compiler = fmt::format("Clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  b.compiler = fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  b.compiler = "unknown";
#endif
  b.build_type = EDGEPIPE_BUILD_TYPE;
#ifdef NDEBUG
  b.ndebug = true;
#endif
#ifdef __OPTIMIZE__
  b.optimized = true;
#endif
  b.threads = GetNumThreads();
  return b;
}

std::vector<std::string> BuildWarnings(const BuildInfo& build) {
  std::vector<std::string> out;
  if (!build.optimized) {
    out.push_back("WARNING: edgepipe was built WITHOUT OPTIMIZATION (build type '" + build.build_type +
                  "'): its timings are meaningless. Configure with -DCMAKE_BUILD_TYPE=Release.");
  }
  if (!build.ndebug) {
    out.push_back("WARNING: edgepipe was built without NDEBUG (assertions on, build type '" + build.build_type +
                  "'): its timings are not representative. Configure with -DCMAKE_BUILD_TYPE=Release.");
  }
  return out;
}

std::vector<std::string> MachineWarnings(const MachineInfo& m) {
  std::vector<std::string> out;
  if (m.logical_cores > 0 && m.load_average > 0.5 * m.logical_cores) {
    out.push_back(fmt::format("WARNING: the machine was busy (load average {:.1f} on {} cores) when the benchmark "
                              "started: timings are noisy; rerun on an idle machine.",
                              m.load_average, m.logical_cores));
  }
  return out;
}

std::string MachineSummary(const MachineInfo& m) {
  std::string flags;
  for (const auto& f : m.cpu_flags) flags += (flags.empty() ? "" : " ") + f;
  return fmt::format("{}, {} logical cores, {:.1f} GiB RAM, {}, Highway target {}{}, load average {:.2f}", m.cpu_model, m.logical_cores,
                     static_cast<double>(m.memory_bytes) / (1 << 30), m.kernel, m.simd_target,
                     flags.empty() ? "" : " (CPU flags: " + flags + ")", m.load_average);
}

std::string BuildSummary(const BuildInfo& b) {
  return fmt::format("edgepipe {}, {}, build type {}, {}{}, {} thread{}", b.edgepipe_version, b.compiler,
                     b.build_type, b.optimized ? "optimized" : "NOT optimized",
                     b.ndebug ? "" : ", assertions on", b.threads, b.threads == 1 ? "" : "s");
}

nlohmann::json ToJson(const MachineInfo& m) {
  return {{"cpu_model", m.cpu_model},       {"logical_cores", m.logical_cores}, {"memory_bytes", m.memory_bytes},
          {"kernel", m.kernel},             {"simd_target", m.simd_target},     {"simd_targets", m.simd_targets},
          {"cpu_flags", m.cpu_flags},       {"load_average", m.load_average}};
}

nlohmann::json ToJson(const BuildInfo& b) {
  return {{"edgepipe_version", b.edgepipe_version}, {"compiler", b.compiler}, {"build_type", b.build_type},
          {"ndebug", b.ndebug}, {"optimized", b.optimized}, {"threads", b.threads}};
}

}  // namespace edgepipe::bench
