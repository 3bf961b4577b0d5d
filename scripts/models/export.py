#!/usr/bin/python3
"""Export edgepipe's model zoo from PyTorch to ONNX (fixed-seed weights).

  /usr/bin/python3 scripts/models/export.py tinynet|biggernet|mobilenetv2 --out X.onnx [--opset 13]

TinyNet   = Linear(128,64)-ReLU-Linear(64,10), input [N,128]
BiggerNet = Linear(1024,1024)-ReLU-Linear(1024,1024)-ReLU-Linear(1024,10), input [N,1024]
MobileNetV2 = torchvision.models.mobilenet_v2 (random init, no download), input [N,3,224,224]

The batch dimension is dynamic ("batch"). Weights come from torch.manual_seed
(--seed, default 0), so the same command always writes the same weights.
Exit code 3 when torch/torchvision/onnx are missing (message names the
Debian package).
"""
import argparse
import sys

MODELS = ("tinynet", "biggernet", "mobilenetv2")


def fail_missing(module, package):
    sys.stderr.write(
        f"export.py: cannot import {module}: install the Debian package {package} "
        f"(sudo apt-get install {package})\n")
    sys.exit(3)


def build(name, torch):
    nn = torch.nn
    if name == "tinynet":
        return nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)), (1, 128)
    if name == "biggernet":
        return nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10)), (1, 1024)
    try:
        import torchvision
    except ImportError:
        fail_missing("torchvision", "python3-torchvision")
    model = torchvision.models.mobilenet_v2(weights=None)
    # Random init leaves BatchNorm at mean 0 / var 1; give it non-trivial
    # running statistics so BN folding is exercised numerically.
    gen = torch.Generator().manual_seed(1234)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)
    return model, (1, 3, 224, 224)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", choices=MODELS)
    p.add_argument("--out", required=True)
    p.add_argument("--opset", type=int, default=13, choices=range(13, 18))
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    try:
        import torch
    except ImportError:
        fail_missing("torch", "python3-torch")
    try:
        import onnx  # noqa: F401  (torch.onnx.export needs it for checking)
    except ImportError:
        fail_missing("onnx", "python3-onnx")
    torch.manual_seed(args.seed)
    model, shape = build(args.model, torch)
    model.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        torch.onnx.export(model, x, args.out, opset_version=args.opset, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          do_constant_folding=True)
    print(f"wrote {args.out} ({args.model}, opset {args.opset}, seed {args.seed})")


if __name__ == "__main__":
    main()
