"""Decision-grade accounting: zipped sweeps, shared batteries settled on their complex's meter, NPV
recomputed from the cost lines, uncertainty percentiles and abatement against each sample's
counterfactual, and the bad input of the uncertainty block.

Each test runs `sandan` as a user would on one or two complexes with energy and emissions only; the
figures checked are recomputed here with numpy from what the files hold, by the formulas of
docs/economics.md and docs/uncertainty.md.
"""
import json
import math
import os
import subprocess

import h5py
import numpy as np
import pytest

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]
SCENARIOS = f"{SOURCE_DIR}/scenarios"


def run(args):
    return subprocess.run([SANDAN, *map(str, args)], capture_output=True, text=True)


def index(path):
    with h5py.File(path, "r") as f:
        return {k: (f["index"][k].asstr()[:] if f["index"][k].dtype.kind == "O" else f["index"][k][:])
                for k in f["index"]}


def test_a_zipped_sweep_moves_battery_power_with_energy_and_the_shared_battery_lowers_the_complex_bill(tmp_path):
    # sweep_pv_battery itself, cut to one PV share and two battery sizes on Juan (where the battery is).
    scenario = tmp_path / "zip.yaml"
    scenario.write_text(
        f"name: zip\nextends: {SCENARIOS}/sweep_pv_battery.yaml\ncomplexes: [juan, bupyeong]\n"
        "sweep:\n"
        "  interventions[0].rooftop_pv.roof_share: [0.6]\n"
        "  zip:\n"
        "    interventions[1].battery.energy_kwh: [0, 20000, 40000]\n"
        "    interventions[1].battery.power_kw: [0, 5000, 10000]\n")
    out = tmp_path / "zip.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 0, result.stderr
    idx = index(out)
    params = [json.loads(p) for p in idx["parameters"]]
    assert len(params) == 3  # a zip is one dimension: 1 × 3 runs, not 1 × 3 × 3
    assert [p["interventions[1].battery.power_kw"] for p in params] == [0, 5000, 10000]
    assert [p["interventions[1].battery.energy_kwh"] for p in params] == [0, 20000, 40000]
    with h5py.File(out, "r") as f:
        bills = []
        for run_id in idx["run_id"]:
            kpi = f[f"runs/{run_id}/kpi"]
            rows = {(k, c): v for k, c, v in zip(kpi["key"].asstr()[:], kpi["complex"].asstr()[:], kpi["value"][:])}
            bills.append(rows[("bill_krw", "juan")])
        # The saving on Juan's meter, allocated to its facilities' bills, equals the bill's fall.
        saving = f[f"runs/{idx['run_id'][1]}/energy/shared_battery_saving_krw"][0]
        energy = f[f"runs/{idx['run_id'][1]}/energy"]
        in_juan = energy["facility_complex"].asstr()[:] == "juan"
        bill_sum = energy["bill_krw"][:][in_juan].sum()
    assert bills[1] < bills[0] and bills[2] < bills[1]  # a bigger shared battery saves more
    assert saving > 0
    assert bill_sum == pytest.approx(bills[1], rel=1e-9)
    assert bills[0] - bills[1] == pytest.approx(saving, rel=1e-6)


def test_a_zip_whose_axes_differ_in_length_is_refused_with_file_line_and_key(tmp_path):
    scenario = tmp_path / "bad_zip.yaml"
    scenario.write_text(
        f"name: bad_zip\nextends: {SCENARIOS}/sweep_pv_battery.yaml\ncomplexes: [local]\n"
        "sweep:\n"
        "  zip:\n"
        "    interventions[1].battery.energy_kwh: [0, 20000, 40000]\n"
        "    interventions[1].battery.power_kw: [0, 5000]\n")
    out = tmp_path / "bad.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 2
    assert f"{scenario}:7: sweep.zip.interventions[1].battery.power_kw: has 2 values" in result.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".parts")


