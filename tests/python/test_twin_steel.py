"""The twin's worked example end to end, as a user runs it (docs/twin.md): the real steel plant's
15-minute meter of January-September 2018 (tests/data/steel_plant_2018) ingested with the example
mapping, calibrated to facility machinery_f0058 with August-September held out, forecast a day ahead
over the held-out months, and a scenario run on the calibrated baseline.

Every figure asserted is recomputed here from the CSV, the calibration file, the holidays file and
the EPW, independently of the engine's code."""
import csv
import json
import math
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

import sandan

SANDAN = os.environ.get("SANDAN_EXE")
SOURCE = Path(os.environ.get("SANDAN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CSV = SOURCE / "tests" / "data" / "steel_plant_2018" / "Steel_industry_data_jan-sep.csv"
MAP = SOURCE / "docs" / "examples" / "steel_plant_meter_map.yaml"
SITE = SOURCE / "gis_data" / "incheon.gpkg"
EPW = SOURCE / "gis_data" / "weather" / "incheon_synthetic.epw"
HOLIDAYS = SOURCE / "gis_data" / "calendar" / "holidays_kr.csv"
DAY_TYPES = ["weekday", "saturday", "sunday", "holiday", "shutdown"]


def sandan_cli(*args, cwd):
    done = subprocess.run([SANDAN, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def hourly_from_csv():
    """The plant's hourly kWh: Usage_kWh is end-stamped (00:15 closes 00:00-00:15) and rows run in
    order from 2018-01-01 00:15 to 2018-10-01 00:00, so four rows at a time make an hour."""
    with open(CSV, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    values = np.array([float(r["Usage_kWh"]) for r in rows])
    return values.reshape(-1, 4).sum(axis=1)


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("steel")
    sandan_cli("ingest", CSV, "--map", MAP, "-o", "measured.h5", cwd=folder)
    report = json.loads(sandan_cli("calibrate", "measured.h5", "--site", SITE, "--holdout",
                                   "2018-08-01/2018-09-30", "-o", "calibration.yaml", "--json", cwd=folder))
    return folder, report


def test_calibration_cuts_the_error_and_meets_guideline_14_monthly_in_sample(twin):
    _, report = twin
    (meter,) = report["meters"]
    assert meter["target_id"] == "machinery_f0058" and meter["method"] == "model"
    before, after = meter["before"], meter["after"]
    # The archetype (4,898 m2 x 450 kWh/m2 = 2,204 MWh a year) is 2.3 times the plant's 975 MWh.
    assert before["holdout"]["hourly"]["nmbe_pct"] < -100
    # Calibrated: Guideline 14's monthly criteria (|NMBE| <= 5 %, CV(RMSE) <= 15 %) in sample ...
    assert after["in_sample"]["monthly"]["passes"]
    # ... and on the held-out months a bias of about a seventh (the plant used less in August and
    # September than in January-July: 92 and 80 kW against 108-170 kW, see docs/twin.md).
    assert abs(after["holdout"]["hourly"]["nmbe_pct"]) < 20
    assert after["holdout"]["hourly"]["cv_rmse_pct"] < 0.5 * before["holdout"]["hourly"]["cv_rmse_pct"]


def test_no_calendar_model_can_meet_the_hourly_criterion_on_this_plant():
    """Guideline 14's hourly CV(RMSE) <= 30 % is out of reach for any model of calendar and weather
    here: even one told each day's measured total (an oracle), spreading it by the mean shape of its
    kind of day, scatters by about 50 % hour to hour. The plant's production varies from day to day
    (weekday totals have a coefficient of variation near 40 %)."""
    hourly = hourly_from_csv().reshape(-1, 24)
    totals = hourly.sum(axis=1)
    weekday = np.array([(date(2018, 1, 1) + timedelta(days=d)).weekday() for d in range(len(totals))])
    predicted = np.zeros_like(hourly)
    for group in (weekday < 5, weekday == 5, weekday == 6):
        shape = (hourly[group] / np.maximum(totals[group], 1.0)[:, None]).mean(axis=0)
        predicted[group] = totals[group][:, None] * shape
    cv_pct = 100 * math.sqrt(((hourly - predicted) ** 2).mean()) / hourly.mean()
    assert cv_pct > 45
    weekday_totals = totals[weekday < 5]
    assert weekday_totals.std() / weekday_totals.mean() > 0.3


def test_day_ahead_forecasts_over_the_held_out_months_beat_persistence(twin):
    folder, _ = twin
    measured_h, forecast_h, day_before_h = [], [], []
    start = date(2018, 8, 2)
    for d in range(60):  # every day from 2 August to 30 September
        day = start + timedelta(days=d)
        result = sandan.forecast(folder / "calibration.yaml", measured=folder / "measured.h5",
                                 start=day.isoformat(), hours=24, site=SITE)
        measured_h.append(result["measured_kw"][0])
        forecast_h.append(result["forecast_kw"][0])
        day_before_h.append(result["persistence_day_kw"][0])
    y, f, p = (np.concatenate(x) for x in (measured_h, forecast_h, day_before_h))
    assert len(y) == 1440 and not np.isnan(y).any()
    cv = lambda predicted: 100 * math.sqrt(((y - predicted) ** 2).mean()) / y.mean()  # noqa: E731
    # The day-ahead figure docs/twin.md quotes: CV(RMSE) of the corrected model against the same hour
    # the day before.
    assert cv(f) < cv(p)
    assert cv(f) < 90


def model_kw_2026(calibration):
    """The calibrated model of docs/twin.md evaluated by hand on the 2026 calendar and weather:
    base_kw[day type][hour] + heating slope (Th - T)+ + cooling slope (T - Tc)+."""
    (entry,) = calibration["loads"]
    kinds = {}
    with open(HOLIDAYS, encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if row["date"].startswith("2026-"):
                day = date.fromisoformat(row["date"])
                # Shutdown wins over a holiday on the same date (core/calendar.hpp).
                kinds[day] = "shutdown" if row["kind"] == "shutdown" or kinds.get(day) == "shutdown" else "holiday"
    with open(EPW) as f:
        temperature = [float(line.split(",")[6]) for line in f.readlines()[8:]]
    kw = np.zeros(8760)
    for h in range(8760):
        day = date(2026, 1, 1) + timedelta(days=h // 24)
        kind = kinds.get(day) or ("sunday" if day.weekday() == 6 else "saturday" if day.weekday() == 5 else "weekday")
        t = temperature[h]
        value = entry["base_kw"][kind][h % 24]
        if entry["heating_slope_kw_per_k"] > 0 and t < entry["heating_change_c"]:
            value += entry["heating_slope_kw_per_k"] * (entry["heating_change_c"] - t)
        if entry["cooling_slope_kw_per_k"] > 0 and t > entry["cooling_change_c"]:
            value += entry["cooling_slope_kw_per_k"] * (t - entry["cooling_change_c"])
        kw[h] = max(value, 0.0)
    return kw


def facility_load(path, run, facility="machinery_f0058"):
    with h5py.File(path) as f:
        energy = f["runs"][run]["energy"]
        ids = [x.decode() if isinstance(x, bytes) else x for x in energy["facility"][:]]
        return energy["load_kw"][ids.index(facility), :].astype(float)


def test_a_scenario_with_the_calibration_runs_the_calibrated_facility_and_interventions_act_on_it(twin):
    folder, _ = twin
    calibration = yaml.safe_load((folder / "calibration.yaml").read_text())
    quiet = dict(calibration)
    quiet["loads"] = [dict(calibration["loads"][0], noise_sd=0.0)]
    quiet.pop("metrics")
    (folder / "quiet.yaml").write_text(yaml.safe_dump(quiet))
    base = f"extends: {SOURCE}/scenarios/baseline.yaml\ncomplexes: [machinery]\nmodels: [energy]\n"
    (folder / "twin.yaml").write_text("name: twin\n" + base + "calibration: calibration.yaml\n")
    (folder / "quiet_run.yaml").write_text("name: quiet\n" + base + "calibration: quiet.yaml\n")
    (folder / "saving.yaml").write_text(
        "name: saving\n" + base + "calibration: calibration.yaml\n"
        "interventions:\n  - efficiency: {complexes: [machinery], electricity_saving: 0.1}\n")
    for name in ("twin", "quiet_run", "saving"):
        sandan_cli("run", f"{name}.yaml", "-o", f"{name}.h5", cwd=folder)
    expected = model_kw_2026(calibration)
    # Without noise the run is the fitted model hour by hour (float32 series).
    quiet_kw = facility_load(folder / "quiet_run.h5", "quiet")
    np.testing.assert_allclose(quiet_kw, expected, rtol=1e-5, atol=1e-3)
    # With the fitted noise (sd 0.45, hour-to-hour autocorrelation 0.73) the hours move but the year's
    # energy is the model's.
    noisy_kw = facility_load(folder / "twin.h5", "twin")
    assert noisy_kw.sum() == pytest.approx(expected.sum(), rel=1e-5)
    assert np.abs(noisy_kw - expected).max() > 1.0
    # The intervention acts on the calibrated baseline: a tenth less, hour by hour.
    np.testing.assert_allclose(facility_load(folder / "saving.h5", "saving"), 0.9 * noisy_kw, rtol=1e-5, atol=1e-3)
