"""`sandan forecast` and sandan.forecast end to end: a calibration and a measured file made here, the
/forecast file read back with h5py and xarray, and bad input refused with exit code 2 and no file.

The measured data are the calibration's model plus an AR(1) residual (φ = 0.8, a stationary sd of
5 kW), for three facilities of the shipped layout (two in Juan, one in Bupyeong), 2026-01-01 to
2026-03-31 KST. The model's base load is the same on every day type and it has no temperature terms,
so the model of an hour is base_kw[hour of day] whatever the calendar and the weather.
"""
import json
import os
import subprocess

import h5py
import numpy as np
import pytest

SANDAN = os.environ.get("SANDAN_EXE")
SOURCE_DIR = os.environ.get("SANDAN_SOURCE_DIR")
HOURS = 90 * 24  # 2026-01-01 to 2026-03-31
FACILITIES = [("juan_f0001", "juan"), ("juan_f0002", "juan"), ("bupyeong_f0001", "bupyeong")]
BASE_KW = [100.0] * 8 + [250.0] * 10 + [100.0] * 6
PHI = 0.8


def write_measured(path, values):
    """A measured file as `sandan ingest` writes it (docs/results-schema.md, "Measured files")."""
    text = h5py.string_dtype("utf-8")
    m = len(values)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "sandan-measured"
        f.attrs["schema_version"] = np.int64(1)
        g = f.create_group("measured")
        g.attrs["start_year"] = np.int64(2026)
        g.attrs["first_hour"] = np.int64(0)
        g["meter"] = np.array([f"m_{fid}" for fid, _ in FACILITIES], dtype=object).astype(text)
        g["time"] = np.arange(HOURS, dtype="f8")
        g["energy_kwh"] = np.asarray(values, dtype="f8")
        for name, column in [("target", ["facility"] * m), ("target_id", [fid for fid, _ in FACILITIES]),
                             ("quantity", ["load"] * m), ("unit", ["kWh"] * m), ("source", ["test"] * m)]:
            g[name] = np.array(column, dtype=object).astype(text)
        g["interval_minutes"] = np.full(m, 60, dtype="i8")
        g["scale_applied"] = np.ones(m)
        g["capacity_kwp"] = np.zeros(m)
        g["sources"] = np.array(["test"], dtype=object).astype(text)
        q = g.create_group("quality")
        q["finding"] = np.zeros(0, dtype="i8")
        q["count"] = np.zeros(0, dtype="i8")
        for name in ["meter_id", "check", "first", "action", "detail"]:
            q.create_dataset(name, shape=(0,), dtype=text)


