"""What driving the engine from Python costs, measured side by side with the command line.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py build/release/cli/sandan

Prints, for the baseline of the five complexes and for the 30-run PV × battery sweep: the best of
three wall times from Python (sandan.run / sandan.run_batch, results in memory) and from the CLI
(`sandan run`, no results file), their ratio, and what reading a run's hourly series costs in
Python (a NumPy view of the engine's memory against a copy of it). Run from the repository root.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import sandan


def best_of(n, f):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "build/release/cli/sandan"
    threads = os.cpu_count() or 1
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


if __name__ == "__main__":
    main()
