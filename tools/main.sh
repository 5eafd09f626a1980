#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, and run the baseline
# scenario of the five complexes, writing results/baseline.h5 and printing the KPI table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p results
./build/release/cli/sandan run scenarios/baseline.yaml -o results/baseline.h5