@pytest.mark.parametrize("inputs, expected", [
    ("load_growth: {dist: normal, mean: 1, sd: -0.1}", "uncertainty.inputs.load_growth: sd"),
    ("load_growth: {dist: uniform, min: 1.2, max: 0.8}", "uncertainty.inputs.load_growth: min"),
    ("load_growth: {dist: discrete, values: [1, 1.1], probabilities: [0.5, 1.5]}",
     "uncertainty.inputs.load_growth: "),
    ("no_such_key: {dist: uniform, min: 0, max: 1}", "uncertainty.inputs.no_such_key: the scenario has no such setting"),
    ("load_growth: {dist: uniform, min: 0, max: 20}", "the distribution reaches"),
    ("load_growth: {dist: gamma, k: 2}", "unknown distribution 'gamma'"),
])
def test_impossible_distributions_and_unknown_keys_exit_2_naming_file_line_and_key(tmp_path, inputs, expected):
    scenario = tmp_path / "bad_u.yaml"
    scenario.write_text(
        f"name: bad_u\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n"
        "uncertainty:\n  samples: 4\n  inputs:\n"
        f"    {inputs}\n")
    out = tmp_path / "bad.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 2, result.stderr
    assert str(scenario) in result.stderr and ":8:" in result.stderr
    assert expected in result.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".parts")


def run_kpis(path, run_id):
    """The "all" row of each KPI of a run."""
    with h5py.File(path, "r") as f:
        kpi = f[f"runs/{run_id}/kpi"]
        return {k: v for k, c, v in zip(kpi["key"].asstr()[:], kpi["complex"].asstr()[:], kpi["value"][:])
                if c == "all"}


def type7(values, p):
    return float(np.percentile(values, 100 * p, method="linear"))


def test_uncertainty_gives_percentiles_of_abatement_against_each_samples_counterfactual(tmp_path):
    scenario = tmp_path / "u.yaml"
    scenario.write_text(
        f"name: u\nextends: {SCENARIOS}/green_2030_uncertainty.yaml\ncomplexes: [local]\n"
        "interventions:\n"
        "  - rooftop_pv: {roof_share: 0.6, min_roof_m2: 1000, cost_krw_per_kwp: 1200000, lifetime_years: 25}\n"
        "  - efficiency: {electricity_saving: 0.05, fuel_saving: 0.05, cost_krw: 1000000000}\n"
        "uncertainty:\n"
        "  method: latin_hypercube\n  samples: 12\n  seed: 5\n"
        f"  reference: {SCENARIOS}/baseline_2030.yaml\n"
        "  inputs:\n"
        "    grid_emission_factor.t_per_mwh: {dist: triangular, min: 0.22, mode: 0.26, max: 0.30}\n"
        "    load_growth: {dist: normal, mean: 1.0, sd: 0.05, min: 0.85, max: 1.15}\n"
        "    interventions[0].rooftop_pv.cost_krw_per_kwp: {dist: uniform, min: 1000000, max: 1400000}\n")
    out = tmp_path / "u.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 0, result.stderr
    assert "P10 / P50 / P90" in result.stdout
    idx = index(out)
    by_run = {r: i for i, r in enumerate(idx["run_id"])}
    with h5py.File(out, "r") as f:
        u = f["uncertainty"]
        assert u.attrs["method"] == "latin_hypercube"
        samples = list(u["sample"].asstr()[:])
        refs = list(u["reference_run"].asstr()[:])
        outputs = list(u["output"].asstr()[:])
        values = u["output_value"][:]
        inputs = u["input_value"][:]
        p10, p50, p90 = u["p10"][:], u["p50"][:], u["p90"][:]
    assert len(samples) == 12 and refs == [s.replace("u-", "u-reference-") for s in samples]
    # Latin hypercube: one load-growth draw in each twelfth of its distribution's probability.
    assert len(set(np.floor(np.argsort(np.argsort(inputs[:, 1])))) ) == 12
    # Abatement recomputed from the index: the counterfactual's tCO2eq minus the sample's.
    abated = np.array([idx["tco2e_total"][by_run[r]] - idx["tco2e_total"][by_run[s]] for s, r in zip(samples, refs)])
    col = outputs.index("tco2e_abated")
    np.testing.assert_allclose(values[:, col], abated, rtol=1e-12)
    assert (abated > 0).all()
    # The sampled grid factor changes the abatement: PV's saved imports are worth more at a higher factor.
    assert np.corrcoef(inputs[:, 0], abated)[0, 1] > 0.5
    # KRW/tCO2eq net = (Δ annualised cost + Δ energy cost) / abated, sample by sample.
    kpis = {run_id: run_kpis(out, run_id) for run_id in samples + refs}
    cost = np.array([kpis[s]["annualised_cost_krw"] - kpis[r]["annualised_cost_krw"]
                     + kpis[s]["energy_cost_krw"] - kpis[r]["energy_cost_krw"]
                     for s, r in zip(samples, refs)])
    np.testing.assert_allclose(values[:, outputs.index("krw_per_tco2e_net")], cost / abated, rtol=1e-9)
    # P10/P50/P90: numpy's default (linear, Hyndman & Fan 7) over the samples.
    for name in ("tco2e_abated", "krw_per_tco2e_net", "tco2e_total"):
        o = outputs.index(name)
        assert p10[o] == pytest.approx(type7(values[:, o], 0.1), rel=1e-12)
        assert p50[o] == pytest.approx(type7(values[:, o], 0.5), rel=1e-12)
        assert p90[o] == pytest.approx(type7(values[:, o], 0.9), rel=1e-12)
        assert p10[o] <= p50[o] <= p90[o]
    assert p10[col] < p90[col]  # a range, not a point
    # The index columns carry their percentiles; compare of the whole batch prints them.
    with h5py.File(out, "r") as f:
        o = outputs.index("tco2e_total")
        assert f["index/tco2e_total"].attrs["p50"] == pytest.approx(p50[o], rel=1e-12)
    ref = samples[0].replace("u-", "u-reference-")
    shown = run(["compare", f"{out}:{ref}", out, "--format", "json"])
    assert shown.returncode == 0, shown.stderr
    rows = {r["output"]: r for r in json.loads(shown.stdout)["percentiles"]}
    assert rows["tco2e_abated"]["p50"] == pytest.approx(p50[col], rel=1e-12)
    assert rows["krw_per_tco2e_net"]["unit"] == "KRW/tCO2eq"
    table = run(["compare", f"{out}:{ref}", out])
    assert table.returncode == 0 and "P50" in table.stdout and "tco2e_abated" in table.stdout


