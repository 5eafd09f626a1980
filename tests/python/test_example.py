"""docs/examples/sweep_from_python.py runs as documented, on a small sweep (so it cannot rot).

The example runs the sweep from Python into a results file, prints its runs and writes a PNG; here
it runs the 2 × 2 sweep of one complex of conftest.py, and its file and table are checked against
the same sweep run by the CLI.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]
EXAMPLE = os.path.join(SOURCE_DIR, "docs", "examples", "sweep_from_python.py")


def test_the_example_runs_the_sweep_and_plots_its_response_surface(small_results, tmp_path):
    output, png = tmp_path / "sweep.h5", tmp_path / "surface.png"
    result = subprocess.run([sys.executable, EXAMPLE, "--scenario", str(small_results.scenarios["sweep"]),
                             "--output", str(output), "--png", str(png), "--threads", "2"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with h5py.File(output, "r") as mine, h5py.File(small_results.sweep, "r") as cli:
        ids = list(mine["index/run_id"].asstr()[:])
        assert ids == list(cli["index/run_id"].asstr()[:]) == [f"sw-{i:04d}" for i in range(4)]
        # The same sweep, whether run from Python or by the CLI.
        assert np.array_equal(mine["index/tco2e_total"][:], cli["index/tco2e_total"][:])
        totals = cli["index/tco2e_total"][:]
    for run_id, total in zip(ids, totals):
        line = next(line for line in result.stdout.splitlines() if line.startswith(run_id))
        assert line.endswith(f"{total:,.0f}")
    assert f"wrote {png}" in result.stdout
