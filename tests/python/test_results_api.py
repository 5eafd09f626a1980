"""`sandan.results`: results files as xarray Datasets and pandas DataFrames.

Every number is checked against the file as h5py reads it (the raw arrays and attributes, summed
here with numpy) or against `sandan compare --format json`, an independent route through the C++
reader.
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import xarray as xr

import sandan
import sandan.results as sr

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def raw_kpis(path, run):
    with h5py.File(path, "r") as f:
        g = f[f"runs/{run}/kpi"]
        return {(k, c): v for k, c, v in zip(g["key"].asstr()[:], g["complex"].asstr()[:], g["value"][:])}


def compare_json(a, b):
    out = subprocess.run([SANDAN, "compare", str(a), str(b), "--format", "json"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_file_lists_its_runs_in_index_order_with_root_attributes(small_results):
    with sr.open(small_results.sweep) as r, h5py.File(small_results.sweep, "r") as f:
        assert r.runs == list(f["index/run_id"].asstr()[:]) == [f"sw-{i:04d}" for i in range(4)]
        assert len(r) == 4 and "sw-0002" in r and "nope" not in r
        assert r.sandan_version == f.attrs["sandan_version"] and r.created == f.attrs["created"]
        assert "sandan run" in r.command


def test_the_index_decodes_a_sweeps_parameters_into_columns(small_results):
    with sr.open(small_results.sweep) as r, h5py.File(small_results.sweep, "r") as f:
        index = r.index
        assert list(index.index) == r.runs
        params = [json.loads(p) for p in f["index/parameters"].asstr()[:]]
        assert r.parameter_columns == ["interventions[0].rooftop_pv.roof_share",
                                       "interventions[1].battery.energy_kwh"]
        for column in r.parameter_columns:
            assert list(index[column]) == [p[column] for p in params]
        # The sweep's last axis varies fastest (docs/scenarios.md).
        assert list(index["interventions[1].battery.energy_kwh"]) == [0, 2000, 0, 2000]
        assert np.array_equal(index["tco2e_total"].to_numpy(), f["index/tco2e_total"][:])
        assert index.loc["sw-0003", "status"] == "ok"
        assert list(index.columns[:4]) == ["scenario", "status", "parameters", "annual_load_mwh"]


def test_a_runs_groups_are_lazy_xarray_datasets_and_missing_ones_are_explained(small_results):
    with sr.open(small_results.ref) as r:
        run = r["ref"]
        assert set(run.groups) >= {"energy", "grid", "traffic", "emissions", "kpi"}
        energy = run.energy
        assert isinstance(energy, xr.Dataset) and energy.load_kw.dims == ("facility", "time")
        # Opening is lazy: no variable has been read into memory yet.
        assert not energy.load_kw.variable._in_memory
        assert run.energy is energy  # opened once
        assert run["traffic"].link_flow_veh_h.dims == ("day_type", "hour", "link", "class")
    with sr.open(small_results.sweep) as r:
        run = r["sw-0001"]
        assert run.grid is None and run.traffic is None and run.emissions is not None
        with pytest.raises(KeyError) as error:
            run["traffic"]
        assert "sw-0001" in str(error.value) and "no group 'traffic'" in str(error.value)
        assert str(small_results.sweep) in str(error.value)


def test_the_kpi_table_is_the_files_table_long_and_wide(small_results):
    raw = raw_kpis(small_results.alt, "alt")
    with sr.open_run(small_results.alt) as run:
        kpi = run.kpi
        assert list(kpi.columns) == ["key", "complex", "value", "unit"]
        assert {(k, c): v for k, c, v in zip(kpi.key, kpi.complex, kpi.value)} == raw
        wide = run.kpi_table()
        assert list(wide.columns) == ["local", "all", "unit"]
        assert wide.loc["tco2e_total", "all"] == raw[("tco2e_total", "all")]
        assert wide.loc["annual_load_mwh", "local"] == raw[("annual_load_mwh", "local")]
        assert wide.loc["tco2e_total", "unit"] == "tCO2eq"
        assert run.kpi_value("annualised_cost_krw") == raw[("annualised_cost_krw", "all")]
        with pytest.raises(KeyError):
            run.kpi_value("made_up")


def test_every_runs_kpis_in_one_frame_are_the_tables_read_run_by_run(small_results):
    # The slow way, independently: each run's KPI group opened with xarray, and its parameters as
    # h5py reads /index.
    path = small_results.sweep
    with h5py.File(path, "r") as f:
        ids = list(f["index/run_id"].asstr()[:])
        params = dict(zip(ids, (json.loads(p) for p in f["index/parameters"].asstr()[:])))
    expected = []
    for run in ids:
        with xr.open_dataset(path, group=f"runs/{run}/kpi", engine="h5netcdf") as ds:
            table = ds.load().to_dataframe()
        for key, cx, value, unit in zip(table.key, table.complex, table.value, table.unit):
            expected.append((run, key, cx, value, unit))
    long = sr.kpis(path)
    swept = ["interventions[0].rooftop_pv.roof_share", "interventions[1].battery.energy_kwh"]
    assert list(long.columns) == ["run_id", *swept, "complex", "key", "value", "unit"]
    assert long.attrs["parameter_columns"] == swept
    assert list(zip(long.run_id, long.key, long.complex, long.value, long.unit)) == expected
    for row in long.itertuples(index=False):
        assert [getattr(row, f"_{1 + i}") for i in range(2)] == [params[row.run_id][c] for c in swept]
    # Wide: one row a run × complex, the complexes before "all", one column a key, units aside.
    wide = sr.kpis(path, wide=True)
    assert list(wide.index) == [(run, cx) for run in ids for cx in ("local", "all")]
    assert list(wide.columns[:2]) == swept
    for run, key, cx, value, unit in expected:
        assert wide.loc[(run, cx), key] == value
        assert wide.attrs["units"][key] == unit
    assert wide.loc[("sw-0003", "all"), swept[1]] == 2000
    # Some runs, in the order asked; the file's method gives the same frame.
    with sr.open(path) as r:
        some = r.kpis(runs=["sw-0002", "sw-0000"])
        assert list(dict.fromkeys(some.run_id)) == ["sw-0002", "sw-0000"]
        assert r.kpis().equals(long)
        with pytest.raises(sandan.BadInputError) as error:
            r.kpis(runs=["sw-0009"])
        assert "no run 'sw-0009'" in str(error.value) and str(path) in str(error.value)
        with pytest.raises(ValueError, match="'sw-0001' twice"):
            r.kpis(runs=["sw-0001", "sw-0002", "sw-0001"])


def test_a_run_without_a_kpi_table_is_refused_naming_file_and_run(small_results, tmp_path):
    broken = tmp_path / "broken.h5"
    broken.write_bytes(small_results.sweep.read_bytes())
    with h5py.File(broken, "a") as f:
        del f["runs/sw-0001/kpi"]
    with pytest.raises(sandan.BadInputError) as error:
        sr.kpis(broken)
    assert str(broken) in str(error.value) and "'sw-0001' has no KPI table" in str(error.value)
    assert len(sr.kpis(broken, runs=["sw-0000", "sw-0002"])) > 0


def test_scenario_parameters_and_site_come_from_the_run_attributes(small_results):
    with h5py.File(small_results.sweep, "r") as f:
        attrs = dict(f["runs/sw-0002"].attrs)
    with sr.open(small_results.sweep) as r:
        run = r.run("sw-0002")
        assert run.scenario == attrs["scenario"] and "rooftop_pv" in run.scenario
        assert run.parameters == json.loads(attrs["parameters"]) == {
            "interventions[0].rooftop_pv.roof_share": 0.8, "interventions[1].battery.energy_kwh": 0}
        assert run.year == 2026 and run.scenario_name == "sw"
        assert os.path.samefile(run.site_path, os.path.join(SOURCE_DIR, "gis_data", "incheon.gpkg"))
    with sr.open_run(small_results.ref) as run:
        assert run.parameters == {}
        assert run.grid_t_per_mwh == 0.4173  # scenarios/baseline.yaml


def test_open_run_takes_file_colon_run_and_needs_it_for_a_file_of_several(small_results):
    with sr.open_run(f"{small_results.sweep}:sw-0003") as run:
        assert run.id == "sw-0003"
    with pytest.raises(sandan.BadInputError) as error:
        sr.open_run(small_results.sweep)
    assert "holds 4 runs" in str(error.value) and str(small_results.sweep) in str(error.value)
    with pytest.raises(sandan.BadInputError) as error:
        sr.open(small_results.ref).run("nope")
    assert "no run 'nope'" in str(error.value) and error.value.code == 2


def test_files_that_are_not_results_are_refused_naming_the_file(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5")
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["schema"] = "something-else"
    missing = tmp_path / "missing.h5"
    for path, words in ((text, "not an HDF5 file"), (other, 'schema is "something-else"'),
                        (missing, "no such results file")):
        with pytest.raises(sandan.BadInputError) as error:
            sr.open(path)
        assert str(path) in str(error.value) and words in str(error.value)
        assert isinstance(error.value, ValueError) and error.value.code == 2


def test_closing_releases_the_file(small_results, tmp_path):
    copy = tmp_path / "copy.h5"
    copy.write_bytes(small_results.ref.read_bytes())
    with sr.open(copy) as r:
        r["ref"].energy.complex_load_kw.values.sum()
        r["ref"].traffic
    # HDF5 refuses to reopen a file for writing while this process still has it open.
    with h5py.File(copy, "r+"):
        pass
    run = sr.open_run(copy)
    run.energy.complex_load_kw.values.sum()
    run.close()
    with h5py.File(copy, "r+"):
        pass
    with pytest.raises(ValueError):
        run.file.run("ref")


def test_the_monthly_balance_adds_up_to_the_load_and_the_annual_kpis(small_results):
    with h5py.File(small_results.alt, "r") as f:
        e = f["runs/alt/energy"]
        hours = e["time"][:]  # hours since 1 January (docs/results-schema.md)
        months = (np.datetime64("2026-01-01T00") + hours.astype("timedelta64[h]")).astype("datetime64[M]")
        month = (months - months[0]).astype(int)
        load = e["complex_load_kw"][0].astype(np.float64)
        pv = e["complex_pv_kw"][0].astype(np.float64)
        battery = e["complex_battery_kw"][0].astype(np.float64)
    monthly_load = np.bincount(month, weights=load) / 1000
    with sr.open_run(small_results.alt) as run:
        table = run.monthly_balance()
        assert np.allclose(table["load"], monthly_load, rtol=1e-12)
        assert np.allclose(table[["pv_used", "battery_used", "import_used"]].sum(axis=1), table["load"],
                           rtol=1e-6)
        assert table["load"].sum() == pytest.approx(run.kpi_value("annual_load_mwh"), rel=1e-6)
        assert table["pv"].sum() == pytest.approx(pv.sum() / 1000, rel=1e-12)
        assert table["battery_discharge"].sum() == pytest.approx(battery.clip(min=0).sum() / 1000, rel=1e-12)
        assert table["pv_used"].sum() > 0 and table["battery_used"].sum() > 0  # PV and the battery work
        assert (table[["pv_used", "battery_used", "import_used"]] >= -1e-9).all().all()
        assert run.monthly_balance("local").equals(table)  # the only complex


def test_facility_figures_sum_to_the_complex_kpis(small_results):
    with h5py.File(small_results.alt, "r") as f:
        e = f["runs/alt/energy"]
        first_load = e["load_kw"][0].astype(np.float64).sum() / 1000
        first_import = e["import_kw"][0].astype(np.float64).sum() / 1000
        ids = list(e["facility"].asstr()[:])
    with sr.open_run(small_results.alt) as run:
        table = run.facility_annual()
        assert list(table.index) == ids
        assert table["annual_load_mwh"].iloc[0] == pytest.approx(first_load, rel=1e-12)
        assert table["self_sufficiency"].iloc[0] == pytest.approx(1 - first_import / first_load, rel=1e-9)
        for column in ("annual_load_mwh", "annual_pv_mwh", "pv_capacity_kwp", "bill_krw"):
            assert table[column].sum() == pytest.approx(run.kpi_value(column, "local"), rel=1e-6), column


def test_emissions_by_scope_and_source_match_the_kpis(small_results):
    with sr.open_run(small_results.alt) as run:
        scopes = run.emissions_by_scope()
        assert list(scopes.index) == ["local", "outside", "all"]
        for scope in ("scope1", "scope2", "transport", "total"):
            assert scopes.loc["all", scope] == pytest.approx(run.kpi_value(f"tco2e_{scope}"), rel=1e-12)
            assert scopes.loc["local", scope] == pytest.approx(run.kpi_value(f"tco2e_{scope}", "local"),
                                                               rel=1e-12)
        sources = run.emissions_by_source()
        assert sources.sum() == pytest.approx(run.kpi_value("tco2e_total"), rel=1e-12)
        assert sources.attrs["scope"]["electricity"] == "scope2"
        assert sources["electric_vehicles"] > 0  # ev_trucks


@pytest.mark.parametrize("by", ["scope", "source"])
def test_abatement_steps_run_from_one_total_to_the_other_and_match_compare(small_results, by):
    headline = compare_json(small_results.ref, small_results.alt)["headline"]
    with sr.open_run(small_results.ref) as ref, sr.open_run(small_results.alt) as alt:
        steps = sr.abatement_steps(ref, alt, by=by)
        changes = steps[steps.kind == "change"]
        # By source the totals are Python's sums of the sources, the KPI the engine's sum in its own
        # order: equal to the last bits only by chance.
        assert steps["end"].iloc[0] == pytest.approx(ref.kpi_value("tco2e_total"), rel=1e-12)
        assert steps["end"].iloc[-1] == pytest.approx(alt.kpi_value("tco2e_total"), rel=1e-12)
        assert changes["end"].iloc[-1] == pytest.approx(alt.kpi_value("tco2e_total"), rel=1e-12)
        assert -changes["delta"].sum() == pytest.approx(headline["tco2e_abated"], rel=1e-9)
        assert np.allclose(changes["start"].to_numpy()[1:], changes["end"].to_numpy()[:-1])
        if by == "scope":
            assert list(changes.label) == ["scope 1 (fuels)", "scope 2 (electricity)", "transport"]
            assert (changes["delta"] < 0).all()  # efficiency, PV and electric trucks each cut a scope


def test_link_flows_are_the_pce_weighted_hourly_flows(small_results):
    with h5py.File(small_results.ref, "r") as f:
        t = f["runs/ref/traffic"]
        flow = t["link_flow_veh_h"][0].astype(np.float64)  # workday: [hour, link, class]
        pce = t["pce"][:]
        assert list(t["day_type"].asstr()[:])[0] == "workday"
    with sr.open_run(small_results.ref) as run:
        day = run.link_flows()
        assert np.allclose(day["pce"].to_numpy(), (flow * pce).sum(axis=(0, 2)), rtol=1e-12)
        eight = run.link_flows(hour=8)
        assert np.allclose(eight["pce"].to_numpy(), (flow[8] * pce).sum(axis=1), rtol=1e-12)
        assert {"from_x", "from_y", "to_x", "to_y", "road_id"} <= set(day.columns)


def test_a_file_without_an_index_lists_its_runs_from_the_runs_group(small_results, tmp_path):
    handmade = tmp_path / "handmade.h5"
    handmade.write_bytes(small_results.ref.read_bytes())
    with h5py.File(handmade, "r+") as f:
        del f["index"]
    with sr.open(handmade) as r:
        assert r.runs == ["ref"]
        assert list(r.index.index) == ["ref"] and r.index.loc["ref", "status"] == "ok"
        assert r["ref"].kpi_value("tco2e_total") == raw_kpis(small_results.ref, "ref")[("tco2e_total", "all")]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
