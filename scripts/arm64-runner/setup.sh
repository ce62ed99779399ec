#!/usr/bin/env bash
# Builds the emulated arm64 runner outside the repo (needs root for apt-get; ~20 s, ~120 MB).
#   scripts/arm64-runner/setup.sh [ROOT] [EDGE_CPU]
# ROOT defaults to $EDGEGATE_ARM64_ROOT, else /work/arm64-root. Uses ../shared/edge-runner's script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-${EDGEGATE_ARM64_ROOT:-/work/arm64-root}}
CPU=${2:-${EDGEGATE_ARM64_CPU:-cortex-a72}}
script="$here/../../../shared/edge-runner/setup-arm64-runner.sh"
[ -f "$script" ] || { echo "missing $script (../shared/edge-runner)" >&2; exit 2; }
bash "$script" "$ROOT" "$CPU"
