"""The results file opens in h5py and xarray as docs/results-schema.md says.

Runs `sandan run` on the shipped pv_battery scenario restricted to one complex, once, and checks the
file's schema, dimension scales, decoded times and the hourly energy balance.
"""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import xarray as xr

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    scenario = folder / "small.yaml"
    scenario.write_text(
        "name: small\n"
        f"extends: {SOURCE_DIR}/scenarios/pv_battery.yaml\n"
        "complexes: [bupyeong, juan]\n"
    )
    out = folder / "small.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


def test_root_and_run_attributes_follow_the_schema(results):
    with h5py.File(results, "r") as f:
        assert f.attrs["schema"] == "sandan-results"
        assert f.attrs["schema_version"] == 1
        assert "sandan run" in f.attrs["command"]
        run = f["runs/small"]
        assert run.attrs["status"] == "ok"
        assert "rooftop_pv" in run.attrs["scenario"]
        assert list(f["index/run_id"].asstr()[:]) == ["small"]


def test_energy_group_opens_in_xarray_with_named_dimensions_and_decoded_times(results):
    ds = xr.open_dataset(results, group="runs/small/energy", engine="h5netcdf")
    assert ds.load_kw.dims == ("facility", "time")
    assert ds.complex_import_kw.dims == ("complex", "time")
    assert ds.sizes["time"] == 8760
    assert np.datetime64("2026-01-01T00:00") == ds.time.values[0]
    assert np.datetime64("2026-12-31T23:00") == ds.time.values[-1]
    assert set(ds.complex.values) == {"juan", "bupyeong"}
    assert ds.load_kw.attrs["units"] == "kW"
    assert (ds.pv_capacity_kwp > 0).any()
    assert ds.sizes["battery"] == 1


def test_the_energy_balance_closes_every_hour_for_facilities_and_complexes(results):
    ds = xr.open_dataset(results, group="runs/small/energy", engine="h5netcdf")
    supply = ds.pv_kw - ds.curtailed_kw + ds.battery_kw + ds.import_kw - ds.export_kw
    # float32 storage: relative error of ~1e-7 on values of up to a few MW.
    assert float(abs(supply - ds.load_kw).max()) < 1e-2
    csupply = (ds.complex_pv_kw - ds.complex_curtailed_kw + ds.complex_battery_kw + ds.complex_import_kw
               - ds.complex_export_kw)
    assert float(abs(csupply - ds.complex_load_kw).max()) < 1.0
    # A complex's load is the sum of its facilities' loads.
    juan = ds.load_kw.where(ds.facility_complex == "juan", drop=True).sum("facility")
    assert np.allclose(juan.values, ds.complex_load_kw.sel(complex="juan").values, rtol=1e-5)


def test_kpi_table_opens_as_a_dataframe(results):
    kpi = xr.open_dataset(results, group="runs/small/kpi", engine="h5netcdf").to_dataframe()
    total = kpi[(kpi.complex == "all") & (kpi.key == "annual_load_mwh")].value.iloc[0]
    parts = kpi[(kpi.complex != "all") & (kpi.key == "annual_load_mwh")].value.sum()
    assert total == pytest.approx(parts, rel=1e-9)
    yield_ = kpi[(kpi.complex == "bupyeong") & (kpi.key == "pv_yield_kwh_per_kwp")].value.iloc[0]
    # FACTS §7: a rooftop PV yield of ≈1,200–1,300 kWh/kWp a year is expected in Incheon [E].
    assert 1000 < yield_ < 1500


def test_grid_group_opens_in_xarray_with_voltages_and_feeder_summary(results):
    grid = xr.open_dataset(results, group="runs/small/grid", engine="h5netcdf")
    assert grid.bus_vm_pu.dims == ("bus", "time")
    assert grid.branch_loading.dims == ("branch", "time")
    assert grid.attrs["nonconverged_hours"] == 0
    # 22.9 kV feeders of a few km: voltages within a few per cent of nominal every hour.
    assert 0.9 < float(grid.bus_vm_pu.min()) and float(grid.bus_vm_pu.max()) < 1.1
    assert set(grid.feeder_complex.values) <= {"juan", "bupyeong"}
    assert (grid.undervoltage_hours >= 0).all()


