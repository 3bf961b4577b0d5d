#!/usr/bin/env bash
# Installs edgepipe's build and test dependencies: Debian 12 packages and the
# npm reference engines (package-lock.json). Idempotent: installs only what is
# missing. Works as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev libbrotli-dev
  libfast-float-dev libhwy-dev libtbb-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libdnnl-dev libonnx-dev libprotobuf-dev protobuf-compiler   # inference runtime (oneDNN, ONNX)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev            # libFuzzer + sanitizer runtimes
  python3-numpy python3-pandas python3-brotli  # reference implementations for tests and benchmarks
  python3-torch python3-torchvision python3-onnx  # model export (PyTorch -> ONNX) and PyTorch reference
  zstd gzip lz4                        # reference tools for the codec tests
)

# Node.js runs the reference engines (DuckDB, Polars, ONNX Runtime). A machine
# that already has node + npm (e.g. from nodesource) keeps them: Debian's
# npm package conflicts with those.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[deps] apt: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "[deps] apt: all ${#APT_PACKAGES[@]} packages present" >&2
fi

# npm: exact versions from package-lock.json. --ignore-scripts: the engines
# ship prebuilt binaries as platform packages, and onnxruntime-node's install
# script would try to download (no internet here). `npm install`, not `npm ci`:
# nodejs-polars 0.26.1 names platform packages that were never published, so
# `npm ci` calls the lock out of sync; `npm install` keeps it unchanged.
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[deps] npm install (locked versions)" >&2
    npm install --ignore-scripts --no-audit --no-fund >&2
  else
    echo "[deps] npm: node_modules up to date" >&2
  fi
fi

# OpenBLAS for the PyTorch FP32 peer only, unpacked into .deps/ rather than
# installed: installing libopenblas0 would make it the system's libblas.so.3
# (update-alternatives), and Debian's torch runs on the reference BLAS by
# default. `bench quant` runs one extra PyTorch FP32 column with
# LD_LIBRARY_PATH=.deps/openblas (docs/nn.md).
OPENBLAS_DIR=.deps/openblas
if [ ! -f "$OPENBLAS_DIR/libblas.so.3" ]; then
  echo "[deps] OpenBLAS (unpacked into $OPENBLAS_DIR, not installed)" >&2
  tmp=$(mktemp -d)
  multiarch=$(gcc -print-multiarch)
  # apt-get download writes to the current directory (as root it warns that
  # _apt cannot write there; harmless). Not fatal: without it the column
  # says "not installed".
  if (cd "$tmp" && apt-get download -qq libopenblas0-pthread 2>/dev/null && dpkg-deb -x libopenblas0-pthread_*.deb root); then
    mkdir -p "$OPENBLAS_DIR"
    cp -a "$tmp/root/usr/lib/$multiarch/openblas-pthread/." "$OPENBLAS_DIR"/
  else
    echo "[deps] warning: could not download libopenblas0-pthread; bench quant will skip PyTorch on OpenBLAS" >&2
  fi
  rm -rf "$tmp"
else
  echo "[deps] OpenBLAS: $OPENBLAS_DIR present" >&2
fi
