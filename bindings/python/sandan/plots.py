"""Plots of sandan results with matplotlib.

Every function takes the data (a `sandan.results.RunResults`, one of its groups as an xarray
Dataset, or a pandas DataFrame), draws into `ax` when given (else into a new figure) and returns the
Axes. Axes are labelled with units; nothing needs a display (the Agg backend works)::

    import sandan.results, sandan.plots
    with sandan.results.open("results/baseline.h5") as r:
        ax = sandan.plots.load_duration_curve(r["baseline"])
        ax.figure.savefig("ldc.png", dpi=150)

- `load_duration_curve`: hourly load and net import of a complex or of all, sorted (MW).
- `monthly_energy_balance`: stacked monthly bars of PV used, battery and import against load, export
  below zero (MWh).
- `daily_profile_heatmap`: hour of day × day of year of load, import, net import or PV (MW).
- `emissions_by_scope`: stacked bars of tCO2eq by scope for each complex (and roads outside).
- `abatement_waterfall`: reference total → change by scope or source → alternative total (tCO2eq).
- `response_surface`: a KPI over two swept parameters of a batch, filled contours with the runs marked.
- `facility_map`: facility footprints coloured by an annual figure, roads by traffic flow, scale in metres.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib import colors as mcolors
from matplotlib import ticker
from matplotlib.collections import LineCollection, PolyCollection

from . import KPI
from . import results as _results

# Colours of the energy flows and the emission scopes, kept the same in every plot.
COLOURS = {
    "load": "#222222", "pv_used": "#f2b701", "battery_used": "#3b9c5a", "import_used": "#8c96a8",
    "export": "#e07b39", "net_import": "#2e6fba",
    "scope1": "#b5523b", "scope2": "#4f7fbf", "transport": "#7a9a3a",
    "decrease": "#3b9c5a", "increase": "#c0392b", "total": "#555555",
}
# Words for the figures of /index, the KPIs and `sandan.results.facility_annual`.
FIGURE_NAMES = {
    KPI.annual_load_mwh: "annual electricity load", KPI.annual_pv_mwh: "annual PV output",
    KPI.annual_import_mwh: "annual grid import", KPI.annual_export_mwh: "annual export",
    KPI.annual_fuel_mwh: "annual fuel", KPI.curtailed_mwh: "PV curtailed", KPI.pv_capacity_kwp: "PV capacity",
    KPI.bill_krw: "electricity bill of the year", KPI.self_sufficiency: "self-sufficiency, 1 − import / load",
    KPI.peak_import_kw: "peak import", KPI.tco2e_total: "emissions of the year", KPI.car_km: "car-km",
    KPI.truck_km: "truck-km", KPI.vehicle_hours: "vehicle-hours",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Units of swept settings, recognised by the end of their key path (docs/scenarios.md).
_PARAMETER_UNITS = (("_kwh_per_kwp", "kWh/kWp"), ("_kw_per_kwp", "kW/kWp"), ("_kwh", "kWh"),
                    ("_kwp", "kWp"), ("_kw", "kW"), ("_krw_per_kwp", "KRW/kWp"),
                    ("_krw_per_kwh", "KRW/kWh"), ("_krw_per_kw", "KRW/kW"), ("_krw", "KRW"),
                    ("_m2", "m²"), ("_deg", "°"), ("_pct", "%"), ("_per_c", "1/°C"),
                    ("t_per_mwh", "tCO2eq/MWh"), ("_years", "years"), ("share", "1"), ("saving", "1"),
                    ("efficiency", "1"), ("reduction", "1"), ("ratio", "1"), ("albedo", "1"), ("cop", "1"))


def _axes(ax, figsize=(8.0, 4.5)):
    """`ax`, or the Axes of a new pyplot figure (pyplot picks Agg where there is no display)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _group(data, name):
    """The Dataset of group `name` from a RunResults, or the Dataset itself."""
    if isinstance(data, xr.Dataset):
        return data
    if isinstance(data, _results.RunResults):
        return data.group(name)
    raise TypeError(f"expected a sandan.results.RunResults or the {name} group as an xarray Dataset, "
                    f"not {type(data).__name__}")


