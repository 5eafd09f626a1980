#!/usr/bin/env bash
# Everything CI checks, on a fresh Debian 12 machine: install what is missing, check formatting and
# lint, build and test under AddressSanitizer/UBSan, run every parser's libFuzzer harness on its
# corpus and a fixed set of mutations (tools/fuzz.sh ci), then build and test the release build. The
# release ctest summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/format.sh --check

cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -j2

# The fuzz build (about 3.5 min of two cores), then every harness replays its corpus (the seeds and
# every input a fuzz run ever failed on) and tries a fixed number of mutations with a fixed seed
# (tools/fuzz.sh ci: about 4 minutes in all), under ASan + UBSan.
bash tools/fuzz.sh "${SANDAN_FUZZ_SECONDS:-ci}"

cmake --preset release >/dev/null
cmake --build --preset release
bash tools/lint.sh build/release
ctest --preset release -j2
