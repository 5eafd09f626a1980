#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy on the engine, CLI, MPI and bindings sources, using the
# compile commands of the given build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
mapfile -t files < <(git ls-files -co --exclude-standard -- 'engine/*.cpp' 'cli/*.cpp' 'bindings/*.cpp' 'mpi/*.cpp')
# A build without MPI (SANDAN_MPI=OFF) has no compile commands for mpi/.
if ! grep -q '/mpi/batch_group.cpp' "$build/compile_commands.json"; then
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -v '^mpi/')
fi
printf '%s\n' "${files[@]}" | xargs -P 2 -n 4 clang-tidy -p "$build" --quiet 2>/dev/null
echo "lint: ${#files[@]} files clean" >&2