def _name(data):
    """The run id of a RunResults, for titles ("" for a bare Dataset)."""
    return data.id if isinstance(data, _results.RunResults) else ""


def _title(what, data, complex=None):  # noqa: A002 - the results file's word
    parts = [what]
    if complex is not None:
        parts.append(complex)
    run = _name(data)
    if run:
        parts.append(run)
    return ", ".join(parts)


def _short(label):
    """A label's name for a title: without its unit and any explanation after a comma."""
    return label.rsplit(" (", 1)[0].split(", ", 1)[0]


def sentence(text):
    """Text with a capital first letter, unless its first word is written with capitals (tCO2eq, PV)."""
    first = text.split(" ", 1)[0]
    return text if any(c.isupper() for c in first) else text[:1].upper() + text[1:]


def thousands(axis):
    """Tick labels with thousands separators (1,234,567) on an axis of large numbers."""
    axis.set_major_formatter(ticker.FuncFormatter(
        lambda value, _: f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:,.3g}"))


def parameter_label(column):
    """An axis label for a swept setting: its key path without the list index, with its unit."""
    name = column.split("].", 1)[-1] if "]." in column else column
    for suffix, unit in _PARAMETER_UNITS:
        if column.endswith(suffix):
            return f"{name} ({unit})"
    return name


def load_duration_curve(data, complex=None, ax=None):  # noqa: A002
    """Load duration curve: the year's hourly load and net import (import − export) of one complex
    (or of all simulated complexes when `complex` is None), each sorted from the highest hour down,
    in MW against the hours of the year.

    `data`: a RunResults or its energy group. Returns the Axes; the two lines hold one point an hour.
    """
    energy = _group(data, "energy")
    ax = _axes(ax)
    load = _results.complex_series(energy, "load", complex) / 1000.0
    net = (_results.complex_series(energy, "import", complex)
           - _results.complex_series(energy, "export", complex)) / 1000.0
    hours = np.arange(1, load.size + 1)
    ax.plot(hours, np.sort(load)[::-1], color=COLOURS["load"], lw=1.6, label="load")
    ax.plot(hours, np.sort(net)[::-1], color=COLOURS["net_import"], lw=1.6,
            label="net import (import − export)")
    ax.axhline(0.0, color="#999999", lw=0.6)
    ax.set_xlim(0, load.size)
    ax.set_xlabel("hours of the year at or above the value (h)")
    ax.set_ylabel("power (MW)")
    ax.set_title(_title("Load duration curve", data, complex or "all complexes"))
    thousands(ax.xaxis)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return ax


def monthly_energy_balance(data, complex=None, ax=None):  # noqa: A002
    """Monthly energy balance of one complex (or all simulated complexes when `complex` is None), MWh.

    Stacked bars above zero: PV used on site, battery discharge and grid import that met the load
    (they add up to the month's load, drawn as a black tick); export below zero. The split is
    `sandan.results.monthly_balance`. `data`: a RunResults or its energy group. Returns the Axes;
    bar containers are labelled "PV used on site", "battery", "grid import", "export".
    """
    energy = _group(data, "energy")
    ax = _axes(ax)
    table = _results.monthly_balance(energy, complex)
    months = np.arange(1, 13)
    bottom = np.zeros(12)
    for column, label in (("pv_used", "PV used on site"), ("battery_used", "battery"),
                          ("import_used", "grid import")):
        ax.bar(months, table[column].to_numpy(), bottom=bottom, width=0.75, color=COLOURS[column],
               label=label)
        bottom += table[column].to_numpy()
    ax.bar(months, -table["export"].to_numpy(), width=0.75, color=COLOURS["export"], label="export")
    ax.scatter(months, table["load"].to_numpy(), marker="_", s=500, color=COLOURS["load"], zorder=3,
               label="load")
    ax.axhline(0.0, color="#999999", lw=0.6)
    ax.set_xticks(months, MONTHS)
    ax.set_ylabel("energy per month (MWh)")
    ax.set_title(_title("Monthly energy balance", data, complex or "all complexes"))
    thousands(ax.yaxis)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize="small", ncols=5, frameon=False)
    ax.margins(y=0.08)
    return ax


