"""What driving the engine from Python costs, measured side by side with the command line.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py build/release/cli/sandan [--kpis-only]

Prints, for the baseline of the five complexes and for the 30-run PV × battery sweep: the best of
three wall times from Python (sandan.run / sandan.run_batch, results in memory) and from the CLI
(`sandan run`, no results file), their ratio, and what reading a run's hourly series costs in
Python (a NumPy view of the engine's memory against a copy of it). Then the KPIs of a 200-run file
(a 20 × 10 sweep of one complex's energy year, made here with the CLI): every run's KPI table read
as one DataFrame by `sandan.results.kpis`, against opening each run's KPI group with xarray (the
way `RunResults.kpi` read it before). Run from the repository root.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import xarray as xr

import sandan
import sandan.results


def best_of(n, f):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


# 200 runs of Incheon Local's energy year (PV share × battery size), complexes' series only.
SWEEP_200 = """name: kpi200
extends: {root}/scenarios/sweep_pv_battery.yaml
complexes: [local]
models: [energy]
interventions:
  - rooftop_pv: {{complexes: [local], roof_share: 0.5, min_roof_m2: 1000, cost_krw_per_kwp: 1200000}}
  - battery: {{at: "complex:local", energy_kwh: 1000, power_kw: 500, strategy: peak_shaving}}
sweep:
  interventions[0].rooftop_pv.roof_share: [{shares}]
  interventions[1].battery.energy_kwh: [{batteries}]
"""


def bench_kpis(exe, threads):
    with tempfile.TemporaryDirectory() as folder:
        scenario = os.path.join(folder, "kpi200.yaml")
        with open(scenario, "w") as f:
            f.write(SWEEP_200.format(root=os.getcwd(), shares=", ".join(str(i / 20) for i in range(20)),
                                     batteries=", ".join(str(500 * i) for i in range(10))))
        out = os.path.join(folder, "kpi200.h5")
        start = time.perf_counter()
        subprocess.run([exe, "run", scenario, "-o", out, "-j", str(threads)], check=True, capture_output=True)
        made_s = time.perf_counter() - start
        fast_s = best_of(3, lambda: sandan.results.kpis(out))
        wide_s = best_of(3, lambda: sandan.results.kpis(out, wide=True))
        frame = sandan.results.kpis(out)
        runs = frame["run_id"].nunique()

        def one_by_one():
            with sandan.results.open(out) as r:
                for run in r.runs:
                    with xr.open_dataset(out, group=f"runs/{run}/kpi", engine="h5netcdf") as ds:
                        ds.load().to_dataframe()

        slow_s = best_of(1, one_by_one)
        print(f"KPIs of a {runs}-run file ({os.path.getsize(out) / 1e6:.0f} MB, made in {made_s:.1f} s, "
              f"{len(frame)} rows): sandan.results.kpis {fast_s:.3f} s (wide {wide_s:.3f} s), "
              f"xarray run by run {slow_s:.2f} s ({slow_s / fast_s:.0f}x)")


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "build/release/cli/sandan"
    threads = os.cpu_count() or 1
    if "--kpis-only" in sys.argv:
        bench_kpis(exe, threads)
        return
    print(f"sandan {sandan.__version__}, {threads} cores, best of 3")
    for scenario in ["scenarios/baseline.yaml", "scenarios/sweep_pv_battery.yaml"]:
        spec = sandan.read_scenario(scenario)
        if spec.is_batch:
            py_s = best_of(3, lambda: sandan.run_batch(spec, threads=threads))
        else:
            py_s = best_of(3, lambda: sandan.run(spec, threads=threads))
        cli_s = best_of(3, lambda: subprocess.run([exe, "run", scenario, "-j", str(threads)],
                                                   check=True, capture_output=True))
        runs = len(spec.run_ids)
        print(f"{scenario:36s} {runs:3d} runs  python {py_s:6.2f} s  cli {cli_s:6.2f} s  "
              f"python/cli {py_s / cli_s:5.2f}")

    run = sandan.run("scenarios/baseline.yaml", threads=threads)
    view_s = best_of(3, lambda: run.energy.load_kw)
    copy_s = best_of(3, lambda: np.array(run.energy.load_kw))
    size_mb = run.energy.load_kw.nbytes / 1e6
    print(f"load_kw [{run.energy.load_kw.shape[0]} facilities x 8760 h, {size_mb:.0f} MB]: "
          f"view {view_s * 1e6:.1f} us, copy {copy_s * 1e3:.1f} ms ({copy_s / view_s:.0f}x)")

    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "baseline.h5")
        write_s = best_of(1, lambda: sandan.run("scenarios/baseline.yaml", output=out, threads=threads))
        print(f"baseline with its results file ({os.path.getsize(out) / 1e6:.0f} MB) from Python: {write_s:.2f} s")
    bench_kpis(exe, threads)


if __name__ == "__main__":
    main()
