"""The dynamic loading at shift change in a run's results (/runs/<id>/traffic/dynamic) agrees with
the case `sandan dnl --scenario --write-case` writes for the same scenario and with `sandan dnl` on
that case: the same vehicles, every one departing once, and the same arrivals (the model is
deterministic)."""
import csv
import json
import os
import subprocess

import h5py
import numpy as np

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def sandan(*args):
    return subprocess.run([SANDAN, *map(str, args)], capture_output=True, text=True)


def test_dynamic_results_match_the_case_and_its_simulation(tmp_path):
    scenario = tmp_path / "dyn.yaml"
    scenario.write_text(f"name: dyn\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\nmodels: [energy, traffic]\n")
    results = tmp_path / "dyn.h5"
    run = sandan("run", scenario, "-o", results, "-j", "2")
    assert run.returncode == 0, run.stderr
    case = tmp_path / "case"
    written = sandan("dnl", "--scenario", scenario, "--write-case", case)
    assert written.returncode == 0, written.stderr
    out = tmp_path / "out"
    simulated = sandan("dnl", case, "--out", out)
    assert simulated.returncode == 0, simulated.stderr
    summary = json.loads((out / "summary.json").read_text())
    with open(case / "vehicles.csv") as f:
        vehicles = list(csv.DictReader(f))
    with open(case / "zones.csv") as f:
        zones = list(csv.DictReader(f))

    with h5py.File(results) as h5:
        g = h5["runs/dyn/traffic/dynamic"]
        n = len(vehicles)
        assert n > 0
        assert g.attrs["vehicles"] == n == summary["vehicles"]
        assert g.attrs["finished"] == summary["finished"]
        assert g.attrs["vehicle_steps"] == summary["vehicle_steps"]
        # Every vehicle departs once, from its origin zone, in its interval.
        departures = g["zone_departures"][:]
        assert departures.sum() == n
        by_zone = np.bincount([int(v["origin"]) for v in vehicles], minlength=len(zones))
        np.testing.assert_array_equal(departures.sum(axis=0), by_zone)
        assert int(g["class_vehicles"][:].sum()) == n
        # Integerising keeps the window's trips within a vehicle of the matrices'.
        # (bucket rounding keeps the total within half a vehicle; no pair of zones here shares a node).
        assert abs(n - g.attrs["expected_trips"]) <= 1.0
        # The time axis: report intervals from the window's start to the simulation's end.
        t = g["time_s"][:]
        assert t[0] == g.attrs["start_s"] == 57600
        assert np.all(np.diff(t) == g.attrs["report_s"])
        assert t[-1] < g.attrs["simulation_end_s"] <= t[-1] + g.attrs["report_s"]
        # Queues are never negative; the queue in metres is the queue in PCE at jam density.
        assert (g["link_queue_veh"][:] >= 0).all() and (g["link_queue_m"][:] >= 0).all()
        assert g["link_queue_veh"].shape == (len(t), h5["runs/dyn/traffic/link"].shape[0])
        # The mean travel time is never below the free-flow time (a vehicle cannot beat free flow by
        # more than the rounding of link times to whole steps: half a step a link).
        travel = g["class_mean_travel_time_s"][:]
        free = g["class_mean_free_flow_time_s"][:]
        assert (travel >= free - 30).all()
        assert g.attrs["busiest_gate"].startswith("gate:")
