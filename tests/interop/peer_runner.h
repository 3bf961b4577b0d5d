#pragma once
// Runs the reference engines (DuckDB, Polars; Node scripts in
// tests/interop/peers/) from C++ tests and parses their canonical dumps.
// Format and installation: docs/interop.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgepipe/core/status.h"

namespace edgepipe::testing {

// Repository root: $EDGEPIPE_SOURCE_DIR (ctest sets it for every test), else
// the source directory this file was compiled from.
std::string SourceDir();

// True when `node` runs and both engines load from <repo>/node_modules
// (checked once per process by running peers/check_peers.mjs).
bool PeersAvailable();

// Why PeersAvailable() is false ("" when it is true), with the fix.
std::string PeersMissingReason();

// True when $EDGEPIPE_REQUIRE_PEERS is set to anything but "" or "0" (CI):
// then missing peers fail a test instead of skipping it.
bool PeersRequired();

// Runs argv (argv[0] searched on PATH) and returns its stdout. A failed
// start, a non-zero exit, a signal, or a run longer than `timeout_seconds`
// (which kills its process group) is IOError naming the command line, with
// the tail of its stderr (edgepipe/core/subprocess.h).
Result<std::string> RunProcess(const std::vector<std::string>& argv, int timeout_seconds = 600);

// The node binary: $EDGEPIPE_NODE, else `node` on PATH.
std::string NodeBinary();

// RunProcess of `node <repo>/tests/interop/peers/<args[0]> args[1..]`.
// args[0] must be a bare script name ("parquet_dump.mjs"): else InvalidArgument.
Result<std::string> RunPeer(const std::vector<std::string>& args, int timeout_seconds = 600);

// A canonical dump (docs/interop.md), cells kept as their text.
struct CanonicalTable {
  std::vector<std::string> names;
  std::vector<std::string> types;  // bool, int32, int64, float32, float64, string, timestamp_ns, ...
  std::vector<std::vector<std::string>> columns;  // column-major: columns[col][row]
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
};

// Parses a canonical dump. A missing header, an unknown type, a row whose cell
// count differs from the header's, or text not ending in '\n' is Corruption
// naming the line.
Result<CanonicalTable> ParseCanonical(std::string_view text);

// Canonical cells, for building expected dumps from C++ values.
std::string CanonicalFloat32(float value);    // 8 lowercase hex digits of the IEEE bits
std::string CanonicalFloat64(double value);   // 16 lowercase hex digits
std::string CanonicalString(std::string_view utf8);  // as JSON.stringify quotes it

}  // namespace edgepipe::testing

// At the top of a test that needs the engines: skips it when they are missing,
// or fails it when $EDGEPIPE_REQUIRE_PEERS is set. Needs <gtest/gtest.h>.
#define EDGEPIPE_SKIP_WITHOUT_PEERS()                                                    \
  do {                                                                                    \
    if (!::edgepipe::testing::PeersAvailable()) {                                         \
      if (::edgepipe::testing::PeersRequired()) {                                         \
        FAIL() << "EDGEPIPE_REQUIRE_PEERS is set but " << ::edgepipe::testing::PeersMissingReason(); \
      }                                                                                   \
      GTEST_SKIP() << ::edgepipe::testing::PeersMissingReason();                          \
    }                                                                                     \
  } while (0)