def daily_profile_heatmap(data, variable="load", complex=None, ax=None, cmap="magma"):  # noqa: A002
    """Heat map of an hourly series over the year: hour of day (0–23, KST) × day of year, in MW.

    `variable`: load, import, export, pv or net_import (import − export) of one complex, or of all
    simulated complexes when `complex` is None. `data`: a RunResults or its energy group. Returns the
    Axes; its QuadMesh holds the (hour × day) values with a colour bar in MW.
    """
    energy = _group(data, "energy")
    ax = _axes(ax, figsize=(10.0, 4.0))
    if variable == "net_import":
        values = (_results.complex_series(energy, "import", complex)
                  - _results.complex_series(energy, "export", complex))
    elif variable in ("load", "import", "export", "pv", "curtailed", "battery"):
        values = _results.complex_series(energy, variable, complex)
    else:
        raise ValueError(f"variable must be load, import, export, pv, net_import, curtailed or battery, "
                         f"not {variable!r}")
    days = values.size // 24
    grid = (values[:days * 24] / 1000.0).reshape(days, 24).T
    mesh = ax.pcolormesh(np.arange(1, days + 2) - 0.5, np.arange(25) - 0.5, grid, cmap=cmap,
                         shading="flat")
    colorbar = ax.figure.colorbar(mesh, ax=ax, pad=0.01)
    colorbar.set_label(f"{variable.replace('_', ' ')} (MW)")
    starts = pd.DatetimeIndex(energy["time"].values[::24][:days])
    firsts = [i + 1 for i, day in enumerate(starts) if day.day == 1]
    ax.set_xticks(firsts, [MONTHS[starts[i - 1].month - 1] for i in firsts])
    ax.set_yticks([0, 6, 12, 18, 23])
    ax.set_xlabel("day of the year (ticks: first of the month)")
    ax.set_ylabel("hour of the day (KST)")
    label = variable.replace("_", " ")
    ax.set_title(_title(f"Hourly {label}", data, complex or "all complexes"))
    return ax


def emissions_by_scope(data, ax=None):
    """tCO2eq of the year by scope for each simulated complex and for the roads outside every
    complex, as stacked bars (scope 1: fuels; scope 2: grid electricity; transport: road traffic).

    `data`: a RunResults, its emissions group, or the table of `sandan.results.emissions_by_scope`.
    Returns the Axes; its bar containers are labelled by scope, in the order scope1, scope2, transport.
    """
    if isinstance(data, pd.DataFrame):
        table = data
    else:
        table = _results.emissions_by_scope(_group(data, "emissions"))
    table = table.drop(index="all", errors="ignore")
    ax = _axes(ax)
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for scope in _results.SCOPES:
        ax.bar(x, table[scope].to_numpy(), bottom=bottom, width=0.7, color=COLOURS[scope],
               label=_results.SCOPE_LABELS[scope])
        bottom += table[scope].to_numpy()
    for position, total in zip(x, bottom):
        ax.annotate(signed(total, total=True), (position, total), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize="small")
    ax.set_xticks(x, [area.replace("_", " ") for area in table.index])
    ax.set_ylabel("emissions (tCO2eq/year)")
    ax.set_title(_title("Emissions by scope and complex", None if isinstance(data, pd.DataFrame) else data))
    thousands(ax.yaxis)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    ax.margins(y=0.1)
    return ax


def signed(value, total=False):
    """A figure for a label: thousands separators, a real minus sign, "+" on a positive change."""
    text = f"{abs(value):,.0f}"
    if text == "0":
        return text
    if value < 0:
        return "\u2212" + text
    return text if total else "+" + text


def _wrap(label, width=14):
    """A long tick label (a batch's run id) broken at the separator nearest its middle."""
    if len(label) <= width or "\n" in label:
        return label
    cuts = [i for i, c in enumerate(label) if c in "-_ " and 0 < i < len(label) - 1]
    if not cuts:
        return label
    cut = min(cuts, key=lambda i: abs(i - len(label) / 2))
    return label[:cut] + "\n" + label[cut:] if label[cut] != " " else label[:cut] + "\n" + label[cut + 1:]


