"""`sandan.plots`: each plot's artists hold the numbers of the file, on the Agg backend.

The checks read the artists' data (bar heights, line points, mesh and collection arrays), not pixels,
and compare them with sums recomputed here from the raw arrays (h5py) or with `sandan compare`.
"""
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection, QuadMesh  # noqa: E402

import sandan  # noqa: E402
import sandan.plots as sp  # noqa: E402
import sandan.results as sr  # noqa: E402

SANDAN = os.environ["SANDAN_EXE"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs(small_results):
    files = [sr.open(path) for path in (small_results.ref, small_results.alt, small_results.sweep)]
    yield {"ref": files[0]["ref"], "alt": files[1]["alt"], "sweep": files[2]}
    for f in files:
        f.close()


def raw(path, run, group, name):
    with h5py.File(path, "r") as f:
        return f[f"runs/{run}/{group}/{name}"][()]


def stacked_heights(ax):
    """Bar heights by container label."""
    return {c.get_label(): np.array([p.get_height() for p in c.patches]) for c in ax.containers}


def test_the_load_duration_curve_is_every_hour_sorted_down_in_mw(runs, small_results):
    load = raw(small_results.alt, "alt", "energy", "complex_load_kw")[0].astype(np.float64) / 1000
    imports = raw(small_results.alt, "alt", "energy", "complex_import_kw")[0].astype(np.float64) / 1000
    ax = sp.load_duration_curve(runs["alt"])
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()
             if not line.get_label().startswith("_")}
    curve, net = lines["load"], lines["net import (import − export)"]
    assert len(curve) == len(net) == 8760
    assert np.all(np.diff(curve) <= 0) and np.all(np.diff(net) <= 0)
    assert curve[0] == pytest.approx(load.max()) and curve[-1] == pytest.approx(load.min())
    assert net.sum() == pytest.approx(imports.sum(), rel=1e-9)  # no export in this run
    assert "(MW)" in ax.get_ylabel() and "(h)" in ax.get_xlabel()


def test_the_monthly_bars_stack_to_the_load_and_sum_to_the_annual_kpi(runs, small_results):
    ax = sp.monthly_energy_balance(runs["alt"])
    bars = stacked_heights(ax)
    stack = bars["PV used on site"] + bars["battery"] + bars["grid import"]
    assert len(stack) == 12
    # time: hours since 2026-01-01 00:00 (docs/results-schema.md), so the month of each hour is:
    hours = raw(small_results.alt, "alt", "energy", "time")
    stamps = np.datetime64("2026-01-01T00") + hours.astype("timedelta64[h]")
    month = stamps.astype("datetime64[M]").astype(int) - np.datetime64("2026-01", "M").astype(int)
    series = {name: raw(small_results.alt, "alt", "energy", f"complex_{name}_kw")[0].astype(np.float64)
              for name in ("load", "pv", "export")}
    monthly = {name: np.bincount(month, weights=values) / 1000 for name, values in series.items()}
    assert np.allclose(stack, monthly["load"], rtol=1e-6)
    assert stack.sum() == pytest.approx(runs["alt"].kpi_value("annual_load_mwh"), rel=1e-6)
    assert np.all(bars["PV used on site"] <= monthly["pv"] * (1 + 1e-9))
    assert np.allclose(bars["export"], -monthly["export"])
    assert "(MWh)" in ax.get_ylabel()


def test_the_heatmap_is_hour_of_day_by_day_of_year(runs, small_results):
    ax = sp.daily_profile_heatmap(runs["ref"], "load")
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    values = np.asarray(mesh.get_array()).reshape(24, 365)
    load = raw(small_results.ref, "ref", "energy", "complex_load_kw")[0].astype(np.float64) / 1000
    # Day 40 (10 February), hour 14: the year's hour 39 × 24 + 14.
    assert values[14, 39] == pytest.approx(load[39 * 24 + 14])
    assert values.sum() == pytest.approx(load.sum(), rel=1e-9)
    assert "(MW)" in ax.figure.axes[-1].get_ylabel()


def test_emission_bars_are_the_areas_tonnes_by_scope(runs, small_results):
    tco2e = raw(small_results.alt, "alt", "emissions", "tco2e")
    scope = raw(small_results.alt, "alt", "emissions", "source_scope").astype(str)
    ax = sp.emissions_by_scope(runs["alt"])
    bars = stacked_heights(ax)
    assert [label.get_text() for label in ax.get_xticklabels()] == ["local", "outside"]
    for name, label in (("scope1", "scope 1 (fuels)"), ("scope2", "scope 2 (electricity)"),
                        ("transport", "transport")):
        assert np.allclose(bars[label], tco2e[:, scope == name].sum(axis=1), rtol=1e-12)
    assert "tCO2eq" in ax.get_ylabel()


