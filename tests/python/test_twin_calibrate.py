"""sandan.calibrate on a measured file made with sandan.ingest from a year of hourly load of a
shipped-layout facility (written here): the report as a dict, the calibration file, and bad input
raising BadInputError with nothing written."""
import math
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import sandan

SOURCE = Path(os.environ.get("SANDAN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SITE = SOURCE / "gis_data" / "incheon.gpkg"


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """2025 (a year the holidays file covers): 300 kW in weekday working hours 08-18, 60 kW otherwise,
    ±5 % of a sine so no hour run is flat."""
    folder = tmp_path_factory.mktemp("calibrate")
    data = folder / "load.csv"
    start = datetime(2025, 1, 1)
    with open(data, "w") as f:
        f.write("meter_id,timestamp,value,unit\n")
        for h in range(8760):
            t = start + timedelta(hours=h)
            working = t.weekday() < 5 and 8 <= t.hour < 18
            value = (300.0 if working else 60.0) * (1.0 + 0.05 * math.sin(0.7 * h))
            f.write(f"m1,{t:%Y-%m-%dT%H:%M},{value:.4f},kWh\n")
    mapping = folder / "map.yaml"
    mapping.write_text("schema: sandan-meter-map\nversion: 1\nmeters:\n  - meter: m1\n    facility: machinery_f0058\n")
    out = folder / "measured.h5"
    sandan.ingest([data], map=mapping, output=out, site=SITE, stamps="start")
    return out


def test_calibrate_returns_the_report_and_writes_the_file(measured, tmp_path):
    out = tmp_path / "calibration.yaml"
    report = sandan.calibrate(measured, site=SITE, output=out, holdout="2025-08-01/2025-09-30")
    assert report["year"] == 2025
    assert report["holdout"] == "2025-08-01/2025-09-30"
    (meter,) = report["meters"]
    assert meter["meter"] == "m1" and meter["method"] == "model"
    assert meter["after"]["holdout"]["hourly"]["passes"]
    # The archetype (before) is judged with p = 0, the fit in sample with its parameters.
    assert meter["before"]["in_sample"]["hourly"]["p"] == 0
    assert meter["after"]["in_sample"]["hourly"]["p"] == meter["parameters"] > 100
    text = out.read_text()
    assert "schema: sandan-calibration" in text and "metrics:" in text


def test_bad_holdout_raises_and_writes_nothing(measured, tmp_path):
    out = tmp_path / "calibration.yaml"
    with pytest.raises(sandan.BadInputError, match="outside the data|not within 2025"):
        sandan.calibrate(measured, site=SITE, output=out, holdout="2024-08-01/2024-09-30")
    with pytest.raises(sandan.BadInputError, match="FROM/TO"):
        sandan.calibrate(measured, site=SITE, output=out, holdout="2025-09-30/2025-08-01")
    assert not out.exists()