def present_value_of_costs(investment, om, lifetime, r, years):
    """docs/economics.md: first installation, replacements at each multiple of the lifetime before the
    end, O&M each year, less the straight-line residual value of the last installation at the end."""
    pv = investment
    t = lifetime
    while t < years:
        pv += investment / (1 + r) ** t
        t += lifetime
    last = t - lifetime
    residual = investment * (1 - (years - last) / lifetime) if last + lifetime > years else 0.0
    pv -= residual / (1 + r) ** years
    pv += sum(om / (1 + r) ** y for y in range(1, years + 1))
    return pv


def test_npv_payback_and_levelised_cost_of_a_package_are_reproduced_from_the_cost_lines(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(f"name: ref\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n")
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        f"name: alt\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n"
        "interventions:\n"
        "  - rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000, lifetime_years: 25}\n"
        "  - battery: {at: \"complex:local\", energy_kwh: 4000, power_kw: 1000, strategy: peak_shaving,\n"
        "              cost_krw_per_kwh: 500000, lifetime_years: 15}\n")
    for p in (ref, alt):
        assert run(["run", p, "-o", p.with_suffix(".h5")]).returncode == 0
    result = run(["compare", ref.with_suffix(".h5"), alt.with_suffix(".h5"), "--format", "json"])
    assert result.returncode == 0, result.stderr
    h = json.loads(result.stdout)["headline"]
    with h5py.File(alt.with_suffix(".h5"), "r") as f:
        c = f["runs/alt/costs"]
        r, years = float(c.attrs["discount_rate"]), int(c.attrs["analysis_years"])
        lines = list(zip(c["investment_krw"][:], c["om_krw_per_year"][:], c["lifetime_years"][:]))
    assert (r, years) == (0.045, 20)
    # PV at 1 % O&M, the battery at 2.5 % (the defaults of docs/economics.md).
    assert lines[0][1] == pytest.approx(0.01 * lines[0][0]) and lines[1][1] == pytest.approx(0.025 * lines[1][0])
    pv_costs = sum(present_value_of_costs(i, om, int(round(life)), r, years) for i, om, life in lines)
    savings = -h["delta_energy_cost_krw"]
    annuity = sum(1 / (1 + r) ** y for y in range(1, years + 1))
    npv = savings * annuity - pv_costs
    assert h["npv_krw"] == pytest.approx(npv, rel=1e-9)
    investment = sum(i for i, _, _ in lines)
    om = sum(o for _, o, _ in lines)
    assert h["payback_years"] == pytest.approx(investment / (savings - om), rel=1e-9)
    assert h["levelised_krw_per_tco2e"] == pytest.approx(-npv / (h["tco2e_abated"] * annuity), rel=1e-9)


