"""`sandan compare` agrees with the KPI tables as h5py reads them.

Runs the baseline and rooftop PV (with its investment) on one complex, once, then checks every row
and the headline of `sandan compare --format json` against values recomputed here from the files,
the CSV against the JSON, and the choice of a run in a file that holds several.
"""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys

import h5py
import pytest

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def sandan(*args):
    return subprocess.run([SANDAN, *map(str, args)], capture_output=True, text=True)


def kpis(path, run):
    with h5py.File(path, "r") as f:
        g = f[f"runs/{run}/kpi"]
        return {(k, c): (v, u) for k, c, v, u in zip(g["key"].asstr()[:], g["complex"].asstr()[:],
                                                     g["value"][:], g["unit"].asstr()[:])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    (folder / "base.yaml").write_text(
        f"name: base\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n")
    (folder / "pv.yaml").write_text(
        f"name: pv\nextends: {SOURCE_DIR}/scenarios/rooftop_pv.yaml\ncomplexes: [local]\n"
        "interventions: [{rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000, lifetime_years: 25}}]\n")
    for name in ("base", "pv"):
        run = sandan("run", folder / f"{name}.yaml", "-o", folder / f"{name}.h5")
        assert run.returncode == 0, run.stderr
    return folder


def test_every_kpi_of_both_runs_is_compared_as_the_files_hold_it(runs):
    out = sandan("compare", runs / "base.h5", runs / "pv.h5", "--format", "json")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    a, b = kpis(runs / "base.h5", "base"), kpis(runs / "pv.h5", "pv")
    assert {(k["key"], k["complex"]) for k in j["kpis"]} == set(a) & set(b)
    for k in j["kpis"]:
        (va, unit), (vb, _) = a[(k["key"], k["complex"])], b[(k["key"], k["complex"])]
        assert (k["a"], k["b"], k["unit"]) == (va, vb, unit)
        assert k["delta"] == pytest.approx(vb - va, rel=1e-12, abs=1e-9)
        if va == 0:
            assert k["delta_pct"] is None
        else:
            assert k["delta_pct"] == pytest.approx(100 * (vb - va) / abs(va), rel=1e-12)
    h = j["headline"]
    abated = a[("tco2e_total", "all")][0] - b[("tco2e_total", "all")][0]
    cost = b[("annualised_cost_krw", "all")][0] - a[("annualised_cost_krw", "all")][0]
    bill = b[("bill_krw", "all")][0] - a[("bill_krw", "all")][0]
    energy = b[("energy_cost_krw", "all")][0] - a[("energy_cost_krw", "all")][0]
    assert abated > 0 and cost > 0 and bill < 0  # PV cuts imports, costs money, lowers the bill
    credit = b[("export_credit_krw", "all")][0] - a[("export_credit_krw", "all")][0]
    fuel = b[("fuel_cost_krw", "all")][0] - a[("fuel_cost_krw", "all")][0]
    assert credit > 0  # its exports earn a credit
    # The energy cost: the bill without VAT (power fund 2.7 %, VAT 10 % in the 2026 tariff file), fuel,
    # less the export credit (docs/economics.md).
    assert energy == pytest.approx(bill * 1.027 / 1.127 + fuel - credit, rel=1e-9)
    assert h["tco2e_abated"] == pytest.approx(abated, rel=1e-12)
    assert h["net_annual_cost_krw"] == pytest.approx(cost + energy, rel=1e-12)
    assert h["krw_per_tco2e_gross"] == pytest.approx(cost / abated, rel=1e-12)
    assert h["krw_per_tco2e_net"] == pytest.approx((cost + energy) / abated, rel=1e-12)


def test_csv_holds_the_same_numbers_exactly(runs):
    as_json = json.loads(sandan("compare", runs / "base.h5", runs / "pv.h5", "--format", "json").stdout)
    out = sandan("compare", runs / "base.h5", runs / "pv.h5", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == len(as_json["kpis"])
    for row, k in zip(rows, as_json["kpis"]):
        assert (row["key"], row["complex"], row["unit"]) == (k["key"], k["complex"], k["unit"])
        assert float(row["a"]) == k["a"] and float(row["b"]) == k["b"]  # shortest round-trip text
        assert (row["delta_pct"] == "") == (k["delta_pct"] is None)


def test_a_file_of_several_runs_needs_the_run_named(runs, tmp_path):
    both = tmp_path / "both.h5"
    with h5py.File(runs / "base.h5", "r") as src, h5py.File(both, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        dst.create_group("runs")
        with h5py.File(runs / "pv.h5", "r") as other:
            src.copy("runs/base", dst["runs"])
            other.copy("runs/pv", dst["runs"])
    out = sandan("compare", both, runs / "pv.h5")
    assert out.returncode == 2
    assert "holds 2 runs (base, pv)" in out.stderr and f"{both}:RUN" in out.stderr
    out = sandan("compare", f"{both}:pv", f"{both}:base", "--format", "json")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert (j["a"]["run"], j["b"]["run"]) == ("pv", "base")
    assert j["headline"]["tco2e_abated"] < 0  # B (no PV) emits more
    assert j["headline"]["krw_per_tco2e_gross"] is None and j["headline"]["krw_per_tco2e_net"] is None
    table = sandan("compare", f"{both}:pv", f"{both}:base").stdout
    assert "n/a (nothing abated)" in table


def test_kpis_in_one_run_only_are_listed_not_compared(runs, tmp_path):
    # A results file edited by hand: the run's KPI table replaced by one with a KPI the other run
    # lacks and without the cost KPIs (the rest of the run kept, so that the file is still whole).
    handmade = tmp_path / "handmade.h5"
    shutil.copyfile(runs / "base.h5", handmade)
    with h5py.File(handmade, "r+") as f:
        del f["runs/base/kpi"]
        g = f.create_group("runs/base/kpi")
        g["key"] = ["tco2e_total", "made_up_kpi"]
        g["complex"] = ["all", "all"]
        g["value"] = [math.inf, 1.0]
        g["unit"] = ["tCO2eq", "1"]
    out = sandan("compare", runs / "base.h5", handmade, "--format", "json")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert [(k["key"], k["complex"]) for k in j["kpis"]] == [("tco2e_total", "all")]
    assert {"key": "made_up_kpi", "complex": "all"} in j["only_in_b"]
    assert j["headline"]["delta_annualised_cost_krw"] is None
    table = sandan("compare", runs / "base.h5", handmade)
    assert "Only in B (not compared): made_up_kpi/all" in table.stdout
    assert "n/a (annualised_cost_krw is not in both runs)" in table.stdout


def test_run_json_is_one_object_with_the_files_kpis(runs, tmp_path):
    out = sandan("run", "--json", runs / "base.yaml", "-o", tmp_path / "again.h5")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert j["scenario"] == "base" and j["output"] == str(tmp_path / "again.h5")
    stored = kpis(tmp_path / "again.h5", "base")
    assert {(k["key"], k["complex"]): (k["value"], k["unit"]) for k in j["runs"][0]["kpis"]} == stored
    assert json.loads(sandan("run", "--json", runs / "base.yaml").stdout)["output"] is None


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
