#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, and inspect the five
# complexes' layout (the baseline until `sandan run` exists).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
./build/release/cli/sandan inspect gis_data/incheon.gpkg
