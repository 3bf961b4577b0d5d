#!/usr/bin/python3
"""pandas peer of the io rows of `edgepipe report` (the seed's final table).

  io_pandas.py --csv FILE --dir DIR [--runs 5] [--warmup 1]

Times, each warmed up then run N times (time.perf_counter):
  csv_read            pd.read_csv(FILE) (default inference)
  parquet_write_zstd  df.to_parquet(DIR/pandas.zstd.parquet, compression='zstd')
  parquet_read_zstd   pd.read_parquet of that file
  group_by_mean       df.groupby('sensor_id')[ax..gz].mean()
pandas 1.5 writes and reads Parquet only through pyarrow or fastparquet;
without either the Parquet entries say "no Parquet engine".
stdout: one JSON object (bench/peers/bench_common.mjs protocol); stderr:
"progress ..." lines. Exit 3 when pandas is missing.
"""
import argparse
import gc
import importlib.util
import json
import os
import platform
import sys
import time

MEAN_COLUMNS = ["ax", "ay", "az", "gx", "gy", "gz"]


def measure(op, fn, runs, warmup):
    for _ in range(warmup):
        fn()
        gc.collect()
    if warmup:
        sys.stderr.write(f"progress {op} warmup\n")
    seconds, out = [], None
    for i in range(runs):
        t0 = time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - t0)
        sys.stderr.write(f"progress {op} {i + 1}/{runs}\n")
        sys.stderr.flush()
        if i + 1 < runs:
            out = None
            gc.collect()
    return seconds, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    a = p.parse_args()
    try:
        import pandas as pd
    except ImportError as e:
        sys.stderr.write(f"io_pandas.py: error: cannot import pandas ({e}); Debian: apt install python3-pandas\n")
        sys.exit(3)
    engine = next((m for m in ("pyarrow", "fastparquet") if importlib.util.find_spec(m) is not None), None)
    doc = {"engine": "pandas", "version": pd.__version__, "runtime": f"Python {platform.python_version()}",
           "parquet_engine": engine, "operations": {}}
    ops = doc["operations"]
    seconds, df = measure("csv_read", lambda: pd.read_csv(a.csv), a.runs, a.warmup)
    ops["csv_read"] = {"seconds": seconds, "rows": int(len(df))}
    path = os.path.join(a.dir, "pandas.zstd.parquet")
    if engine is None:
        ops["parquet_write_zstd"] = {"error": "no Parquet engine (pyarrow/fastparquet not installed)"}
        ops["parquet_read_zstd"] = {"error": "no Parquet engine (pyarrow/fastparquet not installed)"}
    else:
        try:
            seconds, _ = measure("parquet_write_zstd", lambda: df.to_parquet(path, compression="zstd"), a.runs, a.warmup)
            ops["parquet_write_zstd"] = {"seconds": seconds, "bytes": os.path.getsize(path), "file": path}
            seconds, back = measure("parquet_read_zstd", lambda: pd.read_parquet(path), a.runs, a.warmup)
            ops["parquet_read_zstd"] = {"seconds": seconds, "rows": int(len(back))}
        except Exception as e:  # an engine without zstd, ...
            ops.setdefault("parquet_write_zstd", {"error": str(e)})
            ops.setdefault("parquet_read_zstd", {"error": str(e)})
    seconds, g = measure("group_by_mean", lambda: df.groupby("sensor_id")[MEAN_COLUMNS].mean(), a.runs, a.warmup)
    ops["group_by_mean"] = {"seconds": seconds, "groups": int(len(g)), "check": float(g.to_numpy().sum())}
    sys.stdout.write(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main()