def write_calibration(path):
    days = "".join(f"      {d}: [{', '.join(str(v) for v in BASE_KW)}]\n"
                   for d in ["weekday", "saturday", "sunday", "holiday", "shutdown"])
    loads = "".join(f"  - facility: {fid}\n    meter: m_{fid}\n    method: model\n    base_kw:\n{days}"
                    f"    heating_change_c: 15\n    heating_slope_kw_per_k: 0\n    cooling_change_c: 22\n"
                    f"    cooling_slope_kw_per_k: 0\n    noise_sd: 5\n    noise_autocorrelation: {PHI}\n"
                    for fid, _ in FACILITIES)
    path.write_text(f"schema: sandan-calibration\nversion: 1\nyear: 2026\nloads:\n{loads}")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    rng = np.random.default_rng(20260301)
    model = np.tile(BASE_KW, HOURS // 24)
    values = []
    for _ in FACILITIES:
        e = np.empty(HOURS)
        e[0] = rng.normal(0.0, 5.0)
        innovations = rng.normal(0.0, 5.0 * np.sqrt(1 - PHI**2), HOURS)
        for h in range(1, HOURS):
            e[h] = PHI * e[h - 1] + innovations[h]
        values.append(model + e)
    write_measured(folder / "measured.h5", values)
    write_calibration(folder / "calibration.yaml")
    return folder, np.array(values)


def forecast_cli(folder, *args):
    command = [SANDAN, "forecast", str(folder / "calibration.yaml"), "--measured", str(folder / "measured.h5"),
               *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=SOURCE_DIR)


def test_forecast_file_round_trip(inputs):
    folder, values = inputs
    out = folder / "forecast.h5"
    done = forecast_cli(folder, "--from", "2026-03-01", "--hours", "48", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Scores against the measurements" in done.stdout
    first = 59 * 24  # 2026-03-01 00:00 is hour 1416 of 2026
    with h5py.File(out, "r") as f:
        assert f.attrs["schema"] == "sandan-forecast"
        g = f["forecast"]
        assert g.attrs["issued_at"] == "2026-02-28T23:00:00+09:00"
        assert g.attrs["correction_age_h"] == 0
        assert g.attrs["horizon_h"] == 48
        assert g.attrs["calibration"].endswith("calibration.yaml")
        assert g.attrs["weather"].endswith("incheon_synthetic.epw")  # the repository's typical year
        assert list(g["facility"].asstr()[:]) == [fid for fid, _ in FACILITIES]
        assert list(g["complex"].asstr()[:]) == ["juan", "bupyeong"]
        assert list(g["forecaster"].asstr()[:]) == ["forecast", "model", "persistence_day", "persistence_week"]
        np.testing.assert_array_equal(g["time"][:], np.arange(first, first + 48))
        np.testing.assert_array_equal(g["measured_kw"][:], values[:, first:first + 48])
        np.testing.assert_allclose(g["model_kw"][0], np.tile(BASE_KW, 2))
        # The complexes are the sums of their facilities.
        fc = g["forecast_kw"][:]
        np.testing.assert_allclose(g["complex_forecast_kw"][0], fc[0] + fc[1])
        np.testing.assert_allclose(g["complex_forecast_kw"][1], fc[2])
        assert np.isnan(g["complex_meter_kw"][:]).all()
        # The correction at lead k = 1 (hour 1416, after the last measured hour 1415): b + φ (r_last − b).
        b = g["residual_level_kw"][:]
        r_last = values[:, first - 1] - BASE_KW[23]
        np.testing.assert_allclose(g["residual_last_kw"][:], r_last)
        np.testing.assert_allclose(b, (values[:, first - 168:first] - np.tile(BASE_KW, 7)).mean(axis=1))
        np.testing.assert_allclose(fc[:, 0], BASE_KW[0] + b + PHI * (r_last - b))
        # Every method scored on the 48 hours, the naive references from the measurements.
        np.testing.assert_array_equal(g["scored_hours"][:], 48)
        np.testing.assert_array_equal(g["persistence_day_kw"][0], np.tile(values[0, first - 24:first], 2))
        np.testing.assert_array_equal(g["persistence_week_kw"][0], values[0, first - 168:first - 120])
        mape = g["mape_pct"][:]
        y = values[:, first:first + 48]
        np.testing.assert_allclose(mape[:, 0], 100 * np.mean(np.abs(y - fc) / y, axis=1))
    xr = pytest.importorskip("xarray")
    ds = xr.open_dataset(out, group="forecast", engine="h5netcdf")
    assert ds.forecast_kw.dims == ("facility", "time")
    assert ds.mape_pct.dims == ("facility", "forecaster")
    assert ds.complex_forecast_kw.dims == ("complex", "time")
    assert str(ds.time.values[0]).startswith("2026-03-01T00:00")
    assert float(ds.mape_pct.sel(facility="juan_f0001", forecaster="model")) > 0
    ds.close()
    # --json: one object with the same figures.
    done = forecast_cli(folder, "--from", "2026-03-01T00", "--hours", "48", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["issued_at"] == "2026-02-28 23:00"
    assert [c["id"] for c in report["complexes"]] == ["juan", "bupyeong"]
    assert report["facilities"][0]["metrics"]["forecast"]["hours"] == 48
    np.testing.assert_allclose(report["facilities"][0]["forecast_kw"], fc[0])


def test_forecast_after_the_data(inputs):
    folder, _ = inputs
    # The data end 2026-03-31 23:00; a day later the correction is 24 hours old and nothing is scored.
    out = folder / "late.h5"
    done = forecast_cli(folder, "--from", "2026-04-02T00", "--hours", "24", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "nothing to score" in done.stdout
    with h5py.File(out, "r") as f:
        assert f["forecast"].attrs["correction_age_h"] == 24
        assert np.isnan(f["forecast/measured_kw"][:]).all()
        assert (f["forecast/scored_hours"][:] == 0).all()


@pytest.mark.parametrize("args,words", [
    (["--from", "2025-12-01", "--hours", "48"], "not after the start of the measured data"),
    (["--from", "2026-05-01", "--hours", "48"], "no metered facility has a measured hour in the 7 days"),
    (["--from", "2026-03-01", "--hours", "0"], "give 1 to 8760 hours"),
    (["--from", "2026-03-01", "--hours", "8761"], "give 1 to 8760 hours"),
    (["--from", "2026-03-01T25", "--hours", "48"], "YYYY-MM-DDTHH"),
    (["--from", "2026-03-01", "--weather", "no_such.epw"], "no_such.epw"),
])
def test_bad_input_exits_2_and_writes_nothing(inputs, args, words):
    folder, _ = inputs
    out = folder / "bad.h5"
    done = forecast_cli(folder, *args, "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert not out.exists()
    assert not [p for p in folder.iterdir() if ".tmp-" in p.name]


def test_unknown_calibration_file_exits_2(inputs):
    folder, _ = inputs
    out = folder / "bad.h5"
    done = subprocess.run([SANDAN, "forecast", str(folder / "missing.yaml"), "--measured",
                           str(folder / "measured.h5"), "--from", "2026-03-01", "-o", str(out)],
                          capture_output=True, text=True, cwd=SOURCE_DIR)
    assert done.returncode == 2
    assert "missing.yaml" in done.stderr
    assert not out.exists()


def test_python_forecast(inputs):
    sandan = pytest.importorskip("sandan")
    folder, values = inputs
    out = folder / "py.h5"
    result = sandan.forecast(folder / "calibration.yaml", measured=folder / "measured.h5", start="2026-03-01",
                             hours=48, output=out)
    assert result["facility"] == [fid for fid, _ in FACILITIES]
    assert result["forecast_kw"].shape == (3, 48)
    assert result["time"][0] == np.datetime64("2026-03-01T00", "h")
    np.testing.assert_allclose(result["complex_forecast_kw"][0], result["forecast_kw"][0] + result["forecast_kw"][1])
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(f["forecast/forecast_kw"][:], result["forecast_kw"])
    with pytest.raises(sandan.BadInputError):
        sandan.forecast(folder / "calibration.yaml", measured=folder / "measured.h5", start="2025-01-01")