def abatement_waterfall(reference, alternative=None, by="scope", ax=None):
    """Abatement waterfall: the reference run's tCO2eq total, the change of each scope (or source,
    `by="source"`) to the alternative run (green: less, red: more), and the alternative's total.

    `reference`, `alternative`: RunResults; or `reference` alone as the table of
    `sandan.results.abatement_steps`. The changes add up to −(tCO2eq abated) of `sandan compare`.
    When the changes are small against the totals, the y axis starts above 0 so that they show (the
    plot says so). Returns the Axes; bar i spans `steps.start[i]`..`steps.end[i]` (tCO2eq/year).
    """
    if isinstance(reference, pd.DataFrame):
        steps = reference
        title = "Abatement"
    else:
        steps = _results.abatement_steps(reference, alternative, by=by)
        abated = reference.kpi_value(KPI.tco2e_total) - alternative.kpi_value(KPI.tco2e_total)
        title = f"{alternative.id} against {reference.id}\n{signed(abated, total=True)} tCO2eq/year abated"
    ax = _axes(ax)
    x = np.arange(len(steps))
    starts, ends = steps["start"].to_numpy(), steps["end"].to_numpy()
    lows, heights = np.minimum(starts, ends), np.abs(ends - starts)
    colours = [COLOURS["total"] if kind == "total" else COLOURS["decrease" if delta < 0 else "increase"]
               for kind, delta in zip(steps["kind"], steps["delta"])]
    ax.bar(x, heights, bottom=lows, width=0.6, color=colours)
    for i in range(len(steps) - 1):
        ax.plot([x[i] + 0.3, x[i + 1] - 0.3], [ends[i]] * 2, color="#888888", lw=0.8)
    for position, (kind, delta, low, height) in enumerate(zip(steps["kind"], steps["delta"], lows, heights)):
        ax.annotate(signed(delta, total=kind == "total"), (position, low + height),
                    textcoords="offset points", xytext=(0, 3), ha="center", fontsize="small")
    labels = [_wrap(label.replace(" (", "\n(")) for label in steps["label"]]
    ax.set_xticks(x, labels, fontsize="small" if len(steps) > 5 else None)
    # The levels the totals and changes pass through; when they lie close together far above 0,
    # an axis from 0 would flatten every change.
    levels = np.concatenate([ends, starts[steps["kind"].to_numpy() == "change"]])
    low, high = levels.min(), levels.max()
    span = max(high - low, 0.01 * abs(high), 1.0)
    bottom = low - 1.5 * span if low - 1.5 * span > 0 else 0.0
    ax.set_ylim(bottom, high + 0.25 * span + 0.05 * (high - bottom))
    ax.set_ylabel("emissions (tCO2eq/year)" + (", axis not from 0" if bottom > 0 else ""))
    ax.set_title(title)
    thousands(ax.yaxis)
    ax.grid(axis="y", alpha=0.3)
    return ax


