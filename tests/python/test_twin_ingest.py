"""sandan.ingest on the steel plant export (tests/data/steel_plant_2018): the report, the hourly total
against the CSV's own Usage_kWh total computed here with the csv module, and the measured file opened
with xarray (docs/results-schema.md, "Measured files")."""
import csv
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sandan

SOURCE = Path(os.environ.get("SANDAN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DATA = SOURCE / "tests" / "data" / "steel_plant_2018" / "Steel_industry_data_jan-sep.csv"
MAP = SOURCE / "docs" / "examples" / "steel_plant_meter_map.yaml"


def usage_kwh_total():
    """The file's Usage_kWh summed independently of sandan (utf-8-sig drops the byte-order mark)."""
    with open(DATA, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    return len(rows), math.fsum(float(r["Usage_kWh"]) for r in rows)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest") / "measured.h5"
    report = sandan.ingest([DATA], map=MAP, output=out)
    return report, out


def test_report_names_the_conventions(ingested):
    report, _ = ingested
    (meter,) = report["meters"]
    rows, _ = usage_kwh_total()
    assert meter["rows"] == rows == 26208
    assert meter["interval_minutes"] == 15
    assert meter["stamps"] == "end"
    assert meter["first"] == "2018-01-01T00:00+09:00"
    assert meter["end"] == "2018-10-01T00:00+09:00"
    checks = {f["check"]: f for f in meter["findings"]}
    assert checks["midnight_date"]["count"] == 273
    assert checks["midnight_date"]["action"] == "repaired"
    assert "gap" not in checks and "duplicate" not in checks and "negative" not in checks
    # What the data README records: besides the midnight dates, one run of two intervals flagged as a
    # spike on 5 January (stamps 17:15 and 17:30, 145.69 and 117.68 kWh between 69.80 and 41.54).
    assert set(checks) == {"midnight_date", "spike"}
    assert checks["spike"]["first"] == "2018-01-05T17:00+09:00"
    assert checks["spike"]["action"] == "flagged"


def test_hourly_total_equals_the_files_total(ingested):
    report, out = ingested
    _, total = usage_kwh_total()
    assert total == pytest.approx(729316.67, abs=0.01)
    assert report["meters"][0]["hourly_total_kwh"] == pytest.approx(total, rel=1e-12)
    with xr.open_dataset(out, group="measured", engine="h5netcdf") as ds:
        energy = ds["energy_kwh"].sel(meter="steel_plant").values
        assert energy.shape == (6552,)
        assert not np.isnan(energy).any()
        assert energy.sum() == pytest.approx(total, rel=1e-12)
        # Hour 0 is 1 January 00:00-01:00 KST: the first four rows (stamps 00:15 ... 01:00).
        assert ds["time"].values[0] == np.datetime64("2018-01-01T00:00")
        with open(DATA, newline="", encoding="utf-8-sig") as f:
            first_hour = sum(float(r["Usage_kWh"]) for _, r in zip(range(4), csv.DictReader(f)))
        assert energy[0] == pytest.approx(first_hour, rel=1e-12)
        assert ds["target_id"].values[0] == "machinery_f0058"
        assert ds["interval_minutes"].values[0] == 15
    with xr.open_dataset(out, group="measured/quality", engine="h5netcdf") as q:
        assert "midnight_date" in list(q["check"].values)
    with xr.open_dataset(out, group="measured/native/steel_plant", engine="h5netcdf") as n:
        assert n.sizes["time"] == 26208
        assert n["energy_kwh"].values.sum() == pytest.approx(total, rel=1e-12)


def test_bad_input_raises_and_writes_nothing(tmp_path):
    bad_map = tmp_path / "map.yaml"
    bad_map.write_text("schema: sandan-meter-map\nversion: 1\nmeters:\n"
                       "  - meter: steel_plant\n    file: Steel_industry_data_jan-sep.csv\n"
                       "    facility: no_such_facility\n")
    out = tmp_path / "measured.h5"
    with pytest.raises(sandan.BadInputError) as error:
        sandan.ingest(DATA, map=bad_map, output=out)
    assert "no_such_facility" in str(error.value)
    assert not out.exists()


def test_cli_json_matches_the_binding(ingested, tmp_path):
    exe = os.environ.get("SANDAN_EXE")
    if not exe:
        pytest.skip("SANDAN_EXE not set")
    import json
    run = subprocess.run([exe, "ingest", str(DATA), "--map", str(MAP), "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    assert cli["meters"][0]["findings"] == ingested[0]["meters"][0]["findings"]