def test_traffic_group_opens_in_xarray_with_day_type_hour_link_and_class(results):
    tr = xr.open_dataset(results, group="runs/small/traffic", engine="h5netcdf")
    assert tr.link_flow_veh_h.dims == ("day_type", "hour", "link", "class")
    assert tr.link_speed_kmh.dims == ("day_type", "hour", "link")
    assert list(tr.day_type.values) == ["workday", "saturday", "rest_day"]
    assert list(tr["class"].values) == ["car", "light_truck", "heavy_truck"]
    assert tr.sizes["hour"] == 24
    # Every day of 2026 is one of the three kinds.
    assert int(tr.days_in_year.sum()) == 365
    assert float(tr.relative_gap.max()) <= 1e-4
    # BPR speeds never exceed the free-flow speed, and loaded links are slower than free flow.
    assert bool((tr.link_speed_kmh <= tr.link_free_speed_kmh * (1 + 1e-6)).all())
    assert float(tr.link_flow_veh_h.sum()) > 0
    # A workday carries more trips than a rest day, in every class.
    trips = tr.daily_trips
    assert bool((trips.sel(day_type="workday") > trips.sel(day_type="rest_day")).all())


def test_annual_vehicle_km_are_the_hourly_flows_times_lengths_times_days(results):
    # Recomputed independently from the stored hourly flows: Σ_day days · Σ_hour Σ_link flow · length.
    tr = xr.open_dataset(results, group="runs/small/traffic", engine="h5netcdf")
    per_day = (tr.link_flow_veh_h * tr.link_length_km).sum(("hour", "link"))
    annual = (per_day * tr.days_in_year).sum("day_type")
    assert np.allclose(annual.values, tr.vkt_km.sum("area").values, rtol=1e-5)
    kpi = xr.open_dataset(results, group="runs/small/kpi", engine="h5netcdf").to_dataframe()
    truck_km = kpi[(kpi.complex == "all") & (kpi.key == "truck_km")].value.iloc[0]
    assert truck_km == pytest.approx(float(annual.sel({"class": ["light_truck", "heavy_truck"]}).sum()), rel=1e-5)


def test_emissions_group_recomputes_from_energy_and_traffic(results):
    import yaml  # Debian's python3-yaml (tools/setup.sh)
    em = xr.open_dataset(results, group="runs/small/emissions", engine="h5netcdf")
    assert em.tco2e.dims == ("area", "source")
    assert list(em.area.values) == ["bupyeong", "juan", "outside"] or list(em.area.values) == ["juan", "bupyeong", "outside"]
    factor = em.attrs["grid_t_per_mwh"]
    assert factor == pytest.approx(0.4173)
    energy = xr.open_dataset(results, group="runs/small/energy", engine="h5netcdf")
    # Scope 2: each complex's imports (kW, hourly means: kWh) × the grid factor.
    for cx in ["juan", "bupyeong"]:
        mwh = float(energy.complex_import_kw.sel(complex=cx).sum()) / 1000.0
        assert float(em.tco2e.sel(area=cx, source="electricity")) == pytest.approx(mwh * factor, rel=1e-5)
    # Transport: the curves of the factors file applied to the stored flows and speeds, recomputed here.
    with open(f"{SOURCE_DIR}/gis_data/emissions/factors.yaml") as f:
        curves = yaml.safe_load(f)["vehicles"]
    tr = xr.open_dataset(results, group="runs/small/traffic", engine="h5netcdf")
    total = 0.0
    for k, name in enumerate(["car", "light_truck", "heavy_truck"]):
        c = {key: curves[name][key]["value"] for key in ("a", "b", "c", "v_min_kmh", "v_max_kmh")}
        v = np.clip(tr.link_speed_kmh.values, c["v_min_kmh"], c["v_max_kmh"])
        g_per_km = c["a"] + c["b"] / v + c["c"] * v * v
        vkm = tr.link_flow_veh_h.values[..., k] * tr.link_length_km.values
        per_day = (vkm * g_per_km).sum(axis=(1, 2)) / 1e6
        total += float((per_day * tr.days_in_year.values).sum())
    vehicles = float(em.tco2e.sel(source=["car", "light_truck", "heavy_truck"]).sum())
    assert vehicles == pytest.approx(total, rel=1e-4)
    kpi = xr.open_dataset(results, group="runs/small/kpi", engine="h5netcdf").to_dataframe()
    total_kpi = kpi[(kpi.complex == "all") & (kpi.key == "tco2e_total")].value.iloc[0]
    assert total_kpi == pytest.approx(float(em.tco2e.sum()), rel=1e-9)


