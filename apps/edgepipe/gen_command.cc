// edgepipe gen imu: deterministic simulated IMU logs.

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "apps/edgepipe/output_flags.h"
#include "edgepipe/sensors/imu_simulator.h"

namespace edgepipe::cli {

namespace {
struct GenFlags {
  sensors::ImuSimOptions sim;
  std::string out;
  OutputFlags output;
};
}  // namespace

void AddGenCommand(CLI::App* app, RunFn* run) {
  auto* gen = app->add_subcommand("gen", "Generate synthetic data");
  gen->require_subcommand(1);
  auto* imu = gen->add_subcommand(
      "imu", "Simulated IMU log (timestamp, sensor_id, seq, ax..gz, temp_c): gravity through a slowly rotating "
             "attitude, per-sensor bias and MPU-6050-like noise; identical for the same --seed");
  auto flags = std::make_shared<GenFlags>();
  imu->add_option("--rows", flags->sim.rows, "Total rows over all sensors")->required()->check(CLI::NonNegativeNumber);
  imu->add_option("--sensors", flags->sim.sensors, "Number of sensors")->capture_default_str()->check(CLI::Range(1, 100000));
  imu->add_option("--rate", flags->sim.rate_hz, "Samples per second per sensor")->capture_default_str()->check(CLI::PositiveNumber);
  imu->add_option("--seed", flags->sim.seed, "Random seed")->capture_default_str();
  imu->add_option("--start-ns", flags->sim.start_ns, "First timestamp, ns since the Unix epoch")->capture_default_str();
  imu->add_option("--out,-o", flags->out, "Output file (.csv or .parquet)")->required();
  flags->output.Add(imu);
  imu->callback([run, flags] {
    *run = [flags]() -> Status {
      ASSIGN_OR_RETURN(OutputOptions options, flags->output.ToOptions());
      sensors::ImuSimulator sim(flags->sim);
      ASSIGN_OR_RETURN(auto writer, OpenOutput(flags->out, sim.schema(), options));
      ASSIGN_OR_RETURN(int64_t rows, CopyBatches(&sim, writer.get(), "gen"));
      if (!g_quiet) fmt::print(stderr, "wrote {} rows to {}\n", rows, flags->out);
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
