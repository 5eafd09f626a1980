"""Small results files shared by the tests of the Python package (results, plots, report).

One complex (Incheon Local) keeps each run to about a second: a reference with every model, an
alternative with PV, a shared battery, efficiency and electric trucks (so every scope changes), and a
2 × 2 sweep of PV share and battery size with energy and emissions only. Each pytest process makes
them once, with the CLI, as a user would.
"""
import os
import subprocess
import types

import pytest

SANDAN = os.environ.get("SANDAN_EXE")
SOURCE_DIR = os.environ.get("SANDAN_SOURCE_DIR")


def write_scenarios(folder):
    """The three scenario files of `small_results` in `folder`; returns their paths by name."""
    paths = {"ref": folder / "ref.yaml", "alt": folder / "alt.yaml", "sweep": folder / "sweep.yaml"}
    paths["ref"].write_text(f"name: ref\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n")
    paths["alt"].write_text(
        f"name: alt\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
        "interventions:\n"
        "  - rooftop_pv: {roof_share: 0.5, min_roof_m2: 1000, cost_krw_per_kwp: 1200000,\n"
        "                 lifetime_years: 25}\n"
        "  - battery: {at: \"complex:local\", energy_kwh: 2000, power_kw: 500, strategy: peak_shaving,\n"
        "              cost_krw_per_kwh: 500000, lifetime_years: 15}\n"
        "  - efficiency: {electricity_saving: 0.1, fuel_saving: 0.1, cost_krw: 1000000000,\n"
        "                 lifetime_years: 10}\n"
        "  - ev_trucks: {light_truck_share: 0.3, heavy_truck_share: 0.1}\n")
    paths["sweep"].write_text(
        f"name: sw\nextends: {SOURCE_DIR}/scenarios/sweep_pv_battery.yaml\ncomplexes: [local]\n"
        "interventions:\n"
        "  - rooftop_pv: {complexes: [local], roof_share: 0.5, cost_krw_per_kwp: 1200000}\n"
        "  - battery: {at: \"complex:local\", energy_kwh: 1000, power_kw: 500, strategy: peak_shaving,\n"
        "              cost_krw_per_kwh: 500000}\n"
        "sweep:\n"
        "  interventions[0].rooftop_pv.roof_share: [0.2, 0.8]\n"
        "  interventions[1].battery.energy_kwh: [0, 2000]\n")
    return paths


@pytest.fixture(scope="session")
def small_results(tmp_path_factory):
    """Paths of ref.h5 (run "ref"), alt.h5 ("alt") and sweep.h5 (runs sw-0000 … sw-0003)."""
    folder = tmp_path_factory.mktemp("small_results")
    scenarios = write_scenarios(folder)
    out = types.SimpleNamespace(folder=folder, scenarios=scenarios)
    for name, path in scenarios.items():
        target = folder / f"{name}.h5"
        run = subprocess.run([SANDAN, "run", str(path), "-o", str(target), "-j", "2"], capture_output=True,
                             text=True)
        assert run.returncode == 0, run.stderr
        setattr(out, name, target)
    return out
