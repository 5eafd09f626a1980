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


# The baseline's KPIs, pinned: a change to any model that moves them fails here, so it is seen and
# made on purpose. After such a change, check the new figures (sandan compare old.h5 new.h5) and
# refresh the file with
#   SANDAN_UPDATE_GOLDEN=1 ctest --preset release -R python.scenarios
# then commit tests/golden/baseline_kpis.json with the change and say why the figures moved.
GOLDEN = f"{SOURCE_DIR}/tests/golden/baseline_kpis.json"
# The runs are deterministic (any thread count); the tolerance only absorbs the last bits that the C
# library's transcendental functions may differ by between processors.
GOLDEN_RTOL = 1e-6


def kpi_rows(path, run):
    with h5py.File(path, "r") as f:
        g = f[f"runs/{run}/kpi"]
        keys = [k.decode() for k in g["key"][()]]
        complexes = [c.decode() for c in g["complex"][()]]
        return {f"{k}|{c}": float(v) for k, c, v in zip(keys, complexes, g["value"][()])}


def test_baseline_kpis_match_the_golden_file(results):
    rows = kpi_rows(results["baseline"], "baseline")
    if os.environ.get("SANDAN_UPDATE_GOLDEN"):
        with open(GOLDEN, "w") as f:
            json.dump({"scenario": "scenarios/baseline.yaml", "run": "baseline", "kpis": rows}, f, indent=1,
                      sort_keys=True)
            f.write("\n")
    with open(GOLDEN) as f:
        golden = json.load(f)["kpis"]
    assert sorted(rows) == sorted(golden), "KPIs added or removed: refresh the golden file (see above)"
    moved = [f"{key}: {golden[key]!r} -> {rows[key]!r}" for key in golden
             if rows[key] != pytest.approx(golden[key], rel=GOLDEN_RTOL, abs=1e-9)]
    assert not moved, "baseline KPIs moved (refresh the golden file if on purpose):\n" + "\n".join(moved)
