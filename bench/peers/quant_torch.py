#!/usr/bin/python3
"""PyTorch peer of `edgepipe bench quant` (and the INT8 interop test).

  quant_torch.py export --dir D [--seed 0]
      writes D/tinynet.onnx and D/biggernet.onnx (scripts/models/export.py weights)
  quant_torch.py bench --model tinynet|biggernet --batches 1,32 --threads 1,2
                 --runs 200 --warmup 20 [--engines fp32,qnnpack,onednn] [--seed 0] [--dir D]
  quant_torch.py run --model M --engine fp32|qnnpack|onednn --input x.npy --out y.npy [--seed 0]

Dynamic INT8 is torch.ao.quantization.quantize_dynamic on nn.Linear with
per-channel s8 weights (per_channel_dynamic_qconfig), the same weights as
the ONNX files (same seed). Timing: time.perf_counter around model(x) under
torch.inference_mode(), so each sample includes Python's call overhead
(~2-5 us). Debian's torch runs FP32 Linear on the reference BLAS.
stdout: one JSON object; stderr: "progress ..." lines. Exit 3: torch missing.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

# torch logs a qnnpack reduce_range warning through glog on every call;
# printing it inside the timed loop would be measured too.
os.environ.setdefault("GLOG_minloglevel", "2")

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT_PY = os.path.join(HERE, "..", "..", "scripts", "models", "export.py")


def load_export():
    spec = importlib.util.spec_from_file_location("edgepipe_export", EXPORT_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(torch, name, seed):
    torch.manual_seed(seed)
    model, shape = load_export().build(name, torch)
    model.eval()
    return model, shape


def quantize(torch, model, engine):
    if engine == "fp32":
        return model, "fp32"
    torch.backends.quantized.engine = engine
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
    try:
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8), "per-channel"
    except Exception:  # an engine without per-channel dynamic Linear
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8), "per-tensor"


def state_dict_bytes(torch, model, path):
    torch.save(model.state_dict(), path)
    size = os.path.getsize(path)
    os.remove(path)
    return size


def blas_in_use(torch):
    """The BLAS actually loaded: torch's build config says "generic" even when
    LD_LIBRARY_PATH puts OpenBLAS's libblas.so.3 first, so read the maps."""
    with open("/proc/self/maps") as f:
        maps = f.read()
    if "libopenblas" in maps:
        return "OpenBLAS (" + next(l.split()[-1] for l in maps.splitlines() if "libopenblas" in l) + ")"
    if "BLAS_INFO=generic" in torch.__config__.show():
        return "generic (Debian reference BLAS)"
    return "see torch.__config__.show()"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["export", "bench", "run"])
    p.add_argument("--model", default="tinynet")
    p.add_argument("--dir", default="/tmp")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batches", default="1,32")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--engines", default="fp32,qnnpack,onednn")
    p.add_argument("--engine", default="fp32")
    p.add_argument("--input")
    p.add_argument("--out")
    a = p.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as e:
        sys.stderr.write(f"quant_torch.py: error: {e} (install python3-torch python3-numpy)\n")
        sys.exit(3)

    if a.mode == "export":
        exp = load_export()
        files = {}
        for name in ("tinynet", "biggernet"):
            torch.manual_seed(a.seed)
            model, shape = exp.build(name, torch)
            model.eval()
            path = os.path.join(a.dir, f"{name}.onnx")
            with torch.no_grad():
                torch.onnx.export(model, torch.randn(*shape), path, opset_version=13, input_names=["input"],
                                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                                  do_constant_folding=True)
            files[name] = path
        print(json.dumps({"files": files}))
        return

    if a.mode == "run":
        model, _ = build(torch, a.model, a.seed)
        q, granularity = quantize(torch, model, a.engine)
        x = torch.from_numpy(np.load(a.input).astype(np.float32))
        with torch.inference_mode():
            y = q(x).numpy()
        np.save(a.out, y)
        print(json.dumps({"engine": a.engine, "granularity": granularity, "shape": list(y.shape)}))
        return

    model, shape = build(torch, a.model, a.seed)
    out = {"engine": "pytorch", "version": torch.__version__, "supported_engines": torch.backends.quantized.supported_engines,
           "blas": blas_in_use(torch),
           "results": [], "sizes": {}}
    out["sizes"]["fp32"] = state_dict_bytes(torch, model, os.path.join(a.dir, f"{a.model}_fp32.pt"))
    engines = [e for e in a.engines.split(",") if e]
    for engine in engines:
        if engine != "fp32" and engine not in torch.backends.quantized.supported_engines:
            out["results"].append({"engine": engine, "error": "engine not supported by this torch"})
            continue
        q, granularity = quantize(torch, model, engine)
        if engine != "fp32":
            out["sizes"][engine] = state_dict_bytes(torch, q, os.path.join(a.dir, f"{a.model}_{engine}.pt"))
        for threads in [int(t) for t in a.threads.split(",")]:
            torch.set_num_threads(threads)
            for batch in [int(b) for b in a.batches.split(",")]:
                x = torch.randn(batch, shape[1])
                with torch.inference_mode():
                    for _ in range(a.warmup):
                        q(x)
                    samples = []
                    for _ in range(a.runs):
                        t0 = time.perf_counter()
                        q(x)
                        samples.append(time.perf_counter() - t0)
                out["results"].append({"engine": engine, "granularity": granularity, "batch": batch,
                                       "threads": threads, "seconds": samples})
                sys.stderr.write(f"progress {a.model} {engine} b{batch} t{threads}\n")
                sys.stderr.flush()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
