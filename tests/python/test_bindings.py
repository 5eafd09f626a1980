"""The compiled engine from Python (package `sandan`, module `_sandan`), as a researcher uses it.

Each check compares what Python gets with an independent route to the same numbers: the results
file the same call writes (read with h5py), the CLI run on the same input, or sums recomputed from
the hourly arrays.
"""
import os
import subprocess
import threading
import time

import h5py
import numpy as np
import pytest

import sandan

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def small_scenario(folder, name="local_pv", models="[energy, emissions]", extra=""):
    """One complex (Incheon Local) with rooftop PV on half its roofs; seconds to run."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\n"
        f"extends: {SOURCE_DIR}/scenarios/rooftop_pv.yaml\n"
        "complexes: [local]\n"
        f"models: {models}\n" + extra
    )
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("bindings")


@pytest.fixture(scope="module")
def written(folder):
    """A run made from Python that also wrote its results file."""
    out = folder / "local_pv.h5"
    run = sandan.run(small_scenario(folder), output=out, threads=2)
    return run, out


def test_the_package_imports_from_the_build_tree_with_the_engine_version():
    assert sandan.__version__ == sandan.version()
    assert sandan.__version__.count(".") == 2
    # Importing sandan must not drag in the plotting stack.
    assert "matplotlib" not in subprocess.run(
        ["/usr/bin/python3", "-c", "import sandan, sys; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True).stdout


def test_run_returns_the_same_hourly_series_that_it_writes_to_the_results_file(written):
    run, out = written
    energy = run.energy
    assert energy.load_kw.shape == (len(energy.facility_ids), 8760)
    assert energy.load_kw.dtype == np.float32
    with h5py.File(out, "r") as f:
        group = f[f"runs/{run.run_id}/energy"]
        assert [s.decode() for s in group["facility"][:]] == energy.facility_ids
        np.testing.assert_array_equal(group["load_kw"][:], energy.load_kw)
        np.testing.assert_array_equal(group["pv_kw"][:], energy.pv_kw)
        np.testing.assert_array_equal(group["complex_import_kw"][:], energy.complex_import_kw)
        np.testing.assert_array_equal(group["pv_capacity_kwp"][:], energy.pv_capacity_kwp)


def test_the_energy_balance_closes_every_hour_in_the_numpy_arrays(written):
    e = written[0].energy
    supply = (e.pv_kw.astype(np.float64) - e.curtailed_kw + e.battery_kw + e.import_kw - e.export_kw)
    # float32 hour means of loads up to a few MW: ~1e-7 relative.
    assert np.abs(supply - e.load_kw).max() < 1e-2


def test_kpis_agree_with_sums_of_the_hourly_arrays(written):
    run = written[0]
    e = run.energy
    # annual_load_mwh is the year's sum of hourly kW means (1 h each) over the facilities, / 1000.
    assert run.kpi("annual_load_mwh") == pytest.approx(e.load_kw.astype(np.float64).sum() / 1e3, rel=1e-6)
    # annual_pv_mwh counts the PV output before curtailment (curtailed_mwh is its own KPI).
    assert run.kpi("annual_pv_mwh", "local") == pytest.approx(e.pv_kw.astype(np.float64).sum() / 1e3, rel=1e-6)
    assert run.kpi("curtailed_mwh", "local") == pytest.approx(
        e.curtailed_kw.astype(np.float64).sum() / 1e3, rel=1e-6, abs=1e-6)
    frame = run.kpi_frame()
    assert list(frame.columns) == ["key", "complex", "value", "unit"]
    assert len(frame) == len(run.kpis)
    assert frame[(frame.key == "tco2e_total") & (frame.complex == "all")].value.iloc[0] == run.kpi("tco2e_total")
    with pytest.raises(KeyError, match="no KPI"):
        run.kpi("no_such_kpi")


def test_groups_not_run_are_none_and_emissions_add_up(written):
    run = written[0]
    assert run.grid is None and run.traffic is None
    x = run.emissions
    assert x.tco2e.shape == (len(x.areas), len(x.sources))
    assert x.tco2e.sum() == pytest.approx(run.kpi("tco2e_total"), rel=1e-9)


def test_arrays_are_read_only_and_outlive_the_run_object(folder):
    run = sandan.run(small_scenario(folder, "outlive"), threads=2)
    load = run.energy.load_kw
    total = float(load.astype(np.float64).sum())
    assert not load.flags.writeable
    with pytest.raises(ValueError):
        load[0, 0] = 1.0
    del run
    import gc
    gc.collect()
    assert float(load.astype(np.float64).sum()) == total


def test_with_settings_changes_a_scenario_as_a_sweep_would(folder):
    base = sandan.read_scenario(small_scenario(folder, "settings"))
    assert base.name == "settings" and base.complexes == ["local"] and not base.is_batch
    none = base.with_settings({"interventions[0].rooftop_pv.roof_share": 0, "name": "no_pv"})
    assert none.name == "no_pv"
    run = sandan.run(none, threads=2)
    assert run.run_id == "no_pv"
    assert run.kpi("pv_capacity_kwp") == 0.0
    two = base.with_settings({"complexes": ["local", "machinery"]})
    assert two.complexes == ["local", "machinery"]


def test_bad_settings_raise_bad_input_naming_the_key_path(folder):
    base = sandan.read_scenario(small_scenario(folder, "bad_settings"))
    with pytest.raises(sandan.BadInputError) as error:
        base.with_settings({"interventions[0].rooftop_pv.roof_share": 7})
    assert error.value.code == 2
    assert isinstance(error.value, ValueError)
    assert any("roof_share" in p and "out of range" in p for p in error.value.problems)
    with pytest.raises(sandan.BadInputError, match="has no element 5"):
        base.with_settings({"interventions[5].battery.energy_kwh": 1})
    with pytest.raises(TypeError):
        base.with_settings({"seed": {"nested": 1}})


def test_errors_carry_the_message_and_exit_code_of_the_command_line(folder):
    bad = folder / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\nyear: 1850\nwhat: 1\n")
    cli = subprocess.run([SANDAN, "run", str(bad)], capture_output=True, text=True)
    with pytest.raises(sandan.BadInputError) as error:
        sandan.run(bad)
    assert cli.returncode == error.value.code == 2
    assert str(error.value) in cli.stderr
    assert len(error.value.problems) == 2  # the year and the unknown key, at once
    assert all(p.startswith(str(bad)) for p in error.value.problems)


def test_an_unwritable_output_raises_io_error_with_exit_code_3(folder):
    scenario = small_scenario(folder, "unwritable")
    target = folder / "no_such_folder" / "out.h5"
    cli = subprocess.run([SANDAN, "run", str(scenario), "-o", str(target)], capture_output=True, text=True)
    with pytest.raises(sandan.IoError) as error:
        sandan.run(scenario, output=target)
    assert cli.returncode == error.value.code == 3
    assert isinstance(error.value, OSError) and isinstance(error.value, sandan.Error)
    assert not target.exists()


def test_a_run_releases_the_gil_so_python_threads_go_on(folder):
    scenario = small_scenario(folder, "gil", models="[energy, emissions, traffic]")
    ticks = 0
    running = True

    def ticker():
        nonlocal ticks
        while running:
            ticks += 1
            time.sleep(0.002)

    thread = threading.Thread(target=ticker)
    start = time.perf_counter()
    thread.start()
    sandan.run(scenario, threads=1)
    seconds = time.perf_counter() - start
    running = False
    thread.join()
    # With the GIL held for the whole run the ticker could not run at all; released, it ticks about
    # every 2 ms. Asking for a tenth of that leaves room for a loaded machine.
    assert ticks >= max(3, int(seconds / 0.002 / 10))


def test_progress_is_reported_and_an_exception_in_it_reaches_the_caller(folder):
    scenario = small_scenario(folder, "progress")
    seen = []
    sandan.run(scenario, threads=2, progress=lambda stage, done: seen.append((stage, done)))
    shares = [d for _, d in seen]
    assert shares[-1] == 1.0 and shares == sorted(shares)
    assert "facility loads" in [s for s, _ in seen]

    def broken(stage, done):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        sandan.run(scenario, threads=2, progress=broken)


def test_run_batch_runs_a_sweep_into_one_results_file(folder):
    scenario = small_scenario(
        folder, "sweep", models="[energy]",
        extra="facility_series: false\nsweep:\n  interventions[0].rooftop_pv.roof_share: [0, 0.5]\n")
    spec = sandan.read_scenario(scenario)
    assert spec.is_batch and spec.run_ids == ["sweep-0000", "sweep-0001"]
    out = folder / "sweep.h5"
    calls = []
    batch = sandan.run_batch(spec, out, threads=2, progress=lambda done, total: calls.append((done, total)))
    assert batch.run_ids == ["sweep-0000", "sweep-0001"] and batch.runs == 2 and batch.skipped == 0
    assert batch.parameters == [{"interventions[0].rooftop_pv.roof_share": 0},
                                {"interventions[0].rooftop_pv.roof_share": 0.5}]
    assert calls[-1] == (2, 2)
    assert sandan.list_runs(out) == batch.run_ids
    pv = [next(k.value for k in kpis if k.key == "pv_capacity_kwp" and k.complex == "all") for kpis in batch.kpis]
    assert pv[0] == 0.0 and pv[1] > 0.0
    with h5py.File(out, "r") as f:
        assert "energy/load_kw" not in f["runs/sweep-0001"]  # facility_series: false


def test_compare_gives_what_the_command_line_prints_as_json(written, folder):
    import json
    run, out = written
    other = folder / "no_pv.h5"
    sandan.run(sandan.read_scenario(small_scenario(folder, "no_pv")).with_settings(
        {"interventions[0].rooftop_pv.roof_share": 0}), output=other, threads=2)
    cli = subprocess.run([SANDAN, "compare", str(other), str(out), "--format", "json"],
                         capture_output=True, text=True, check=True)
    assert sandan.compare(other, out) == json.loads(cli.stdout)
    assert sandan.compare(f"{other}:no_pv", str(out))["headline"]["tco2e_abated"] > 0
    with pytest.raises(sandan.BadInputError, match="nope"):
        sandan.compare(other, out, b_run="nope")


def test_load_site_reads_the_layout_that_sandan_inspect_reads():
    import json
    layout = os.path.join(SOURCE_DIR, "gis_data", "incheon.gpkg")
    site = sandan.load_site(layout)
    inspect = json.loads(subprocess.run([SANDAN, "inspect", layout, "--json"], capture_output=True,
                                        text=True, check=True).stdout)
    by_complex = {c["complex_id"]: c["facilities"] for c in inspect["complexes"]}
    assert site.complex_ids == list(by_complex)
    for complex_id, count in by_complex.items():
        assert site.facility_complex.count(complex_id) == count
    assert site.crs == "EPSG:5186"
    footprints = site.facility_footprints()
    assert len(footprints) == len(site.facility_ids) == site.facility_xy.shape[0]
    # Each centroid lies within its footprint's bounding box; the floor area is at least the
    # footprint's area (shoelace formula), since buildings have one storey or more.
    for (x, y), polygons, floor in zip(site.facility_xy[:50], footprints[:50], site.facility_floor_area_m2[:50]):
        outer = polygons[0][0]
        assert outer[:, 0].min() <= x <= outer[:, 0].max() and outer[:, 1].min() <= y <= outer[:, 1].max()
        area = 0.5 * abs(np.dot(outer[:-1, 0], outer[1:, 1]) - np.dot(outer[1:, 0], outer[:-1, 1]))
        assert floor >= area * 0.999
    assert len(site.road_lines()) == len(site.road_ids)
    with pytest.raises(sandan.BadInputError):
        sandan.load_site(os.path.join(SOURCE_DIR, "no_such_layout.gpkg"))
