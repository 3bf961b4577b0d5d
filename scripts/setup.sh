#!/usr/bin/env bash
# README command 1: installs every dependency (apt + npm), builds edgepipe
# (Release), then runs the main job: a 1M-row IMU log generated, converted
# CSV -> Parquet, inspected and aggregated per sensor, then
# `edgepipe report --quick`, the seed's benchmark tables regenerated on this
# machine with the peers side by side (report/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
echo "== build (Release)" >&2
scripts/build.sh release
bin=build/bin/edgepipe
out=out/demo
mkdir -p "$out"
echo "== main job: gen -> convert -> inspect -> agg on 1,000,000 rows (files in $out/)" >&2
t() {  # runs a command and prints its wall time
  local start=$EPOCHREALTIME
  "$@"
  awk -v a="$start" -v b="$EPOCHREALTIME" -v c="${*:2}" 'BEGIN { printf "   %.3f s: %s\n", b - a, c }' >&2
}
t "$bin" gen imu --rows 1000000 --sensors 10 --rate 1000 --seed 42 --out "$out/imu.csv"
t "$bin" convert "$out/imu.csv" "$out/imu.parquet" --compression zstd
t "$bin" agg "$out/imu.parquet" --by sensor_id --count --mean ax,ay,az --out "$out/means.csv"
"$bin" inspect "$out/imu.parquet" > "$out/inspect.txt"
head -25 "$out/inspect.txt"
echo "== per-sensor means ($out/means.csv):" >&2
cat "$out/means.csv"
ls -l "$out"
echo "== edgepipe report --quick (the seed's tables at 1/10 size; the full run is: $bin report --out report/)" >&2
"$bin" report --quick --out report
echo "== report written: report/benchmarks.md (results.json, *.svg beside it)" >&2
