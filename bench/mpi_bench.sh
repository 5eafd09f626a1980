#!/usr/bin/env bash
# MPI batch benchmark: scenarios/sweep_pv_battery.yaml (30 runs of the five complexes' energy year and
# carbon account) end to end with `sandan run -o`, as 2 MPI ranks of 1 thread each
# (mpirun -n 2 sandan run ... -j 1) against 1 process of 2 threads (-j 2), alternating in one
# invocation for ROUNDS rounds. Prints each attempt's wall seconds, the medians and their ratio, and
# checks that the two results files hold the same runs and values. Run from the repository root after a
# release build: bench/mpi_bench.sh [ROUNDS] [build/release/cli/sandan]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
sandan=${2:-build/release/cli/sandan}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mpirun=(mpirun --oversubscribe -n 2)
[[ $(id -u) -eq 0 ]] && mpirun=(mpirun --allow-run-as-root --oversubscribe -n 2)
echo "sweep_pv_battery: 30 runs; $(nproc) core(s); $rounds rounds"
declare -a ranks threads
for ((r = 1; r <= rounds; ++r)); do
  start=$(date +%s.%N)
  "${mpirun[@]}" "$sandan" run scenarios/sweep_pv_battery.yaml -o "$out/ranks.h5" -j 1 >/dev/null 2>"$out/log"
  mid=$(date +%s.%N)
  "$sandan" run scenarios/sweep_pv_battery.yaml -o "$out/threads.h5" -j 2 >/dev/null 2>"$out/log"
  end=$(date +%s.%N)
  ranks+=("$(awk -v s="$start" -v e="$mid" 'BEGIN { printf "%.2f", e - s }')")
  threads+=("$(awk -v s="$mid" -v e="$end" 'BEGIN { printf "%.2f", e - s }')")
  echo "round $r: 2 ranks x 1 thread ${ranks[-1]} s, 1 rank x 2 threads ${threads[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_ranks=$(median "${ranks[@]}")
m_threads=$(median "${threads[@]}")
awk -v a="$m_ranks" -v b="$m_threads" 'BEGIN {
  printf "median: 2 ranks x 1 thread %.2f s (%.0f runs a minute), 1 rank x 2 threads %.2f s (%.0f runs a minute); ranks/threads %.3f\n",
         a, 30 * 60 / a, b, 30 * 60 / b, a / b }'
/usr/bin/python3 - "$out/ranks.h5" "$out/threads.h5" <<'PY'
import sys
import h5py
import numpy as np
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
same = a.keys() == b.keys() and all(
    np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a)
print("results files: " + ("identical datasets" if same else "DIFFERENT"))
sys.exit(0 if same else 1)
PY
