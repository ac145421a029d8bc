#!/usr/bin/env bash
# Builds the native bridge next to a published `ecg` against the libtorch of this machine.
#   Torch_DIR=/path/to/share/cmake/Torch ./build-native.sh
# With PyTorch installed (e.g. a CUDA wheel), Torch_DIR defaults to its bundled libtorch.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${Torch_DIR:-}" ] && command -v python3 >/dev/null 2>&1; then
  Torch_DIR="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "share", "cmake", "Torch"))' 2>/dev/null || true)"
fi
args=(-S "$HERE/native" -B "$HERE/native/build" -DCMAKE_BUILD_TYPE=Release)
[ -n "${Torch_DIR:-}" ] && args+=(-DTorch_DIR="$Torch_DIR")
cmake "${args[@]}"
cmake --build "$HERE/native/build" -j"$(nproc)"
cp "$HERE/native/build/libecgtorch.so" "$HERE/"
echo "built $HERE/libecgtorch.so against ${Torch_DIR:-the default libtorch}"
