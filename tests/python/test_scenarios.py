"""Every shipped scenario runs as a user would run it, and its headline moves the way it should.

Runs each file of scenarios/ with `sandan run -o`, then compares it with the baseline through
`sandan compare --format json`. Only in the release build (the full five complexes).
"""
import json
import os
import subprocess
import sys

import h5py
import pytest

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]
SCENARIOS = ["baseline", "rooftop_pv", "pv_battery", "hosting_capacity", "logistics_hub", "ev_trucks",
             "efficiency", "green_2030", "sweep_pv_battery"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    out = {}
    for name in SCENARIOS:
        path = folder / f"{name}.h5"
        run = subprocess.run([SANDAN, "run", f"{SOURCE_DIR}/scenarios/{name}.yaml", "-o", str(path)],
                             capture_output=True, text=True)
        assert run.returncode == 0, f"{name}: {run.stderr}"
        out[name] = path
    return out


def compare(a, b):
    run = subprocess.run([SANDAN, "compare", str(a), str(b), "--format", "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    kpis = {(k["key"], k["complex"]): k for k in doc["kpis"]}
    return doc["headline"], kpis


def test_every_scenario_file_is_listed_in_the_readme_and_tested():
    files = sorted(f[:-5] for f in os.listdir(f"{SOURCE_DIR}/scenarios") if f.endswith(".yaml"))
    assert files == sorted(SCENARIOS)
    readme = open(f"{SOURCE_DIR}/scenarios/README.md").read()
    for name in SCENARIOS:
        assert f"`{name}.yaml`" in readme


def test_pv_cuts_imports_and_carbon(results):
    for name in ["rooftop_pv", "pv_battery"]:
        headline, kpis = compare(results["baseline"], results[name])
        assert kpis[("annual_import_mwh", "all")]["delta"] < 0
        assert kpis[("tco2e_scope2", "all")]["delta"] < 0


def test_efficiency_cuts_load_fuel_and_carbon(results):
    headline, kpis = compare(results["baseline"], results["efficiency"])
    assert kpis[("annual_fuel_mwh", "all")]["delta"] < 0
    assert kpis[("tco2e_scope1", "all")]["delta"] < 0
    assert headline["tco2e_abated"] > 0


def test_hub_and_electric_trucks_cut_transport_carbon(results):
    for name in ["logistics_hub", "ev_trucks"]:
        _, kpis = compare(results["baseline"], results[name])
        assert kpis[("tco2e_transport", "all")]["delta"] < 0


def test_green_2030_abates_most_and_prices_the_tonne(results):
    headline, kpis = compare(results["baseline"], results["green_2030"])
    assert headline["tco2e_abated"] > compare(results["baseline"], results["efficiency"])[0]["tco2e_abated"]
    assert headline["krw_per_tco2e_gross"] > 0


def test_the_sweep_has_thirty_runs(results):
    with h5py.File(results["sweep_pv_battery"], "r") as f:
        assert len(f["index/run_id"]) == 30
        assert "grid" not in f["runs/sweep_pv_battery-0000"]  # models: [energy, emissions]


def test_hosting_capacity_is_reported_per_feeder(results):
    with h5py.File(results["hosting_capacity"], "r") as f:
        run = list(f["runs"].keys())[0]
        assert (f[f"runs/{run}/grid/hosting_capacity_kwp"][:] > 0).all()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