def response_surface(index, x=None, y=None, z=KPI.tco2e_total, ax=None, kind="contourf", label=None,
                     cmap="viridis"):
    """A KPI of a batch over two numeric swept parameters: filled contours (or `kind="pcolormesh"`)
    with the runs marked as dots and a colour bar.

    `index`: a ResultsFile or its `index` DataFrame (extra columns may be added, e.g. KRW per tCO2eq);
    `x`, `y`: parameter columns (default: the first two swept settings, `swept_columns`; a unique end
    of the name, such as "roof_share", is enough); `z`: the column to show (default tco2e_total, tCO2eq).
    Runs that share x and y (Monte Carlo) are averaged. `label`: the colour bar's label (default: the
    column with its unit). Returns the Axes.
    """
    if isinstance(index, _results.ResultsFile):
        frame, parameters = index.index, index.swept_columns
    else:
        frame = index
        parameters = [c for c in index.attrs.get("parameter_columns", [])
                      if c not in _results.MONTE_CARLO_KEYS]
    x = _column(frame, x, parameters, 0)
    y = _column(frame, y, parameters, 1)
    z = _column(frame, z, [], None)
    ax = _axes(ax, figsize=(7.0, 5.0))
    points = frame[[x, y, z]].astype(float).dropna()
    grid = points.pivot_table(index=y, columns=x, values=z, aggfunc="mean")
    xs, ys, values = grid.columns.to_numpy(), grid.index.to_numpy(), grid.to_numpy()
    complete = not np.isnan(values).any() and len(xs) >= 2 and len(ys) >= 2
    if kind == "contourf" and complete:
        artist = ax.contourf(xs, ys, values, levels=12, cmap=cmap)
    elif kind in ("contourf", "pcolormesh"):
        artist = ax.pcolormesh(xs, ys, np.ma.masked_invalid(values), shading="nearest", cmap=cmap)
    else:
        raise ValueError(f"kind must be 'contourf' or 'pcolormesh', not {kind!r}")
    ax.scatter(points[x], points[y], s=14, color="white", edgecolors="black", linewidths=0.6, zorder=3,
               label="runs", clip_on=False)
    colorbar = ax.figure.colorbar(artist, ax=ax)
    colorbar.set_label(label or _index_label(z))
    if abs(np.nanmax(np.abs(values))) >= 100:
        thousands(colorbar.ax.yaxis)
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    for axis, values_ in ((ax.xaxis, xs), (ax.yaxis, ys)):
        if np.nanmax(np.abs(values_)) >= 1000:
            thousands(axis)
    ax.set_title(f"{sentence(_short(label or _index_label(z)))} over the sweep")
    return ax


def _column(frame, wanted, parameters, default):
    """The column of `frame` that `wanted` names (exactly, or as the unique end of a name)."""
    if wanted is None:
        if default is None or len(parameters) <= default:
            raise ValueError("the index has fewer than two swept parameters; name x and y")
        return parameters[default]
    if wanted in frame.columns:
        return wanted
    matches = [c for c in frame.columns if isinstance(c, str) and c.endswith(wanted)]
    if len(matches) != 1:
        raise KeyError(f"{wanted!r} names {'no' if not matches else 'more than one'} column of the index "
                       f"({', '.join(map(str, frame.columns))})")
    return matches[0]


def _index_label(column):
    if column in _results.INDEX_UNITS or column in FIGURE_NAMES:
        return figure_label(column, _results.INDEX_UNITS)
    return parameter_label(column)


def figure_label(column, units):
    """A label for a results column: its name in words, with its unit (`units`: column → unit)."""
    name = FIGURE_NAMES.get(column, column.replace("_", " "))
    unit = units.get(column)
    return f"{name} ({unit})" if unit else name


def _exteriors(polygons):
    """The exterior rings of a feature's polygons (holes are not drawn: footprints rarely have them)."""
    return [np.asarray(polygon[0], dtype=float) for polygon in polygons if len(polygon)]