def test_an_hourly_grid_factor_weights_each_hour_of_imports(tmp_path):
    # Factors alternating 0.3 / 0.5 tCO2eq/MWh by hour; scope 2 recomputed here from the imports.
    csv = tmp_path / "grid.csv"
    csv.write_text("hour,t_per_mwh\n" + "".join(f"{h},{0.3 + 0.2 * (h % 2)}\n" for h in range(8760)))
    scenario = tmp_path / "hourly.yaml"
    scenario.write_text(f"name: hourly\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                        "models: [energy, emissions]\ngrid_emission_factor: {hourly_csv: grid.csv}\n")
    out = tmp_path / "hourly.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    energy = xr.open_dataset(out, group="runs/hourly/energy", engine="h5netcdf")
    imports = energy.complex_import_kw.sel(complex="local").values.astype(float)
    factors = 0.3 + 0.2 * (np.arange(8760) % 2)
    em = xr.open_dataset(out, group="runs/hourly/emissions", engine="h5netcdf")
    assert float(em.tco2e.sel(area="local", source="electricity")) == pytest.approx(
        float((imports / 1000.0 * factors).sum()), rel=1e-6)
    # A file one hour short is refused before anything runs, naming the file.
    csv.write_text("hour,t_per_mwh\n" + "".join(f"{h},0.4\n" for h in range(8759)))
    bad = subprocess.run([SANDAN, "run", str(scenario), "-o", str(tmp_path / "bad.h5")], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "grid.csv" in bad.stderr and "8759 hours" in bad.stderr
    assert not (tmp_path / "bad.h5").exists()


def run_small(folder, name, extends):
    scenario = folder / f"{name}.yaml"
    scenario.write_text(f"name: {name}\nextends: {SOURCE_DIR}/scenarios/{extends}\n"
                        "complexes: [juan, machinery]\n")
    out = folder / f"{name}.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    kpi = xr.open_dataset(out, group=f"runs/{name}/kpi", engine="h5netcdf").to_dataframe()
    return {key: kpi[(kpi.complex == "all") & (kpi.key == key)].value.iloc[0]
            for key in ("truck_km", "light_truck_km", "heavy_truck_km", "electric_truck_km", "car_km",
                        "tco2e_transport", "tco2e_scope2")}


def test_logistics_hub_cuts_truck_km_and_ev_trucks_report_their_electric_share(tmp_path):
    base = run_small(tmp_path, "base", "baseline.yaml")
    hub = run_small(tmp_path, "hub", "logistics_hub.yaml")
    ev = run_small(tmp_path, "ev", "ev_trucks.yaml")
    # Consolidation through the hub: fewer truck-km; commuters are untouched.
    assert hub["truck_km"] < base["truck_km"]
    assert hub["car_km"] == pytest.approx(base["car_km"], rel=1e-6)
    # Electric trucks do not change flows; 30 % of light and 10 % of heavy truck-km are electric.
    assert ev["truck_km"] == pytest.approx(base["truck_km"], rel=1e-6)
    assert ev["electric_truck_km"] == pytest.approx(0.3 * ev["light_truck_km"] + 0.1 * ev["heavy_truck_km"],
                                                    rel=1e-9)
    assert base["electric_truck_km"] == 0
    # Electric trucks swap diesel for grid electricity: transport emissions fall, facilities' do not move.
    assert ev["tco2e_transport"] < base["tco2e_transport"]
    assert ev["tco2e_scope2"] == pytest.approx(base["tco2e_scope2"], rel=1e-9)


def test_the_logistics_hub_group_reports_where_the_hub_stands_and_its_effect(tmp_path):
    scenario = tmp_path / "hubgroup.yaml"
    scenario.write_text(f"name: hubgroup\nextends: {SOURCE_DIR}/scenarios/logistics_hub.yaml\n"
                        "complexes: [juan, machinery]\nmodels: [energy, traffic]\n")
    out = tmp_path / "hubgroup.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Logistics hub for juan, machinery" in run.stdout
    with h5py.File(out, "r") as f:
        traffic = f["runs/hubgroup/traffic"]
        hub = traffic["hub"].attrs
        assert hub["chosen_by"] == "min_truck_km"
        # The hub stands on a road node: one of the links' end points.
        ends = set(zip(traffic["link_from_x"][()], traffic["link_from_y"][()]))
        assert (hub["x_m"], hub["y_m"]) in ends
        assert 37.0 < hub["lat"] < 38.0 and 126.0 < hub["lon"] < 127.0
        assert hub["node_distance_m"] == 0 and hub["candidates"] > 0
        assert [c.decode() for c in traffic["hub/complexes"][()]] == ["juan", "machinery"]
        # Chosen for the least truck-km, it saves truck-km and truck-hours on a workday.
        assert hub["workday_truck_km_with_hub"] < hub["workday_truck_km_without_hub"]
        assert hub["workday_truck_hours_with_hub"] < hub["workday_truck_hours_without_hub"]
        assert hub["workday_hub_tours"] > 0
        km_share = traffic["hub/km_share"][()]
        assert km_share[0] == 0 and all(0 < x < 1 for x in km_share[1:])
        # The busiest links are the run's: their peak v/c recomputed from the stored flows.
        kinds = [k.decode() for k in traffic["hub/link_kind"][()]]
        assert kinds == ["busiest"] * 3 + ["changed"] * 3
        flow = traffic["link_flow_veh_h"][0]  # workday [hour × link × class]
        pce_h = (flow * traffic["pce"][()]).sum(axis=2)
        if "background_flow_veh_h" in traffic:  # the through traffic loads the same roads
            pce_h = pce_h + (traffic["background_flow_veh_h"][0] * traffic["background_pce"][()]).sum(axis=2)
        peak_vc = pce_h.max(axis=0) / traffic["link_capacity_pce_h"][()]
        links = traffic["hub/link"][()]
        assert traffic["hub/link_peak_vc"][:3] == pytest.approx(peak_vc[links[:3]], rel=1e-5)
        assert traffic["hub/link_peak_vc"][0] == pytest.approx(peak_vc.max(), rel=1e-5)
        # The changed links, in decreasing order of the change of their trucks.
        change = np.abs(traffic["hub/link_trucks_with_hub"][()] - traffic["hub/link_trucks_without_hub"][()])
        assert change[3] >= change[4] >= change[5] > 0
        # Tours: stops are half the trucks' trip ends (two a stop); trunk vehicles only with the hub.
        assert traffic["tour_count"].shape == (3, 2)
        assert (traffic["tour_trunk_trips"][0] > 0).all()
    # Electric hub tours: their share of the truck-km counts as electric.
    electric = tmp_path / "hubev.yaml"
    electric.write_text(scenario.read_text().replace("name: hubgroup", "name: hubev") +
                        "interventions:\n  - logistics_hub: {complexes: [juan, machinery], share: 0.5, "
                        "electric_share: 1}\n")
    out_ev = tmp_path / "hubev.h5"
    run = subprocess.run([SANDAN, "run", str(electric), "-o", str(out_ev)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with h5py.File(out_ev, "r") as f:
        share = f["runs/hubev/traffic/electric_share"][()]
        km_share = f["runs/hubev/traffic/hub/km_share"][()]
        assert share[1] == pytest.approx(km_share[1]) and share[2] == pytest.approx(km_share[2])
    # A hub far from the layout's roads: exit 2 naming the scenario file and line, and the fix.
    far = tmp_path / "far.yaml"
    far.write_text(f"name: far\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\nmodels: [energy, traffic]\n"
                   "interventions:\n  - logistics_hub: {complexes: [juan], lat: 37.7, lon: 126.68}\n")
    bad = subprocess.run([SANDAN, "run", str(far)], capture_output=True, text=True)
    assert bad.returncode == 2
    assert f"{far}:5: interventions: logistics_hub" in bad.stderr and "drop lat and lon" in bad.stderr
    # A hub with single truck trips (a traffic map without freight): exit 2 saying what to add.
    single = tmp_path / "single.yaml"
    single.write_text(f"name: single\nextends: {SOURCE_DIR}/scenarios/logistics_hub.yaml\n"
                      f"traffic: {{trip_rates: {SOURCE_DIR}/gis_data/traffic/trip_rates.yaml}}\n")
    bad = subprocess.run([SANDAN, "run", str(single)], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "logistics_hub consolidates freight tours; add traffic.freight" in bad.stderr


ENERGY_SERIES = ["load_kw", "pv_kw", "curtailed_kw", "battery_kw", "battery_soc", "import_kw", "export_kw",
                 "fuel_kw", "complex_load_kw", "complex_pv_kw", "complex_curtailed_kw", "complex_battery_kw",
                 "complex_import_kw", "complex_export_kw"]


def check_deduplicated_energy(path, run_id):
    """The energy group's `deduplicated` attribute against the values themselves, read with h5py and
    xarray: a series listed as zero is all 0 and has no stored chunk; a series listed as the same as
    another has its values, its own attributes and dimensions, and stores nothing; no other series is
    all zero or equal to an earlier one."""
    import json
    group = f"runs/{run_id}/energy"
    ds = xr.open_dataset(path, group=group, engine="h5netcdf")
    with h5py.File(path, "r") as f:
        energy = f[group]
        record = json.loads(energy.attrs["deduplicated"])
        values = {name: energy[name][()] for name in ENERGY_SERIES if name in energy}
        for name in record["zero"]:
            assert not values[name].any(), name
            assert energy[name].id.get_storage_size() == 0, name
            assert np.array_equal(ds[name].values, np.zeros_like(values[name]))
        for name, original in record["same_as"].items():
            assert energy[name].is_virtual and energy[name].id.get_storage_size() == 0
            assert np.array_equal(values[name], values[original]), name
            assert np.array_equal(ds[name].values, ds[original].values)
            assert ds[name].dims == ds[original].dims
        expected_zero = [n for n in values if not values[n].view(np.uint32).any()]
        assert sorted(record["zero"]) == sorted(expected_zero)
        stored = [n for n in values if n not in record["zero"] and n not in record["same_as"]]
        for i, a in enumerate(stored):
            for b in stored[:i]:
                assert not np.array_equal(values[a].view(np.uint32), values[b].view(np.uint32)), (a, b)
    return record, ds


def test_zero_and_repeated_series_are_not_stored_again_yet_read_the_same(tmp_path):
    # The baseline of one complex without PV or batteries: imports are the load, and PV, curtailment,
    # batteries and export are 0 (FACTS: no rooftop PV in the baseline).
    scenario = tmp_path / "plain.yaml"
    scenario.write_text(f"name: plain\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                        "models: [energy]\n")
    out = tmp_path / "plain.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    record, ds = check_deduplicated_energy(out, "plain")
    assert record["same_as"] == {"import_kw": "load_kw", "complex_import_kw": "complex_load_kw"}
    assert set(record["zero"]) == {"pv_kw", "curtailed_kw", "battery_kw", "battery_soc", "export_kw",
                                   "complex_pv_kw", "complex_curtailed_kw", "complex_battery_kw",
                                   "complex_export_kw"}
    # Each keeps its own metadata and dimension scales.
    assert ds.import_kw.attrs["long_name"] == "power drawn from the grid"
    assert ds.load_kw.attrs["long_name"] == "electricity demand"
    assert ds.import_kw.dims == ("facility", "time") and ds.pv_kw.dims == ("facility", "time")
    assert float(ds.import_kw.sel(facility=ds.facility.values[3]).sum()) == pytest.approx(
        float(ds.load_kw.sel(facility=ds.facility.values[3]).sum()))
    # The engine's reader reads them too: sandan export sums every facility's series, and its
    # facilities layer has import = load and no PV.
    import sqlite3
    gpkg = tmp_path / "plain.gpkg"
    export = subprocess.run([SANDAN, "export", str(out), "--gpkg", str(gpkg)], capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    with sqlite3.connect(gpkg) as db:
        count, load_mwh, import_mwh, pv_mwh = db.execute(
            "SELECT count(*), sum(load_mwh), sum(import_mwh), sum(pv_mwh) FROM facilities").fetchone()
    assert count == ds.sizes["facility"] and pv_mwh == 0
    assert import_mwh == pytest.approx(load_mwh, rel=1e-12)
    assert load_mwh == pytest.approx(float(ds.load_kw.astype(np.float64).sum()) / 1000.0, rel=1e-9)


def test_partial_zero_chunks_of_a_pv_run_read_back_as_written(results):
    # pv_battery on two complexes: PV on some roofs only, so some 32-facility chunks of pv_kw are all 0
    # and not written, the others are; the energy balance test above reads them all.
    record, ds = check_deduplicated_energy(results, "small")
    assert "pv_kw" not in record["zero"]
    with h5py.File(results, "r") as f:
        pv = f["runs/small/energy/pv_kw"]
        chunks = -(-pv.shape[0] // pv.chunks[0])
        stored = pv.id.get_num_chunks()
        zero_chunks = sum(not pv[i * pv.chunks[0]:(i + 1) * pv.chunks[0]].any() for i in range(chunks))
        assert stored == chunks - zero_chunks
    assert float(ds.pv_kw.sum()) > 0


def test_a_merged_batch_keeps_the_deduplicated_series_readable(tmp_path):
    # Part files are merged with H5Ocopy: the virtual datasets must still map their run's series.
    scenario = tmp_path / "mc.yaml"
    scenario.write_text(f"name: mc\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                        "models: [energy]\nmonte_carlo: {runs: 2, seed: 3}\n")
    out = tmp_path / "mc.h5"
    run = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out), "-j", "2"], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    loads = []
    for run_id in ("mc-0000", "mc-0001"):
        record, ds = check_deduplicated_energy(out, run_id)
        assert record["same_as"]["import_kw"] == "load_kw"
        loads.append(ds.import_kw.values)
    # Each run's import maps its own load (the Monte Carlo runs' loads differ).
    assert not np.array_equal(loads[0], loads[1])

if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


def test_background_traffic_is_written_slows_the_roads_and_is_not_the_complexes_vehicle_km(tmp_path):
    """The baseline has background traffic; the same run without it (its traffic map without
    `background`, with the baseline's freight tours) has the same own trips. Background flows are stored in their own dataset, load the
    links (speeds fall) and stay out of the KPIs and vkt_km."""
    def run(name, extra):
        scenario = tmp_path / f"{name}.yaml"
        scenario.write_text(f"name: {name}\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\n"
                            "complexes: [juan, machinery]\n" + extra)
        out = tmp_path / f"{name}.h5"
        done = subprocess.run([SANDAN, "run", str(scenario), "-o", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        tr = xr.open_dataset(out, group=f"runs/{name}/traffic", engine="h5netcdf")
        kpi = xr.open_dataset(out, group=f"runs/{name}/kpi", engine="h5netcdf").to_dataframe()
        return tr, {key: kpi[(kpi.complex == "all") & (kpi.key == key)].value.iloc[0]
                    for key in ("car_km", "truck_km", "vehicle_hours")}

    bg, bg_kpi = run("with_background", "")
    own, own_kpi = run("without_background",
                       f"traffic: {{trip_rates: {SOURCE_DIR}/gis_data/traffic/trip_rates.yaml, zone_cell_m: 250, "
                       f"freight: {SOURCE_DIR}/gis_data/traffic/freight_tours.yaml}}\n")
    assert "background_flow_veh_h" not in own
    flow = bg.background_flow_veh_h
    assert flow.dims == ("day_type", "hour", "link", "background_class")
    assert list(bg.background_class.values) == ["background_car", "background_heavy"]
    assert float(flow.sum()) > 0
    # The year's background vehicle-km, recomputed from the stored hourly flows.
    annual = ((flow * bg.link_length_km).sum(("hour", "link")) * bg.days_in_year).sum("day_type")
    assert np.allclose(annual.values, bg.background_vkt_km.values, rtol=1e-5)
    # The own trips are the same; vkt_km and the KPIs hold the own classes only: car_km moves only by
    # the rerouting of the same trips around the busier links (well under 1 %), not by the background's
    # vehicle-km, which is larger than all the own traffic's.
    assert np.array_equal(bg.daily_trips.values, own.daily_trips.values)
    own_annual = ((bg.link_flow_veh_h * bg.link_length_km).sum(("hour", "link")) * bg.days_in_year).sum("day_type")
    assert np.allclose(own_annual.values, bg.vkt_km.sum("area").values, rtol=1e-5)
    assert bg_kpi["car_km"] == pytest.approx(own_kpi["car_km"], rel=1e-2)
    assert bg_kpi["truck_km"] == pytest.approx(own_kpi["truck_km"], rel=1e-2)
    assert float(bg.background_vkt_km.sum()) > float(bg.vkt_km.sum())
    # Speeds: never faster with background, and slower on the loaded links in the workday peak.
    peak = dict(day_type="workday", hour=8)
    assert bool((bg.link_speed_kmh <= own.link_speed_kmh * (1 + 1e-6)).all())
    slower = own.link_speed_kmh.sel(peak) - bg.link_speed_kmh.sel(peak)
    assert float(slower.max()) > 1.0  # km/h
    assert bg_kpi["vehicle_hours"] > own_kpi["vehicle_hours"]
    # The count sites: the modelled average day (own and background) near the counted AADT.
    assert list(bg.background_count.values) == ["gilju_ro", "bongsu_daero"]
    ratio = bg.background_count_model_veh / bg.background_count_aadt_veh
    assert bool((abs(ratio - 1) < 0.1).all()), ratio.values
