#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset fuzz: clang, ASan + UBSan) and runs each for
# SECONDS_PER_TARGET seconds (default 20) on its seed corpus (fuzz/corpus/<target> and the large files
# of fuzz/large_seeds.sh). Fails on any crash, sanitizer report, leak, hang (-timeout) or memory blow-up
# (-rss_limit_mb); the input is then in build/fuzz/artifacts/. New inputs the fuzzer finds go to
# build/fuzz/corpus/<target>, which later runs start from. docs/reliability.md, "Fuzzing".
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (0 seconds: replay the corpora once)
#   tools/fuzz.sh ci [TARGET...]                        (as CI: replay, then a fixed number of mutations)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(scenario epw case tntp layout holidays tariff factors trip_rates archetypes calibration meter meter_map view
           background freight dynamic dnl_case results fuel_prices pv_prices grid_factor line_types complexes)
fi
# `ci`: every harness replays its corpus, then tries this many mutations with the fixed seed, so that
# each CI run tries about the same inputs (about 5-15 s a harness on two cores; the slow parsers get
# fewer). `results` only replays: mutations of its files reach memory errors inside libhdf5 1.10.8 on
# damaged object headers, which sandan cannot guard against (docs/reliability.md, "Fuzzing", open).
declare -A ci_mutations=([scenario]=3000 [epw]=200 [case]=1500 [tntp]=1000 [layout]=600 [holidays]=1500 [tariff]=3000
                         [factors]=3000 [trip_rates]=1200 [archetypes]=1000 [calibration]=4000 [meter]=300
                         [meter_map]=3000 [view]=5000 [background]=3000 [freight]=6000 [dynamic]=6000
                         [dnl_case]=4000 [results]=0 [fuel_prices]=3000 [pv_prices]=3000 [grid_factor]=1000
                         [line_types]=3000 [complexes]=2000)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
bash fuzz/large_seeds.sh build/fuzz/seeds

declare -A dict=([scenario]=yaml [tariff]=yaml [factors]=yaml [trip_rates]=yaml [archetypes]=yaml
                 [calibration]=yaml [meter_map]=yaml [epw]=epw [case]=csv [holidays]=csv [meter]=csv
                 [tntp]=tntp [layout]=geojson [view]=view [background]=yaml [freight]=yaml
                 [dynamic]=yaml [dnl_case]=csv [fuel_prices]=yaml [pv_prices]=yaml [grid_factor]=csv
                 [line_types]=csv [complexes]=yaml)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
mkdir -p build/fuzz/artifacts build/fuzz/logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t"
  # A fixed seed (SANDAN_FUZZ_SEED to change it) makes a CI run try the same inputs every time.
  # 0 seconds: replay every input of the corpora once (seeds and regression inputs), no mutation.
  # ci: the corpus's inputs (and libFuzzer's empty one) count among -runs, the mutations come after.
  if [[ $seconds == ci ]]; then
    inputs=0
    for d in "build/fuzz/corpus/$t" "fuzz/corpus/$t" "build/fuzz/seeds/$t"; do
      [[ -d $d ]] && inputs=$((inputs + $(find "$d" -type f | wc -l)))
    done
    budget=(-runs=$((inputs + 1 + ${ci_mutations[$t]:-1000})))
  elif ((seconds == 0)); then budget=(-runs=0); else budget=(-max_total_time="$seconds"); fi
  args=(-seed="${SANDAN_FUZZ_SEED:-1}" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="build/fuzz/artifacts/$t-")
  [[ -n ${dict[$t]:-} ]] && args+=(-dict="fuzz/dict/${dict[$t]}.dict")
  dirs=("build/fuzz/corpus/$t" "fuzz/corpus/$t")
  [[ -d build/fuzz/seeds/$t ]] && dirs+=("build/fuzz/seeds/$t")
  log=build/fuzz/logs/$t.log
  if "build/fuzz/fuzz/fuzz_$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    printf 'fuzz: %-12s %10s runs in %ss, no crash\n' "$t" "${runs:-?}" "${took:-$seconds}" >&2
  else
    failed+=("$t")
    printf 'fuzz: %-12s FAILED (log %s):\n' "$t" "$log" >&2
    grep -m1 -A30 -E '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written|ERROR: libFuzzer' "$log" >&2 || tail -30 "$log" >&2
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} harness(es) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} harnesses ($([[ $seconds == ci ]] && echo "CI's fixed mutations" || echo "${seconds}s each")), no crash" >&2