def scale_bar(ax, location="lower left"):
    """A scale bar of a round length (1, 2 or 5 × 10^k m) about a fifth of the map's width."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    left, right = ax.get_xlim()
    target = abs(right - left) / 5.0
    power = 10.0 ** np.floor(np.log10(target))
    length = max(step * power for step in (1, 2, 5) if step * power <= target)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(ax.transData, length, text, location, pad=0.5, borderpad=0.8, sep=4,
                          frameon=True, size_vertical=abs(ax.get_ylim()[1] - ax.get_ylim()[0]) / 250)
    bar.patch.set_alpha(0.8)
    ax.add_artist(bar)
    return bar


def facility_map(run, value=KPI.annual_load_mwh, site=None, complex=None,  # noqa: A002
                 roads="workday", hour=None, ax=None, log=None, cmap="viridis", road_cmap=None):
    """Map of the run's facilities coloured by an annual figure, with roads coloured by traffic.

    `value`: a column of `sandan.results.facility_annual` (annual_load_mwh, annual_pv_mwh,
    annual_import_mwh, annual_export_mwh, annual_fuel_mwh, curtailed_mwh: MWh; pv_capacity_kwp: kWp;
    bill_krw: KRW; self_sufficiency: 1), or a pandas Series indexed by facility id (its `name` labels
    the colour bar). Footprints come from `site` (a `sandan.Site`, or a path for `sandan.load_site`;
    default the run's `site_path`), matched by facility id. `complex`: show one complex (its
    facilities coloured, the view its boundary) instead of the whole layout. Facilities not shown
    in colour (other complexes, or not simulated) are light grey; on a log scale (`log`: default for
    energies, capacities and bills) a value of 0 is mid grey. With a traffic group and `roads` a day
    type (workday, saturday, rest_day), road links are coloured and widened by their flow in both
    directions: the day's PCE, or that of the hour starting at `hour` (PCE/h); without, the layout's
    roads are drawn thin and grey. Axes in metres of the layout's CRS, with a scale bar and colour
    bars. Returns the Axes; the facilities' PolyCollection has gid "facilities" (one polygon per
    footprint part, in the layout's facility order) and the roads' LineCollection gid "roads".
    """
    import sandan

    if site is None:
        site = run.site_path
        if site is None:
            raise ValueError(f"{run.spec}: the run's scenario names no site; pass site=")
    if not hasattr(site, "facility_footprints"):
        site = sandan.load_site(site)
    if isinstance(value, pd.Series):
        values, label = value, value.name or "value"
    else:
        table = run.facility_annual()
        if value not in table.columns or value == "complex":
            raise KeyError(f"{run.spec}: no per-facility '{value}' (the run keeps: "
                           f"{', '.join(c for c in table.columns if c != 'complex')}; hourly figures "
                           "need facility_series: true)")
        values, label = table[value], figure_label(value, _results.FACILITY_UNITS)
    if log is None:
        log = not isinstance(value, pd.Series) and value.endswith(("_mwh", "_kwp", "_krw"))
    if complex is not None:
        if complex not in site.complex_ids:
            raise KeyError(f"no complex '{complex}' in the layout; it has: {', '.join(site.complex_ids)}")
        chosen = {f for f, c in zip(site.facility_ids, site.facility_complex) if c == complex}
        values = values[values.index.isin(chosen)]

    boundaries = dict(zip(site.complex_ids, site.complex_boundaries()))
    shown = _exteriors(boundaries[complex]) if complex is not None else \
        [ring for polygons in boundaries.values() for ring in _exteriors(polygons)]
    corners = np.concatenate(shown) if shown else np.asarray(site.facility_xy, dtype=float)
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    margin = 0.06 * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - margin, x1 + margin, y0 - margin, y1 + margin
    # A figure of the map's proportions, with room on the right for two colour bars.
    height = 8.0
    ax = _axes(ax, figsize=(min(16.0, max(7.0, height * (x1 - x0) / (y1 - y0) + 3.0)), height))

    coloured, coloured_values, context = [], [], []
    lookup = values.to_dict()
    for facility, polygons in zip(site.facility_ids, site.facility_footprints()):
        rings = _exteriors(polygons)
        if facility in lookup:
            coloured += rings
            coloured_values += [lookup[facility]] * len(rings)
        else:
            context += rings
    if context:
        ax.add_collection(PolyCollection(context, facecolors="#ececec", edgecolors="#cfcfcf",
                                         linewidths=0.3, zorder=1))
    data = np.asarray(coloured_values, dtype=float)
    colormap = matplotlib.colormaps[cmap].copy()
    colormap.set_bad("#a0a0a0")
    positive = data[data > 0]
    if log and positive.size and positive.max() > positive.min():
        norm = mcolors.LogNorm(vmin=positive.min(), vmax=positive.max())
        data = np.ma.masked_less_equal(data, 0)
    else:
        finite = data[np.isfinite(data)]
        norm = mcolors.Normalize(vmin=finite.min() if finite.size else 0.0,
                                 vmax=finite.max() if finite.size else 1.0)
    facilities = PolyCollection(coloured, array=data, cmap=colormap, norm=norm, edgecolors="#404040",
                                linewidths=0.2, gid="facilities", zorder=2)
    ax.add_collection(facilities)

    for complex_id, polygons in boundaries.items():
        rings = _exteriors(polygons)
        for ring in rings:
            ax.plot(ring[:, 0], ring[:, 1], color="#555555", lw=0.8, ls="--", zorder=1)
        if rings:
            top = max(rings, key=len)
            ax.annotate(complex_id.replace("_", " "), (top[:, 0].mean(), top[:, 1].max()),
                        ha="center", va="bottom", fontsize="small", color="#333333", zorder=5,
                        annotation_clip=True)

    road_label = None
    if roads and run.traffic is not None:
        flows = _two_way(run.link_flows(day_type=roads, hour=hour))
        segments = np.stack([flows[["from_x", "from_y"]].to_numpy(), flows[["to_x", "to_y"]].to_numpy()],
                            axis=1)
        pce = flows["pce"].to_numpy()
        widths = 0.6 + 3.4 * pce / pce.max() if pce.max() > 0 else np.full(pce.size, 0.6)
        if road_cmap is None:
            # Reds without its near-white end, so quiet roads still show on white.
            road_cmap = mcolors.LinearSegmentedColormap.from_list(
                "roads", matplotlib.colormaps["Reds"](np.linspace(0.3, 1.0, 256)))
        lines = LineCollection(segments, array=pce, cmap=road_cmap, linewidths=widths, gid="roads",
                               zorder=3)
        when = roads.replace("_", " ")
        road_label = (f"road flow, both directions, {when} (PCE/day)" if hour is None else
                      f"road flow, both directions, {when} {hour:02d}:00–{(hour + 1) % 24:02d}:00 (PCE/h)")
    else:
        lines = LineCollection(site.road_lines(), colors="#777777", linewidths=0.6, gid="roads", zorder=3)
    ax.add_collection(lines)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_anchor("E")
    ax.set_xlabel(f"x, {site.crs} (m)")
    ax.set_ylabel(f"y, {site.crs} (m)")
    thousands(ax.xaxis)
    thousands(ax.yaxis)
    ax.tick_params(axis="x", labelrotation=30)
    figure = ax.figure
    bar = figure.colorbar(facilities, ax=ax, shrink=0.8, pad=0.02, aspect=30)
    bar.set_label(label)
    if isinstance(norm, mcolors.LogNorm):
        bar.ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        bar.ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    thousands(bar.ax.yaxis)
    if road_label:
        bar = figure.colorbar(lines, ax=ax, shrink=0.8, pad=0.02, aspect=30)
        bar.set_label(road_label)
        thousands(bar.ax.yaxis)
    scale_bar(ax)
    where = f"{complex.replace('_', ' ')}, " if complex is not None else ""
    ax.set_title(f"{sentence(_short(label))} by facility, {where}{run.id}")
    return ax


def _two_way(flows):
    """Link flows with the two directions of a road segment summed (they would draw over each other)."""
    ends = flows[["from_x", "from_y", "to_x", "to_y"]].round(1).to_numpy()
    swap = (ends[:, 0] > ends[:, 2]) | ((ends[:, 0] == ends[:, 2]) & (ends[:, 1] > ends[:, 3]))
    key = np.where(swap[:, None], ends[:, [2, 3, 0, 1]], ends)
    frame = flows.assign(k0=key[:, 0], k1=key[:, 1], k2=key[:, 2], k3=key[:, 3])
    grouped = frame.groupby(["k0", "k1", "k2", "k3"], sort=False).agg(
        from_x=("from_x", "first"), from_y=("from_y", "first"), to_x=("to_x", "first"),
        to_y=("to_y", "first"), pce=("pce", "sum"))
    return grouped.reset_index(drop=True)


__all__ = ["COLOURS", "load_duration_curve", "monthly_energy_balance", "daily_profile_heatmap",
           "emissions_by_scope", "abatement_waterfall", "response_surface", "facility_map", "scale_bar",
           "thousands", "parameter_label", "figure_label", "signed", "sentence"]
