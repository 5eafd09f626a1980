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
SCENARIOS = ["baseline", "baseline_2030", "rooftop_pv", "pv_battery", "hosting_capacity", "logistics_hub",
             "ev_trucks", "efficiency", "green_2030", "green_2030_uncertainty", "green_2030_sensitivity",
             "sweep_pv_battery", "macc_2030"]
# Batches run here in a smaller form (the full ones are benchmarks, bench/RESULTS.md): a file in the
# test folder extends the shipped one and overrides these lines.
SMALLER = {
    "green_2030_uncertainty": "uncertainty:\n  method: latin_hypercube\n  samples: 6\n  seed: 2030\n"
                              "  reference: {scenarios}/baseline_2030.yaml\n  inputs:\n"
                              "    grid_emission_factor.t_per_mwh: {{dist: triangular, min: 0.22, mode: 0.26, max: 0.3}}\n"
                              "    load_growth: {{dist: normal, mean: 1.0, sd: 0.05, min: 0.85, max: 1.15}}\n",
    "green_2030_sensitivity": "uncertainty:\n  method: sobol\n  samples: 2\n  seed: 2030\n"
                              "  reference: {scenarios}/baseline_2030.yaml\n  inputs:\n"
                              "    grid_emission_factor.t_per_mwh: {{dist: triangular, min: 0.22, mode: 0.26, max: 0.3}}\n"
                              "    pv_yield_factor: {{dist: uniform, min: 0.9, max: 1.05}}\n",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    out = {}
    for name in SCENARIOS:
        path = folder / f"{name}.h5"
        scenario = f"{SOURCE_DIR}/scenarios/{name}.yaml"
        if name in SMALLER:
            smaller = folder / f"{name}.yaml"
            smaller.write_text(f"name: {name}\nextends: {scenario}\n" +
                               SMALLER[name].format(scenarios=f"{SOURCE_DIR}/scenarios"))
            scenario = str(smaller)
        run = subprocess.run([SANDAN, "run", scenario, "-o", str(path)], capture_output=True, text=True)
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


def test_green_2030_against_the_2026_baseline_counts_what_it_does_against_baseline_2030(results):
    # The README's example: the 2026 baseline against the 2030 package. The counterfactual (the 2030
    # background without interventions) is run by compare; the headline is the interventions' share.
    run = subprocess.run([SANDAN, "compare", str(results["baseline"]), str(results["green_2030"]), "--format",
                          "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["attribution"]["status"] == "attributed"
    headline = doc["headline"]
    assert headline["tco2e_change_background"] < 0  # the 2030 grid is cleaner
    assert -headline["tco2e_change_total"] > headline["tco2e_abated"] > 0
    assert headline["krw_per_tco2e_gross"] > 0
    # Like for like against baseline_2030 (same background): the same abatement and costs.
    like, _ = compare(results["baseline_2030"], results["green_2030"])
    assert like["tco2e_abated"] == pytest.approx(headline["tco2e_abated"], rel=1e-9)
    assert like["net_annual_cost_krw"] == pytest.approx(headline["net_annual_cost_krw"], rel=1e-9)
    # Fuel switching and efficiency save fuel, and it is paid for: the energy cost falls by more than the bill.
    _, kpis = compare(results["baseline_2030"], results["green_2030"])
    assert kpis[("fuel_cost_krw", "all")]["delta"] < 0


def test_the_uncertainty_run_gives_a_range_of_abatement_and_cost_per_tonne(results):
    with h5py.File(results["green_2030_uncertainty"], "r") as f:
        u = f["uncertainty"]
        outputs = list(u["output"].asstr()[:])
        for name in ("tco2e_abated", "krw_per_tco2e_net"):
            o = outputs.index(name)
            assert u["p10"][o] < u["p50"][o] < u["p90"][o]


def test_the_sensitivity_run_writes_sobol_indices_for_every_input(results):
    with h5py.File(results["green_2030_sensitivity"], "r") as f:
        g = f["sensitivity"]
        assert g.attrs["method"] == "sobol"
        assert g["total"].shape == (len(g["output"]), len(g["input"])) == g["first"].shape
        assert len(f["uncertainty/sample"]) == 2 * (2 + 2)


def test_the_macc_set_shows_each_intervention_the_package_and_their_interaction(results):
    with h5py.File(results["macc_2030"], "r") as f:
        m = f["macc"]
        kinds = list(m["intervention"].asstr()[:])
        abated = m["tco2e_abated"][:]
        assert "package" in kinds and "interaction" in kinds
        parts = [i for i, k in enumerate(kinds) if k not in ("package", "interaction")]
        assert len(parts) >= 4
        # The interaction is what the package abates beyond the sum of the parts.
        assert abated[kinds.index("interaction")] == pytest.approx(
            abated[kinds.index("package")] - abated[parts].sum(), rel=1e-9, abs=1e-6)


def test_the_sweep_has_thirty_runs_and_battery_power_follows_energy(results):
    with h5py.File(results["sweep_pv_battery"], "r") as f:
        assert len(f["index/run_id"]) == 30
        params = [json.loads(p) for p in f["index/parameters"].asstr()[:]]
        assert all(p["interventions[1].battery.power_kw"] * 4 == p["interventions[1].battery.energy_kwh"]
                   for p in params)
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