def test_a_complexs_series_do_not_depend_on_which_other_complexes_are_simulated(tmp_path):
    # Load noise is keyed by facility id (docs/energy-model.md): Beautiful Park alone and within the
    # five complexes draw the same hours, so its peak and bill are the same to the last bit.
    alone = tmp_path / "alone.yaml"
    alone.write_text(f"name: alone\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [beautiful_park]\n"
                     "models: [energy]\n")
    every = tmp_path / "every.yaml"
    every.write_text(f"name: every\nextends: {SCENARIOS}/baseline.yaml\nmodels: [energy]\n"
                     "complexes: [juan, bupyeong, machinery, local, beautiful_park]\n")
    values = {}
    for path in (alone, every):
        out = path.with_suffix(".h5")
        made = run(["run", path, "-o", out])
        assert made.returncode == 0, made.stderr
        with h5py.File(out, "r") as f:
            kpi = f[f"runs/{path.stem}/kpi"]
            values[path.stem] = {k: v for k, c, v in zip(kpi["key"].asstr()[:], kpi["complex"].asstr()[:],
                                                         kpi["value"][:]) if c == "beautiful_park"}
    for key in ("annual_load_mwh", "peak_import_kw", "bill_krw", "annual_fuel_mwh"):
        assert values["alone"][key] == values["every"][key], key


def test_a_price_file_with_a_gap_between_periods_exits_2_naming_file_and_line(tmp_path):
    prices = tmp_path / "prices.yaml"
    text = open(f"{SOURCE_DIR}/gis_data/prices/fuel_prices.yaml").read()
    prices.write_text(text.replace("  - from: 2026-01-01", "  - from: 2026-02-01", 1))
    scenario = tmp_path / "gap.yaml"
    scenario.write_text(f"name: gap\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [local]\nmodels: [energy]\n"
                        f"prices: {{fuel: {prices}}}\n")
    out = tmp_path / "gap.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 2, result.stderr
    line = text[:text.index("  - from: 2026-01-01")].count("\n") + 1
    assert f"{prices}:{line}:" in result.stderr and "gap" in result.stderr
    assert not out.exists()


def test_morris_screening_finds_the_grid_factor_and_not_a_cost_moving_the_tonnes(tmp_path):
    scenario = tmp_path / "m.yaml"
    scenario.write_text(
        f"name: m\nextends: {SCENARIOS}/baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n"
        "interventions: [{rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000}}]\n"
        "uncertainty:\n  method: morris\n  samples: 3\n  levels: 4\n  seed: 9\n  inputs:\n"
        "    grid_emission_factor.t_per_mwh: {dist: normal, mean: 0.4173, sd: 0.02}\n"
        "    interventions[0].rooftop_pv.cost_krw_per_kwp: {dist: uniform, min: 1000000, max: 1400000}\n")
    out = tmp_path / "m.h5"
    result = run(["run", scenario, "-o", out])
    assert result.returncode == 0, result.stderr
    with h5py.File(out, "r") as f:
        assert len(f["uncertainty/sample"]) == 3 * (2 + 1)  # r trajectories of k + 1 points
        g = f["sensitivity"]
        assert g.attrs["method"] == "morris"
        outputs = list(g["output"].asstr()[:])
        mu_star = g["mu_star"][:]
    tonnes = outputs.index("tco2e_total")
    # Scope 2 moves with the factor; the PV's price does not change a tonne.
    assert mu_star[tonnes, 0] > 0 and mu_star[tonnes, 1] == 0
