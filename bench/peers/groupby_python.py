#!/usr/bin/python3
"""Python peers of `edgepipe bench groupby` (docs/benchmarks.md).

  groupby_python.py --engine dict|numpy|pandas|torch --dir D --rows N --keys K
                    [--runs 5] [--warmup 1] [--threads T] [--prefix M]

Reads D/keys.i64 (int64) and D/values.f64 (float64), raw little-endian,
written by edgepipe, and times the mean of the values per key:
  dict    a CPython loop: sums and counts in dicts (the seed's baseline), on
          the first --prefix rows of Python lists (the harness scales it)
  numpy   np.bincount(k, weights=v, minlength=K) / np.bincount(k, minlength=K)
  pandas  DataFrame({'k','v'}).groupby('k', sort=False)['v'].mean()
  torch   zeros(K).index_add_(0, k, v) / bincount(k, minlength=K)
Loading and building the inputs is untimed; each run is timed on its own
with time.perf_counter. stdout: one JSON object; stderr: "progress ..."
lines. Exit 3 when the engine's module is missing, 1 on usage errors.
"""
import argparse
import gc
import json
import math
import platform
import sys
import time


def fail(msg, code=1):
    sys.stderr.write(f"groupby_python.py: error: {msg}\n")
    sys.exit(code)


def load(name):
    try:
        return __import__(name)
    except ImportError as e:
        fail(f"cannot import {name} ({e}); Debian: apt install python3-{'torch' if name == 'torch' else name}", 3)


def measure(fn, runs, warmup):
    out = None
    for _ in range(warmup):
        out = fn()
        del out
        gc.collect()
    if warmup:
        sys.stderr.write("progress group_by_mean warmup\n")
    seconds = []
    for i in range(runs):
        t0 = time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - t0)
        sys.stderr.write(f"progress group_by_mean {i + 1}/{runs}\n")
        sys.stderr.flush()
        if i + 1 < runs:
            del out
            gc.collect()
    return seconds, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", required=True, choices=["dict", "numpy", "pandas", "torch"])
    p.add_argument("--dir", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--keys", type=int, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--prefix", type=int, default=None)
    a = p.parse_args()
    if a.runs < 1 or a.warmup < 0 or a.rows < 1 or a.keys < 1:
        fail("--runs, --rows, --keys must be >= 1 and --warmup >= 0")
    np = load("numpy")  # every engine reads the arrays with NumPy
    try:
        k = np.fromfile(f"{a.dir}/keys.i64", dtype="<i8")
        v = np.fromfile(f"{a.dir}/values.f64", dtype="<f8")
    except OSError as e:
        fail(str(e))
    if len(k) != a.rows or len(v) != a.rows:
        fail(f"expected {a.rows} rows, the files hold {len(k)} keys and {len(v)} values")
    K = a.keys
    doc = {"engine": a.engine, "runtime": f"Python {platform.python_version()}", "threads": a.threads}
    entry = {}
    if a.engine == "dict":
        m = min(a.prefix or a.rows, a.rows)
        kl, vl = k[:m].tolist(), v[:m].tolist()

        def run():
            sums, counts = {}, {}
            for key, val in zip(kl, vl):
                sums[key] = sums.get(key, 0.0) + val
                counts[key] = counts.get(key, 0) + 1
            return {key: sums[key] / counts[key] for key in sums}

        seconds, out = measure(run, a.runs, a.warmup)
        doc["version"] = platform.python_version()
        entry = {"seconds": seconds, "rows": m, "groups": len(out)}
    elif a.engine == "numpy":
        doc["version"] = np.__version__

        def run():
            return np.bincount(k, weights=v, minlength=K) / np.bincount(k, minlength=K)

        with np.errstate(invalid="ignore", divide="ignore"):
            seconds, out = measure(run, a.runs, a.warmup)
        present = ~np.isnan(out)
        entry = {"seconds": seconds, "rows": a.rows, "groups": int(present.sum()), "check": float(out[present].sum())}
    elif a.engine == "pandas":
        pd = load("pandas")
        doc["version"] = pd.__version__
        df = pd.DataFrame({"k": k, "v": v})
        seconds, out = measure(lambda: df.groupby("k", sort=False)["v"].mean(), a.runs, a.warmup)
        entry = {"seconds": seconds, "rows": a.rows, "groups": int(len(out)), "check": float(out.sum())}
    else:
        torch = load("torch")
        doc["version"] = torch.__version__
        if a.threads:
            torch.set_num_threads(a.threads)
        doc["threads"] = torch.get_num_threads()
        kt, vt = torch.from_numpy(k), torch.from_numpy(v)

        def run():
            s = torch.zeros(K, dtype=torch.float64).index_add_(0, kt, vt)
            return s / torch.bincount(kt, minlength=K)

        seconds, out = measure(run, a.runs, a.warmup)
        present = ~torch.isnan(out)
        entry = {"seconds": seconds, "rows": a.rows, "groups": int(present.sum()), "check": float(out[present].sum())}
    doc["operations"] = {"group_by_mean": entry}
    sys.stdout.write(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main()
