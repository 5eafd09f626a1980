"""Batches: sweeps and Monte Carlo runs of one scenario, in parallel, into one results file.

Each test runs `sandan run` on small batches (one complex, energy and emissions only) and checks the
run ids, the swept values, that the results do not depend on the thread count, and that a batch
killed midway resumes without redoing the runs it finished.
"""
import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest
import xarray as xr

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def write_batch(folder, name, roof_shares, batteries, extra=""):
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\n"
        f"extends: {SOURCE_DIR}/scenarios/sweep_pv_battery.yaml\n"
        "complexes: [local]\n"
        "interventions:\n"
        "  - rooftop_pv: {complexes: [local], roof_share: 0.5, cost_krw_per_kwp: 1200000}\n"
        "  - battery: {at: \"complex:local\", energy_kwh: 1000, power_kw: 500, strategy: peak_shaving}\n"
        "sweep:\n"
        f"  interventions[0].rooftop_pv.roof_share: {roof_shares}\n"
        f"  interventions[1].battery.energy_kwh: {batteries}\n" + extra)
    return path


def run(args, **kwargs):
    return subprocess.run([SANDAN, *map(str, args)], capture_output=True, text=True, **kwargs)


def same(a, b):
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def datasets(path):
    """Every dataset of every run, by path, as numpy arrays."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f["runs"].visititems(visit)
        for key in f["index"]:
            out["index/" + key] = f["index"][key][()]
    return out


def assert_same_results(path_a, path_b):
    a, b = datasets(path_a), datasets(path_b)
    assert a.keys() == b.keys()
    for key in a:
        assert same(a[key], b[key]), key


def test_a_sweep_runs_the_cartesian_product_with_ids_and_parameters(tmp_path):
    scenario = write_batch(tmp_path, "small", "[0, 0.5, 1.0]", "[0, 2000]")
    out = tmp_path / "small.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 0, result.stderr
    with h5py.File(out, "r") as f:
        ids = list(f["index/run_id"].asstr()[:])
        assert ids == [f"small-{i:04d}" for i in range(6)]
        params = [json.loads(p) for p in f["index/parameters"].asstr()[:]]
        # The last axis varies fastest.
        assert [p["interventions[0].rooftop_pv.roof_share"] for p in params] == [0, 0, 0.5, 0.5, 1.0, 1.0]
        assert [p["interventions[1].battery.energy_kwh"] for p in params] == [0, 2000] * 3
        pv = f["index/annual_pv_mwh"][:]
        assert pv[0] == 0 and pv[2] > 0 and pv[4] == pytest.approx(2 * pv[2], rel=0.05)
        # More PV, less carbon.
        co2 = f["index/tco2e_total"][:]
        assert co2[4] < co2[2] < co2[0]
        assert "sweep" not in f["runs/small-0003"].attrs["scenario"]
    # Each run's groups open in xarray with their dimension scales (the sweep keeps the complexes'
    # series only: facility_series: false).
    ds = xr.open_dataset(out, group="runs/small-0005/energy", engine="h5netcdf")
    assert ds.complex_load_kw.dims == ("complex", "time")
    assert "load_kw" not in ds
    assert ds.sizes["facility"] > 0 and np.datetime64("2026-01-01T00:00") == ds.time.values[0]
    assert not os.path.exists(str(out) + ".parts")
    assert "small-0005" in result.stdout


def test_results_do_not_depend_on_the_thread_count(tmp_path):
    scenario = write_batch(tmp_path, "threads", "[0, 1.0]", "[0, 2000]")
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    assert run(["run", scenario, "-o", one, "-j", 1]).returncode == 0
    assert run(["run", scenario, "-o", two, "-j", 2]).returncode == 0
    assert_same_results(one, two)


def test_monte_carlo_runs_differ_by_seed_and_repeat_exactly(tmp_path):
    path = tmp_path / "mc.yaml"
    path.write_text(f"name: mc\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                    "models: [energy]\nmonte_carlo: {runs: 3, seed: 7}\n")
    first, second = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run(["run", path, "-o", first]).returncode == 0
    assert run(["run", path, "-o", second]).returncode == 0
    with h5py.File(first, "r") as f:
        seeds = [json.loads(p)["seed"] for p in f["index/parameters"].asstr()[:]]
        loads = f["index/annual_load_mwh"][:]
    assert len(set(seeds)) == 3
    assert len(set(loads)) == 3  # the load model's noise differs
    with h5py.File(second, "r") as f:
        assert np.array_equal(loads, f["index/annual_load_mwh"][:])


def test_a_killed_batch_resumes_and_skips_the_runs_it_finished(tmp_path):
    scenario = write_batch(tmp_path, "resume", "[0, 0.25, 0.5, 0.75, 1.0]", "[0, 1000, 2000]")
    out = tmp_path / "resume.h5"
    parts = tmp_path / "resume.h5.parts"
    proc = subprocess.Popen([SANDAN, "run", str(scenario), "-o", str(out), "-j", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if parts.exists() and len(list(parts.glob("*.h5"))) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = sorted(p.stem for p in parts.glob("*.h5"))
    assert 2 <= len(finished) < 15
    assert not out.exists()  # no partial results file under the final name
    again = run(["run", scenario, "-o", out, "-j", 1])
    assert again.returncode == 0, again.stderr
    assert f"resumed: {len(finished)} of 15 runs were already finished" in again.stderr
    fresh = tmp_path / "fresh.h5"
    assert run(["run", scenario, "-o", fresh, "-j", 1]).returncode == 0
    assert_same_results(out, fresh)


def test_a_sweep_key_that_does_not_exist_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                    "sweep:\n  interventions[3].rooftop_pv.roof_share: [0, 1]\n  year: [2026, 1800]\n")
    result = run(["run", path, "-o", tmp_path / "bad.h5"])
    assert result.returncode == 2
    assert "bad.yaml:5: sweep.interventions[3].rooftop_pv.roof_share" in result.stderr
    assert not (tmp_path / "bad.h5").exists()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


def test_runs_with_the_same_energy_settings_map_their_series_onto_the_first(tmp_path):
    # A sweep over a cost (which changes no series) and over the battery (which does): the runs that
    # differ only in the cost share the first one's energy year; their series are virtual datasets
    # mapping it, and read back the same values. The runs with another battery keep their own.
    path = write_batch(tmp_path, "cost", "[0.5]", "[0, 2000]",
                       "  interventions[0].rooftop_pv.cost_krw_per_kwp: [1000000, 1500000]\n")
    out = tmp_path / "cost.h5"
    result = run(["run", path, "-o", out, "-j", "2"])
    assert result.returncode == 0, result.stderr
    with h5py.File(out, "r") as f:
        ids = [r.decode() for r in f["index/run_id"][()]]
        params = [json.loads(p) for p in f["index/parameters"][()]]
        by = {(p["interventions[1].battery.energy_kwh"], p["interventions[0].rooftop_pv.cost_krw_per_kwp"]): i
              for i, p in zip(ids, params)}
        first, shared = by[(0, 1000000)], by[(0, 1500000)]
        other = by[(2000, 1000000)]  # the first of its kind
        load = f[f"runs/{shared}/energy/complex_load_kw"]
        assert load.is_virtual
        assert load.virtual_sources()[0].dset_name == f"/runs/{first}/energy/complex_load_kw"
        assert np.array_equal(load[()], f[f"runs/{first}/energy/complex_load_kw"][()])
        record = json.loads(f[f"runs/{shared}/energy"].attrs["deduplicated"])
        assert record["same_as"]["complex_import_kw"] == f"/runs/{first}/energy/complex_import_kw"
        assert not f[f"runs/{other}/energy/complex_import_kw"].is_virtual
        assert not np.array_equal(f[f"runs/{other}/energy/complex_import_kw"][()],
                                  f[f"runs/{first}/energy/complex_import_kw"][()])
    shared_ds = xr.open_dataset(out, group=f"runs/{shared}/energy", engine="h5netcdf")
    first_ds = xr.open_dataset(out, group=f"runs/{first}/energy", engine="h5netcdf")
    assert shared_ds.complex_import_kw.equals(first_ds.complex_import_kw)
