#!/usr/bin/env bash
# Start-up benchmark: shared libraries loaded (ldd) and the wall time of `sandan --version`,
# `sandan powerflow` (case14), `sandan assign` (Sioux Falls) and a failing `sandan inspect` (handed to
# sandan-full) for one or more sandan programs, side by
# side: each round runs every command once with each program, alternating, and the mean of N rounds is
# printed in milliseconds. Run from the repository root after a release build:
#   bench/start_bench.sh [N] [SANDAN...]   (defaults: 50, build/release/cli/sandan)
# e.g. bench/start_bench.sh 50 OLD_BUILD/cli/sandan build/release/cli/sandan (an older build against this one)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
shift || true
programs=("$@")
((${#programs[@]})) || programs=(build/release/cli/sandan)
# The last is a subcommand sandan hands to sandan-full: what the exec costs (it fails at once, exit 2).
commands=("--version"
  "powerflow tests/validation/data/powerflow/case14"
  "assign tests/validation/data/tntp/SiouxFalls -j 1"
  "inspect no-such-layout.gpkg")
for p in "${programs[@]}"; do
  echo "$p: $(ldd "$p" | wc -l) shared libraries (ldd lines)"
done
declare -A total
for ((r = 0; r < n; ++r)); do
  for c in "${!commands[@]}"; do
    for p in "${!programs[@]}"; do
      start=$(date +%s%N)
      # shellcheck disable=SC2086
      "${programs[$p]}" ${commands[$c]} >/dev/null 2>&1 || true
      end=$(date +%s%N)
      total[$c,$p]=$((${total[$c,$p]:-0} + end - start))
    done
  done
done
printf '%-50s' "mean wall ms of $n starts"
for p in "${programs[@]}"; do printf ' %28s' "$(basename "$(dirname "$p")")/$(basename "$p")"; done
echo
for c in "${!commands[@]}"; do
  printf '%-50s' "${commands[$c]}"
  for p in "${!programs[@]}"; do
    awk -v t="${total[$c,$p]}" -v n="$n" 'BEGIN { printf " %28.1f", t / n / 1e6 }'
  done
  echo
done
