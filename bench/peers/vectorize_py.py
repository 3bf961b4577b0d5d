#!/usr/bin/python3
"""`edgepipe bench vectorize` peer: times out = a * b with NumPy, PyTorch,
pandas or a pure Python loop (--engine).

Protocol (src/bench/peer_runner.cc, bench/peers/bench_common.mjs): one JSON
object on stdout, {"engine", "version", "threads", "details",
"operations": {op: {"seconds": [...], "check": sum of the output} |
{"error": ...}}}; "progress <op> <done>/<runs>" lines on stderr; exit 3
when the engine cannot be imported.

Inputs (identical in every engine): a[i] = 0.5 + ((i*2654435761 + 12345)
mod 2^32) / 2^32, b[i] = 0.5 + ((i*2246822519 + 67890) mod 2^32) / 2^32;
float32 rounds those doubles. Generated untimed.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are removed from the environment
before NumPy loads (OpenBLAS reads them when its library loads): set on
this class of machine, they slow NumPy.
"""
import argparse
import json
import os
import sys
import time

EXIT_NOT_INSTALLED = 3
removed_env = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(k, None) is not None]


def fail(message, code=1):
    sys.stderr.write(f"vectorize_py.py: error: {message}\n")
    sys.exit(code)


def progress(op, text):
    sys.stderr.write(f"progress {op} {text}\n")
    sys.stderr.flush()


def measure(op, fn, warmup, runs, after=None):
    """warmup untimed runs, then runs timed each on its own."""
    for _ in range(warmup):
        out = fn()
        if after:
            after(out)
        del out
    if warmup:
        progress(op, "warmup")
    seconds = []
    last = None
    for i in range(runs):
        t0 = time.perf_counter()
        out = fn()
        t1 = time.perf_counter()
        seconds.append(t1 - t0)
        progress(op, f"{i + 1}/{runs}")
        if i + 1 == runs:
            last = out
        elif after:
            after(out)
        del out
    return seconds, last


def inputs_numpy(np, n, dtype):
    i = np.arange(n, dtype=np.uint64)
    a = 0.5 + ((i * np.uint64(2654435761) + np.uint64(12345)) & np.uint64(0xFFFFFFFF)).astype(np.float64) / 4294967296.0
    b = 0.5 + ((i * np.uint64(2246822519) + np.uint64(67890)) & np.uint64(0xFFFFFFFF)).astype(np.float64) / 4294967296.0
    del i
    if dtype == "f32":
        a = a.astype(np.float32)
        b = b.astype(np.float32)
    return a, b


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", required=True, choices=["numpy", "torch", "pandas", "python"])
    p.add_argument("--n", type=int, default=50_000_000)
    p.add_argument("--dtype", choices=["f64", "f32"], default="f64")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="0 = the engine's default")
    p.add_argument("--prefix", type=int, default=1_000_000, help="values the Python loop runs on")
    args = p.parse_args()
    if args.n < 1 or args.runs < 1 or args.warmup < 0 or args.prefix < 1:
        fail("--n, --runs, --prefix must be >= 1 and --warmup >= 0")

    doc = {"engine": args.engine, "operations": {}, "details": {"python": sys.version.split()[0],
                                                                 "removed_env": removed_env}}
    try:
        import numpy as np
    except ImportError as e:
        fail(f"cannot import numpy: {e}", EXIT_NOT_INSTALLED)
    doc["details"]["numpy"] = np.__version__
    n, w, r = args.n, args.warmup, args.runs

    if args.engine == "python":
        m = min(n, args.prefix)
        a_np, b_np = inputs_numpy(np, m, args.dtype)
        if args.dtype == "f32":
            # Python floats are doubles; the f32 inputs are their float32 values.
            a_np, b_np = a_np.astype(np.float64), b_np.astype(np.float64)
        a, b = a_np.tolist(), b_np.tolist()
        out = [0.0] * m

        def loop():
            for i in range(m):
                out[i] = a[i] * b[i]
            return out

        seconds, last = measure("multiply_out", loop, w, r)
        scale = n / m
        check = float(np.asarray(last, dtype=np.float64).astype(np.float32 if args.dtype == "f32" else np.float64)
                      .astype(np.float64).sum())
        doc["version"] = sys.version.split()[0]
        doc["threads"] = 1
        doc["operations"]["multiply_out"] = {
            "seconds": [s * scale for s in seconds], "check": check, "check_is_prefix": True,
            "note": f"timed on a {m:,}-value prefix, scaled x{scale:g}"}
        print(json.dumps(doc))
        return

    a, b = inputs_numpy(np, n, args.dtype)
    if args.engine == "numpy":
        doc["version"] = np.__version__
        doc["threads"] = 1  # NumPy ufuncs run on one thread
        out = np.empty_like(a)
        seconds, last = measure("multiply_out", lambda: np.multiply(a, b, out=out), w, r)
        doc["operations"]["multiply_out"] = {"seconds": seconds, "check": float(last.sum(dtype=np.float64))}
        del last
        seconds, last = measure("multiply_alloc", lambda: a * b, w, r)
        doc["operations"]["multiply_alloc"] = {"seconds": seconds, "check": float(last.sum(dtype=np.float64))}
    elif args.engine == "torch":
        try:
            import torch
        except ImportError as e:
            fail(f"cannot import torch: {e}", EXIT_NOT_INSTALLED)
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        doc["version"] = torch.__version__
        doc["threads"] = torch.get_num_threads()
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        out = torch.empty_like(ta)
        seconds, last = measure("multiply_out", lambda: torch.mul(ta, tb, out=out), w, r)
        doc["operations"]["multiply_out"] = {"seconds": seconds, "check": float(last.sum(dtype=torch.float64))}
        del last
        seconds, last = measure("multiply_alloc", lambda: ta * tb, w, r)
        doc["operations"]["multiply_alloc"] = {"seconds": seconds, "check": float(last.sum(dtype=torch.float64))}
    else:
        try:
            import pandas as pd
        except ImportError as e:
            fail(f"cannot import pandas: {e}", EXIT_NOT_INSTALLED)
        doc["version"] = pd.__version__
        doc["threads"] = 1
        sa, sb = pd.Series(a, copy=False), pd.Series(b, copy=False)
        seconds, last = measure("multiply_alloc", lambda: sa * sb, w, r)
        doc["operations"]["multiply_alloc"] = {"seconds": seconds,
                                               "check": float(last.to_numpy().sum(dtype=np.float64))}
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