def test_the_waterfall_walks_from_the_reference_to_the_alternative(runs, small_results):
    out = subprocess.run([SANDAN, "compare", str(small_results.ref), str(small_results.alt), "--format",
                          "json"], capture_output=True, text=True)
    headline = json.loads(out.stdout)["headline"]
    ax = sp.abatement_waterfall(runs["ref"], runs["alt"])
    patches = ax.patches
    assert len(patches) == 5  # reference, three scopes, alternative
    tops = [p.get_y() + p.get_height() for p in patches]
    assert tops[0] == pytest.approx(runs["ref"].kpi_value("tco2e_total"), rel=1e-12)
    assert tops[-1] == pytest.approx(runs["alt"].kpi_value("tco2e_total"), rel=1e-12)
    # Every scope falls here (green bars); the falls add up to the tCO2eq abated of `sandan compare`.
    assert sum(p.get_height() for p in patches[1:-1]) == pytest.approx(headline["tco2e_abated"], rel=1e-9)
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in patches[1:-1]}
    assert colours == {sp.COLOURS["decrease"]}
    assert f"{headline['tco2e_abated']:,.0f}" in ax.get_title()


def test_the_response_surface_shows_the_swept_grid_and_marks_every_run(runs):
    index = runs["sweep"].index
    ax = sp.response_surface(runs["sweep"], z="tco2e_total")
    points = ax.collections[-1].get_offsets()
    expected = index[runs["sweep"].parameter_columns].to_numpy(dtype=float)
    assert sorted(map(tuple, np.asarray(points))) == sorted(map(tuple, expected))
    assert ax.get_xlabel() == "rooftop_pv.roof_share (1)" and ax.get_ylabel() == "battery.energy_kwh (kWh)"
    colorbar = ax.figure.axes[-1]
    assert "(tCO2eq)" in colorbar.get_ylabel()
    low, high = colorbar.get_ylim()
    assert low <= index["tco2e_total"].min() and index["tco2e_total"].max() <= high
    mesh = sp.response_surface(index, "roof_share", "energy_kwh", "annual_pv_mwh", kind="pcolormesh")
    quad = next(c for c in mesh.collections if isinstance(c, QuadMesh))
    # Rows: battery 0, 2000; columns: roof share 0.2, 0.8 (runs sw-0000 … sw-0003, battery fastest).
    assert np.allclose(np.asarray(quad.get_array()).reshape(2, 2),
                       index["annual_pv_mwh"].to_numpy().reshape(2, 2).T)


def test_the_map_colours_each_facility_by_its_annual_figure_and_roads_by_flow(runs, small_results):
    run = runs["alt"]
    site = sandan.load_site(run.site_path)
    with h5py.File(small_results.alt, "r") as f:
        e = f["runs/alt/energy"]
        ids = list(e["facility"].asstr()[:])
        load = e["load_kw"][()].astype(np.float64).sum(axis=1) / 1000
        t = f["runs/alt/traffic"]
        daily_pce = (t["link_flow_veh_h"][0].astype(np.float64) * t["pce"][:]).sum()
    by_id = dict(zip(ids, load))
    expected = [by_id[f] for f, polygons in zip(site.facility_ids, site.facility_footprints()) if f in by_id
                for _ in polygons]
    ax = sp.facility_map(run, "annual_load_mwh", site=site, complex="local")
    facilities = next(c for c in ax.collections if c.get_gid() == "facilities")
    assert isinstance(facilities, PolyCollection)
    assert np.allclose(np.ma.getdata(facilities.get_array()), expected, rtol=1e-9)
    # Colours follow the values: once drawn, the facility with the most load has the top colour.
    ax.figure.canvas.draw()
    top = int(np.argmax(expected))
    assert np.allclose(facilities.get_facecolors()[top], facilities.cmap(1.0))
    roads = next(c for c in ax.collections if c.get_gid() == "roads")
    assert isinstance(roads, LineCollection)
    # The two directions of a road are drawn as one line: the flows still add up.
    assert np.asarray(roads.get_array()).sum() == pytest.approx(daily_pce, rel=1e-9)
    labels = [a.get_ylabel() for a in ax.figure.axes]
    assert "annual electricity load (MWh)" in labels and any("(PCE/day)" in label for label in labels)
    assert "(m)" in ax.get_xlabel()
    assert any(type(a).__name__ == "AnchoredSizeBar" for a in ax.artists)


def test_plots_draw_into_a_given_axes_and_save_without_a_display(runs, tmp_path):
    figure, axes = plt.subplots(1, 2)
    assert sp.monthly_energy_balance(runs["ref"].energy, ax=axes[0]) is axes[0]
    assert sp.emissions_by_scope(runs["ref"].emissions, ax=axes[1]) is axes[1]
    figure.savefig(tmp_path / "two.png")
    assert (tmp_path / "two.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(KeyError):
        sp.load_duration_curve(runs["ref"], complex="juan")  # not simulated in this run


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
