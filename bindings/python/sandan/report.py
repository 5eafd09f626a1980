"""An HTML report of sandan results for policy staff: one self-contained file.

    python3 -m sandan.report results/baseline.h5 results/green_2030.h5 -o report.html
    python3 -m sandan.report results/baseline.h5 results/sweep.h5 -o sweep.html
    python3 -m sandan.report a.h5 b.h5 --reference b.h5:b -o report.html

Every run in the files is a scenario; the first run of the first file is the reference, unless
`--reference FILE[:RUN]` names another (a file that is not among the inputs is added first). The
report holds: a headline table (tCO2eq and tCO2eq abated against the reference, annualised cost,
bill change and KRW per tCO2eq abated, gross and net, as `sandan compare` computes them), carbon by
scope and complex, an abatement waterfall per alternative, energy (load, PV, self-sufficiency, peak
import, monthly balance), traffic when the runs have it, a batch's response surfaces, and notes
(data, factors, files, versions). Plots are PNG images inside the file; CSS is inline; nothing is
fetched from elsewhere.

A file of many runs (a sweep) stays readable: every run has its row in the tables, while the
per-scenario plots (waterfall, emissions by complex, monthly balance) are drawn for at most
`MAX_DETAILED` alternatives: all of them when there are no more, else the `DETAILED_OF_MANY` that
abate the most, which the report says.

Exit codes as the command line's: 0 written; 2 bad input (a missing file, not a results file, an
unknown run: one message on stderr naming the file, nothing written); 3 the report could not be
written; 4 an internal error. The file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import math
import os
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

import sandan
from sandan import KPI

from . import results as _results

# Alternatives drawn one by one (waterfall, emissions by complex, monthly balance); beyond this
# many, the report draws the DETAILED_OF_MANY that abate the most and lists every run in the tables.
MAX_DETAILED = 6
DETAILED_OF_MANY = 3

MINUS = "\u2212"  # a real minus sign: easier to read in tables than a hyphen
NA = "n/a"


# Formatting -------------------------------------------------------------------------------------
def number(value, decimals=0, signed=False, scale=1.0):
    """`value / scale` with thousands separators, `decimals` decimals and a real minus sign;
    "n/a" for None or NaN; a leading "+" when `signed` and positive."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NA
    scaled = value / scale
    text = f"{abs(scaled):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    if scaled < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def percent(value, decimals=1, signed=False):
    """A share (0.123) as "12.3 %"; one more decimal below 1 % (0.0003 as "0.03 %")."""
    if value is None or not math.isfinite(value):
        return NA
    if 0 < abs(value) < 0.01:
        decimals += 1
    return f"{number(100.0 * value, decimals, signed)} %"


def plural(count, word):
    """"1 run", "3 runs"."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _e(text):
    return html.escape(str(text), quote=True)


# Plots ------------------------------------------------------------------------------------------
def _figure(columns, rows, width=6.4, height=3.6):
    """A matplotlib Figure without pyplot (nothing is shown or kept), with a grid of Axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _png(figure, alt):
    """An <img> of the figure, embedded as base64 PNG (no metadata, so no links inside)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _grid_of(items, draw, alt, columns=2, width=6.4, height=3.6, sharey=False):
    """One figure with a panel per item, `draw(item, ax)` filling each; empty panels hidden."""
    columns = min(columns, len(items))
    rows = math.ceil(len(items) / columns)
    figure, axes = _figure(columns, rows, width, height)
    flat = axes.ravel()
    for item, ax in zip(items, flat):
        draw(item, ax)
    for ax in flat[len(items):]:
        ax.set_visible(False)
    if sharey and len(items) > 1:
        top = max(ax.get_ylim()[1] for ax in flat[:len(items)])
        bottom = min(ax.get_ylim()[0] for ax in flat[:len(items)])
        for ax in flat[:len(items)]:
            ax.set_ylim(bottom, top)
    return _png(figure, alt)


# The scenarios ----------------------------------------------------------------------------------
class Scenario:
    """A run of the report with its label and its headline against the reference."""

    def __init__(self, run, label):
        self.run = run
        self.label = label
        self.headline = None  # sandan.compare(...)["headline"], for an alternative
        self.attribution = None  # sandan.compare(...)["attribution"]

    def kpi(self, key, complex="all"):  # noqa: A002 - the KPI table's word
        """A KPI of complex `complex`, or None when the run does not have it."""
        return self.run.kpi_value(key, complex) if self.run.has_kpi(key, complex) else None

    @property
    def abated(self):
        return None if self.headline is None else self.headline.get("tco2e_abated")


def _open_inputs(paths, reference_spec, files):
    """Open the input files into the list `files` (so the caller can close them whatever happens)
    and return the scenarios, the reference first. BadInputError (naming the file) for a missing
    file, a file that is not a results file or an unknown run."""
    for path in paths:
        files.append(_results.open(path))
    reference = None
    if reference_spec is not None:
        path, run = _results.split_spec(reference_spec)
        same = [f for f in files if os.path.exists(path) and f.path.exists()
                and os.path.samefile(f.path, path)]
        if same:
            holder = same[0]
        else:
            holder = _results.open(path)
            files.insert(0, holder)
        reference = holder.run(run)
    runs = [run for results_file in files for run in results_file]
    if not runs:
        raise _results._bad_input(f"{os.fspath(files[0].path)}: holds no runs")
    if reference is None:
        reference = runs[0]
    runs = [reference] + [run for run in runs if not (run.file is reference.file and run.id == reference.id)]
    ids = [run.id for run in runs]
    return [Scenario(run, run.id if ids.count(run.id) == 1 else f"{run.file.path.name}:{run.id}")
            for run in runs]


def _settings(run):
    """A batch run's swept values, short: "roof_share 0.4, energy_kwh 20,000"."""
    parts = []
    for key, value in run.parameters.items():
        name = key.rsplit(".", 1)[-1].replace("monte_carlo_run", "Monte Carlo run")
        large = (isinstance(value, (int, float)) and abs(value) >= 1000
                 and key not in _results.MONTE_CARLO_KEYS)
        if isinstance(value, float) and not large and value != round(value, 4):
            value = float(f"{value:.4g}")  # a sampled value: four significant digits are enough to read
        shown = number(value, 0) if large else value
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


# Sections ---------------------------------------------------------------------------------------
def _table(header, rows, classes=None, caption=None):
    """An HTML table; cells are text (escaped), numeric columns right-aligned by `classes`."""
    classes = classes or ["num"] * len(header)
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th class="{c}">{_e(h)}</th>' for h, c in zip(header, classes))
               + "</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{c}">{_e(v)}</td>' for v, c in zip(row, classes)) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _headline_section(scenarios, reference, batch):
    years = len({s.run.year for s in scenarios}) > 1
    header = ["scenario"] + (["settings"] if batch else []) + (["year"] if years else []) + [
        "tCO2eq/year", "abated vs reference, tCO2eq/year", "abated, %", "annualised cost, million KRW/year",
        "energy cost change, million KRW/year", "net annual cost, million KRW/year", "KRW per tCO2eq abated, gross",
        "KRW per tCO2eq abated, net"]
    classes = ["text"] + (["text"] if batch else []) + (["num"] if years else []) + ["num"] * 8
    rows = []
    total_ref = reference.kpi(KPI.tco2e_total)
    for s in scenarios:
        total = s.kpi(KPI.tco2e_total)
        cost = s.kpi(KPI.annualised_cost_krw)
        settings = ([_settings(s.run)] if batch else []) + ([str(s.run.year)] if years else [])
        if s is reference:
            rows.append([f"{s.label} (reference)"] + settings + [
                number(total), "—", "—", number(cost, 0, scale=1e6), "—", "—", "—", "—"])
            continue
        h = s.headline
        share = h["tco2e_abated"] / total_ref if h["tco2e_abated"] is not None and total_ref else None
        rows.append([s.label] + settings + [
            number(total), number(h["tco2e_abated"]), percent(share), number(cost, 0, scale=1e6),
            number(h["delta_energy_cost_krw"] if h.get("delta_energy_cost_krw") is not None
                   else h["delta_bill_krw"], 0, signed=True, scale=1e6),
            number(h["net_annual_cost_krw"], 0, signed=True, scale=1e6),
            number(h["krw_per_tco2e_gross"]), number(h["krw_per_tco2e_net"])])
    return _table(header, rows, classes)


def _summary_sentences(scenarios, reference):
    """A few sentences on the alternatives that abate the most."""
    alternatives = [s for s in scenarios if s is not reference and s.abated is not None]
    if not alternatives:
        return "<p>The files hold no alternative to the reference with a carbon account.</p>"
    ranked = sorted(alternatives, key=lambda s: -s.abated)[:3]
    total_ref = reference.kpi(KPI.tco2e_total)
    items = []
    for s in ranked:
        h = s.headline
        share = f" ({percent(h['tco2e_abated'] / total_ref)} of the reference)" if total_ref else ""
        if h["tco2e_abated"] > 0 and h["delta_annualised_cost_krw"] == 0:
            cost = ", with no intervention cost stated in its scenario"
        elif h["tco2e_abated"] > 0 and h["krw_per_tco2e_gross"] is not None:
            cost = (f", at {number(h['krw_per_tco2e_gross'])} KRW per tCO2eq from its annualised cost, "
                    f"{number(h['krw_per_tco2e_net'])} KRW per tCO2eq net of the change in electricity bills")
        else:
            cost = ""
        verb = "abates" if h["tco2e_abated"] >= 0 else "adds"
        items.append(f"<li><b>{_e(s.label)}</b> {verb} {_e(number(abs(h['tco2e_abated'])))} tCO2eq a year"
                     f"{_e(share)}{_e(cost)}.</li>")
    lead = "The alternatives that abate the most" if len(alternatives) > 1 else "The alternative"
    return f"<p>{lead}, against <b>{_e(reference.label)}</b>:</p><ul>{''.join(items)}</ul>"


def _warnings(scenarios, reference):
    """Paragraphs on alternatives that are not like for like with the reference: other models
    (traffic, carbon account) or other complexes, whose totals therefore differ for that reason."""
    cases = {}
    for s in scenarios[1:]:
        for group in ("traffic", "emissions"):
            if (group in reference.run.groups) != (group in s.run.groups):
                cases.setdefault((group, group in reference.run.groups), []).append(s)
        if set(s.run.complexes) != set(reference.run.complexes):
            cases.setdefault(("complexes", None), []).append(s)
    out = []
    for (what, in_reference), found in cases.items():
        names = _results._some([s.label for s in found])
        count = plural(len(found), "scenario")
        if what == "traffic" and in_reference:
            transport = reference.kpi(KPI.tco2e_transport)
            text = (f"{count} ({names}) ran without traffic, which the reference has: their tCO2eq totals "
                    f"leave out road transport ({number(transport)} tCO2eq/year in the reference), and "
                    "the comparison counts that as abated.")
        elif what == "traffic":
            text = (f"{count} ({names}) ran with traffic, which the reference has not: their totals "
                    "include road transport that the reference's leaves out, which counts against them.")
        elif what == "emissions":
            text = (f"{count} ({names}) {'lack' if in_reference else 'have'} the carbon account that the "
                    f"reference {'has' if in_reference else 'lacks'}: their tCO2eq abated is n/a.")
        else:
            text = (f"{count} ({names}) simulate other complexes than the reference "
                    f"({', '.join(reference.run.complexes)}): their totals cover other ground.")
        out.append(text)
    if not out:
        return ""
    first = next(iter(cases.values()))[0]
    out.append("For like-for-like figures, take as reference a run with the same models and complexes, "
               f"e.g. --reference {first.run.file.path.name}:{first.run.id}.")
    return "".join(f'<p class="warn">{_e(text)}</p>' for text in out)


def _carbon_section(scenarios, detailed):
    with_emissions = [s for s in scenarios if s.run.emissions is not None]
    if not with_emissions:
        return "<p>No run has a carbon account (a scenario without <code>emission_factors</code>).</p>"
    header = ["scenario", "scope 1 (fuels)", "scope 2 (electricity)", "transport", "total"]
    rows = []
    for s in with_emissions:
        values = [s.kpi(key) for key in (KPI.tco2e_scope1, KPI.tco2e_scope2, KPI.tco2e_transport, KPI.tco2e_total)]
        rows.append([s.label] + [number(v) for v in values])
    parts = [_table(header, rows, ["text"] + ["num"] * 4, caption="tCO2eq/year by scope, all complexes "
                                                                 "and the roads between them")]
    shown = [s for s in detailed if s.run.emissions is not None]
    areas = list(dict.fromkeys(area for s in shown for area in s.run.emissions_by_scope().index))
    tables = {s.label: s.run.emissions_by_scope() for s in shown}
    rows = [[area.replace("_", " ")] + [number(tables[s.label]["total"].get(area, np.nan)) for s in shown]
            for area in areas]
    parts.append(_table(["complex"] + [s.label for s in shown], rows, ["text"] + ["num"] * len(shown),
                        caption="tCO2eq/year by complex (\"outside\": roads outside every complex; "
                                "\"all\": the total)"))
    from . import plots

    parts.append(_grid_of(shown, lambda s, ax: plots.emissions_by_scope(s.run, ax=ax),
                          "emissions by scope and complex", columns=2, sharey=True))
    return "\n".join(parts)


def _waterfall_section(detailed, reference):
    from . import plots

    shown = [s for s in detailed if s is not reference and s.run.emissions is not None
             and reference.run.emissions is not None]
    if not shown:
        return None
    header = ["step"] + [s.label for s in shown]
    steps = {s.label: _results.abatement_steps(reference.run, s.run) for s in shown}
    first = steps[shown[0].label]
    rows = []
    for i, label in enumerate(first["label"]):
        name = "reference total" if i == 0 else ("alternative total" if i == len(first) - 1 else label)
        rows.append([name] + [number(steps[s.label]["delta"].iloc[i], signed=0 < i < len(first) - 1)
                              for s in shown])
    table = _table(header, rows, ["text"] + ["num"] * len(shown), caption="tCO2eq/year: the change of each "
                                                                           "scope, alternative − reference")
    plot = _grid_of(shown, lambda s, ax: plots.abatement_waterfall(reference.run, s.run, ax=ax),
                    "abatement waterfalls", columns=2, width=6.4, height=3.8)
    return table + "\n" + plot


def _energy_section(scenarios, detailed):
    from . import plots

    header = ["scenario", "load, MWh/year", "PV, MWh/year", "self-sufficiency", "peak import, MW",
              "grid import, MWh/year", "export, MWh/year", "fuel, MWh/year", "bill, million KRW/year"]
    rows = []
    for s in scenarios:
        rows.append([s.label, number(s.kpi(KPI.annual_load_mwh)), number(s.kpi(KPI.annual_pv_mwh)),
                     percent(s.kpi(KPI.self_sufficiency)), number(s.kpi(KPI.peak_import_kw), 1, scale=1000),
                     number(s.kpi(KPI.annual_import_mwh)), number(s.kpi(KPI.annual_export_mwh)),
                     number(s.kpi(KPI.annual_fuel_mwh)), number(s.kpi(KPI.bill_krw), 0, scale=1e6)])
    parts = [_table(header, rows, ["text"] + ["num"] * 8,
                    caption="All complexes; peak import is coincident, at the complexes' connections")]
    shown = [s for s in detailed if s.run.energy is not None]
    parts.append(_grid_of(shown, lambda s, ax: plots.monthly_energy_balance(s.run, ax=ax),
                          "monthly energy balance", columns=2, sharey=True))
    return "\n".join(parts)


def _traffic_section(scenarios):
    with_traffic = [s for s in scenarios if s.run.traffic is not None]
    if not with_traffic:
        return None
    header = ["scenario", "car-km, million km/year", "truck-km, million km/year",
              "vehicle-hours, thousand h/year", "electric share of truck-km", "transport, tCO2eq/year"]
    rows = []
    for s in with_traffic:
        trucks, electric = s.kpi(KPI.truck_km), s.kpi(KPI.electric_truck_km)
        share = electric / trucks if trucks and electric is not None else None
        rows.append([s.label, number(s.kpi(KPI.car_km), 2, scale=1e6), number(trucks, 2, scale=1e6),
                     number(s.kpi(KPI.vehicle_hours), 0, scale=1e3), percent(share),
                     number(s.kpi(KPI.tco2e_transport))])
    return _table(header, rows, ["text"] + ["num"] * 5,
                  caption="Road traffic on every road link of the layout, a year")


def _batch_section(files, scenarios, reference):
    """Response surfaces of each file with two or more swept settings."""
    from . import plots

    parts = []
    by_key = {(s.run.file.path, s.run.id): s for s in scenarios}
    for results_file in files:
        # Axes need numbers: a sweep of named choices (a battery strategy) has its table only.
        index = results_file.index
        parameters = [c for c in results_file.swept_columns
                      if index[c].nunique(dropna=True) > 1 and pd.api.types.is_numeric_dtype(index[c])]
        if len(parameters) < 2:
            continue
        frame = results_file.index.copy()
        frame.attrs["parameter_columns"] = parameters
        abated, net = [], []
        for run_id in frame.index:
            s = by_key.get((results_file.path, run_id))
            h = s.headline if s is not None and s.headline is not None else {}
            abated.append(h.get("tco2e_abated", np.nan) if s is not reference else 0.0)
            net.append(h.get("krw_per_tco2e_net"))
        frame["tco2e_abated"] = [np.nan if v is None else v for v in abated]
        frame["krw_per_tco2e_net"] = [np.nan if v is None else v for v in net]
        panels = [("tco2e_abated", "tCO2eq abated vs reference (tCO2eq/year)")]
        if frame["krw_per_tco2e_net"].notna().sum() >= 4:
            panels.append(("krw_per_tco2e_net", "KRW per tCO2eq abated, net of bills (KRW/tCO2eq)"))
        figure, axes = _figure(len(panels), 1, 6.0, 4.6)
        for (column, label), ax in zip(panels, axes[0]):
            plots.response_surface(frame, parameters[0], parameters[1], column, ax=ax, label=label)
        extra = f" (and {', '.join(parameters[2:])}, averaged)" if len(parameters) > 2 else ""
        parts.append(f"<h3>{_e(results_file.path.name)}: {len(results_file)} runs over "
                     f"{_e(parameters[0])} × {_e(parameters[1])}{_e(extra)}</h3>")
        parts.append(_png(figure, f"response surfaces of {results_file.path.name}"))
    return "\n".join(parts) if parts else None


def _attribution_section(scenarios):
    """For each alternative drawn in detail whose background differs from the reference's: B − A
    split into the interventions, the grid factor and the rest of the background (docs/economics.md)."""
    keys = [KPI.tco2e_total, KPI.tco2e_scope1, KPI.tco2e_scope2, KPI.tco2e_transport, KPI.annual_import_mwh,
            KPI.energy_cost_krw]
    parts = []
    for s in scenarios[1:]:
        at = s.attribution or {}
        if at.get("status") == "attributed":
            rows = {(r["key"], r["complex"]): r for r in at["rows"]}
            table = []
            for key in keys:
                r = rows.get((str(key), "all"))
                if r is None:
                    continue
                table.append([str(key), r["unit"]] + [number(r[c], 0, signed=True)
                                                      for c in ("total", "interventions", "grid_factor",
                                                                "other_background")])
            parts.append(f"<h3>{_e(s.label)}</h3><p>The backgrounds differ ({_e('; '.join(at['background']))}): "
                         "the headline counts only what the interventions do, against the counterfactual "
                         "(this scenario's background with the reference's interventions).</p>")
            parts.append(_table(["KPI (all complexes)", "unit", "change", "interventions", "grid factor",
                                 "other background"], table, ["text", "text"] + ["num"] * 4))
        elif at.get("status") == "counterfactual_needed":
            parts.append(f'<p class="warn">{_e(s.label)}: {_e(at["message"])}</p>')
    return "\n".join(parts) if parts else None


def _uncertainty_section(files):
    """P10/P50/P90 of every output of each file with /uncertainty, and its inputs ranked by their
    sensitivity (Sobol' total index or Morris mu*) on the abatement, as a bar chart."""
    import h5py

    parts = []
    for results_file in files:
        with h5py.File(results_file.path, "r") as f:
            if "uncertainty" not in f:
                continue
            u = f["uncertainty"]
            outputs = list(u["output"].asstr()[:])
            units = list(u["output_unit"].asstr()[:])
            inputs = list(u["input"].asstr()[:])
            distributions = list(u["distribution"].asstr()[:])
            p10, p50, p90 = u["p10"][:], u["p50"][:], u["p90"][:]
            method = u.attrs["method"]
            samples = len(u["sample"])
            sens = None
            if "sensitivity" in f:
                g = f["sensitivity"]
                kind = g.attrs["method"]
                measure = g["total"][:] if kind == "sobol" else g["mu_star"][:]
                sens = (kind, measure)
        parts.append(f"<h3>{_e(results_file.path.name)}: {samples} design points ({_e(method)})</h3>")
        parts.append(_table(["uncertain input", "distribution"], list(zip(inputs, distributions)), ["text", "text"]))
        rows = [[o, un, number(a, 2 if abs(a) < 10 else 0), number(b, 2 if abs(b) < 10 else 0),
                 number(c, 2 if abs(c) < 10 else 0)] for o, un, a, b, c in zip(outputs, units, p10, p50, p90)]
        parts.append(_table(["output (all complexes)", "unit", "P10", "P50", "P90"], rows,
                            ["text", "text", "num", "num", "num"]))
        if sens is not None:
            kind, measure = sens
            o = outputs.index("tco2e_abated") if "tco2e_abated" in outputs else outputs.index("tco2e_total")
            values = np.nan_to_num(measure[o], nan=0.0)
            order = np.argsort(values)
            figure, axes = _figure(1, 1, 7.5, 0.5 + 0.45 * len(inputs))
            ax = axes[0][0]
            ax.barh([inputs[i] for i in order], values[order], color="#3b7dd8")
            ax.set_xlabel("Sobol' total index" if kind == "sobol" else "Morris mu* (output units)")
            ax.set_title(f"What moves {outputs[o]} most")
            parts.append(_png(figure, f"inputs ranked by their effect on {outputs[o]}"))
    return "\n".join(parts) if parts else None


def _macc_section(files):
    """The marginal abatement cost curve of each file with /macc: bars as wide as the tonnes each
    intervention abates alone, as high as its net cost per tonne, cheapest first."""
    import h5py

    parts = []
    for results_file in files:
        with h5py.File(results_file.path, "r") as f:
            if "macc" not in f:
                continue
            m = f["macc"]
            names = list(m["intervention"].asstr()[:])
            abated = m["tco2e_abated"][:]
            net = m["net_annual_cost_krw"][:]
            per_tonne = m["krw_per_tco2e_net"][:]
        rows = [[n, number(a), number(c, 0, signed=True, scale=1e6), number(p) if np.isfinite(p) else NA]
                for n, a, c, p in zip(names, abated, net, per_tonne)]
        parts.append(f"<h3>{_e(results_file.path.name)}</h3>")
        parts.append(_table(["intervention", "tCO2eq abated/year", "net cost, million KRW/year", "KRW per tCO2eq"],
                            rows, ["text", "num", "num", "num"]))
        curve = [(n, a, p) for n, a, p in zip(names, abated, per_tonne)
                 if n not in ("package", "interaction") and a > 0 and np.isfinite(p)]
        if curve:
            figure, axes = _figure(1, 1, 9.0, 4.2)
            ax = axes[0][0]
            left = 0.0
            for name, width, height in curve:
                ax.bar(left, height, width=width, align="edge", color="#2e8b57" if height < 0 else "#d2691e",
                       edgecolor="white")
                ax.text(left + width / 2, height, name.split(".")[-1], ha="center",
                        va="bottom" if height >= 0 else "top", fontsize=8)
                left += width
            ax.axhline(0, color="#444", linewidth=0.8)
            ax.set_xlabel("tCO2eq abated a year (each intervention alone)")
            ax.set_ylabel("net cost, KRW per tCO2eq")
            parts.append(_png(figure, "marginal abatement cost curve"))
    return "\n".join(parts) if parts else None


def _notes_section(scenarios, files, reference, detailed, alternatives):
    items = []
    sites = sorted({s.run.site_path or NA for s in scenarios})
    weathers = sorted({_results._yaml_scalar(s.run.scenario, "weather") or NA for s in scenarios})
    synthetic = any(p.endswith("incheon.gpkg") for p in sites) or any("synthetic" in w for w in weathers)
    text = (f"Layout: {', '.join(sites)}. Weather: {', '.join(weathers)}.")
    if synthetic:
        text += (" The shipped layout and weather are synthetic: the right places, areas, firm and "
                 "employee counts, industry mix and climate normals, with plausible streets, plots, "
                 "feeders and hours, but not surveyed boundaries, buildings or measured weather "
                 "(gis_data/README.md). Read the figures as the order of magnitude of each measure, not "
                 "as a survey of the complexes.")
    items.append(text)
    factors = {}
    for s in scenarios:
        if s.run.emissions is not None:
            key = (number(s.run.grid_t_per_mwh, 4), s.run.emissions.attrs.get("factors", NA))
            factors.setdefault(key, []).append(s.label)
    if factors:
        shown = [f"{factor} tCO2eq/MWh with {path}: {_results._some(labels)}"
                 for (factor, path), labels in factors.items()]
        items.append("Grid emission factor: " + "; ".join(shown) + ". Fuels: "
                     "IPCC 2006 factors; vehicles: speed-dependent curves; exported PV carries no "
                     "carbon credit (docs/emissions.md).")
    items.append("tCO2eq abated = reference total − scenario total (complex \"all\"); when the two differ "
                 "in background (year, grid factor, tariff, ...), counterfactual total − scenario total, so "
                 "only the interventions count (docs/economics.md). KRW per tCO2eq abated, gross = change "
                 "in annualised intervention cost / tCO2eq abated; net = (change in annualised cost + change "
                 "in the energy cost: electricity bill, fuel, less PV export credit) / tCO2eq abated, so a "
                 "negative net figure means the savings exceed the annualised cost; n/a when nothing is "
                 "abated. Annualised cost = investment × capital recovery factor at the scenario's discount "
                 "rate over each intervention's lifetime, plus operation and maintenance; the costs in the "
                 "shipped scenarios are estimates, fuel and export prices are sourced (gis_data/prices).")
    if alternatives > len(detailed) - 1:
        items.append(f"The {alternatives} alternatives are all in the tables; the plots per scenario show "
                     f"the reference and the {len(detailed) - 1} that abate the most "
                     f"({', '.join(s.label for s in detailed[1:])}).")
    for results_file in files:
        names = sorted({run.scenario_name for run in results_file})
        items.append(f"{results_file.path.name}: {plural(len(results_file), 'run')} of scenario "
                     f"{', '.join(names)}; written {results_file.created or NA} by sandan "
                     f"{results_file.sandan_version or NA} "
                     f"({results_file.command or 'command not recorded'}).")
    notes = [f"{s.label}: {note}" for s in scenarios for note in s.run.notes]
    if notes:
        items.append("Run notes: " + "; ".join(notes))
    items.append(f"Reference: {reference.label} ({reference.run.spec}). Report made "
                 f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')} with sandan.report.")
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


_CSS = """
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1320px;
       padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em;
margin-top: 2em; } h3 { font-size: 1.05em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0 1.2em; font-size: 0.9em; }
caption { text-align: left; color: #555; padding-bottom: 0.3em; font-style: italic; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.3em 0.7em; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
th.num { max-width: 9em; }
td.text, th.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafafa; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0 1em; }
.note { color: #555; font-size: 0.9em; }
.warn { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.5em 0.8em; }
"""


def build_report(scenarios, files, title=None):
    """The report's HTML text. `scenarios[0]` is the reference; the others get their headline from
    `sandan.compare` against it."""
    reference = scenarios[0]
    for s in scenarios[1:]:
        comparison = sandan.compare(os.fspath(reference.run.path), os.fspath(s.run.path),
                                    reference.run.id, s.run.id)
        s.headline = comparison["headline"]
        s.attribution = comparison.get("attribution")
    alternatives = [s for s in scenarios[1:]]
    if len(alternatives) <= MAX_DETAILED:
        chosen = alternatives
    else:
        chosen = sorted(alternatives, key=lambda s: -(s.abated if s.abated is not None else -math.inf))
        chosen = sorted(chosen[:DETAILED_OF_MANY], key=alternatives.index)
    detailed = [reference] + chosen
    batch = any(s.run.parameters for s in scenarios)
    complexes = ", ".join(c.replace("_", " ") for c in reference.run.complexes)
    title = title or "Scenario report: carbon, cost and energy"

    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="sub">{_e(plural(len(scenarios) - 1, "scenario"))} against the reference '
            f"<b>{_e(reference.label)}</b> "
            f"(year {_e(reference.run.year or NA)}; complexes: {_e(complexes)}).</p>",
            "<h2>Headline</h2>", _warnings(scenarios, reference), _summary_sentences(scenarios, reference),
            _headline_section(scenarios, reference, batch),
            '<p class="note">Abated: reference − scenario, tCO2eq a year (only the interventions\' share when '
            "the backgrounds differ). Energy cost change and net annual cost: scenario − reference (negative: "
            "savings). KRW per tCO2eq: see the notes.</p>"]
    surfaces = _batch_section(files, scenarios, reference)
    if surfaces:
        body += ["<h2>Batch: response surfaces</h2>",
                 '<p class="note">Each dot is a run; colours interpolate between them.</p>', surfaces]
    attribution = _attribution_section([reference] + chosen)
    if attribution:
        body += ["<h2>What the interventions did, and what the background did</h2>", attribution]
    uncertainty = _uncertainty_section(files)
    if uncertainty:
        body += ["<h2>Uncertainty</h2>",
                 '<p class="note">P10, P50, P90 over the samples (docs/uncertainty.md). Abatement and cost '
                 "per tonne are against each sample's counterfactual.</p>", uncertainty]
    macc = _macc_section(files)
    if macc:
        body += ["<h2>Marginal abatement cost</h2>",
                 '<p class="note">Each intervention alone against the reference; the package together; '
                 "the interaction is the package minus the sum of the parts (docs/economics.md).</p>", macc]
    body += ["<h2>Carbon by scope and complex</h2>", _carbon_section(scenarios, detailed)]
    waterfalls = _waterfall_section(detailed, reference)
    if waterfalls:
        body += ["<h2>Abatement against the reference</h2>",
                 '<p class="note">From the reference total (left) through the change of each scope '
                 "(green: less, red: more) to the scenario's total (right).</p>", waterfalls]
    body += ["<h2>Energy</h2>", _energy_section(scenarios, detailed)]
    traffic = _traffic_section(scenarios)
    if traffic:
        body += ["<h2>Traffic</h2>", traffic]
    body += ["<h2>Notes</h2>", _notes_section(scenarios, files, reference, detailed, len(alternatives))]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _same_file(a, b):
    """Whether two paths name one file: by identity when both exist, else by their resolved paths."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(output, inputs):
    """Why the report may not be written to `output` (an input results file, or an existing folder,
    device or FIFO), or None when it may (docs/reliability.md, "Outputs, signals and locks")."""
    output = Path(output)
    for name in inputs:
        if _same_file(output, name):
            return (f"{output}: the output is the results file {name}, an input of this report: writing "
                    "the report would destroy it; choose another output, e.g. -o report.html")
    if output.exists() and not output.is_file():
        kind = "a folder" if output.is_dir() else "not a regular file (a device, a FIFO or a socket)"
        return f"{output}: exists and is {kind}; the report would replace it: choose a file name"
    return None


def write_atomically(path, text):
    """Write text to `path` through a temporary file in the same folder, renamed when complete."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes the file private; a report is as readable as any file the user writes.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        # Only a regular file is ever replaced: not a device, a FIFO or a folder made meanwhile.
        if path.exists() and not path.is_file():
            raise IsADirectoryError(0, "exists and is not a regular file; not replaced", str(path))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    """The command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python3 -m sandan.report",
        description="Write one self-contained HTML report of sandan results files: every run is a "
                    "scenario compared with the reference.")
    parser.add_argument("files", nargs="+", metavar="RESULTS.h5", help="results files of `sandan run`")
    parser.add_argument("-o", "--output", required=True, metavar="REPORT.html", help="the HTML file to write")
    parser.add_argument("--reference", metavar="FILE[:RUN]",
                        help="the reference run (default: the first run of the first file)")
    parser.add_argument("--title", help="the report's title")
    args = parser.parse_args(argv)

    output = Path(args.output)
    refused = check_output(output, [name.split(":", 1)[0] if not os.path.exists(name) else name
                                    for name in args.files + ([args.reference] if args.reference else [])])
    if refused:
        print(f"sandan report: error: {refused}", file=sys.stderr)
        return 2
    if not output.parent.is_dir():
        print(f"sandan report: error: {output}: cannot write (no folder {output.parent})", file=sys.stderr)
        return 3
    files = []
    try:
        try:
            scenarios = _open_inputs(args.files, args.reference, files)
            text = build_report(scenarios, files, args.title)
        finally:
            for results_file in files:
                results_file.close()
    except sandan.BadInputError as error:
        print(f"sandan report: error: {error}", file=sys.stderr)
        return 2
    except sandan.IoError as error:
        print(f"sandan report: error: {error}", file=sys.stderr)
        return 3
    except Exception as error:  # noqa: BLE001 - reported as the command line's internal error
        traceback.print_exc()
        print(f"sandan report: internal error: {error}", file=sys.stderr)
        return 4
    try:
        write_atomically(output, text)
    except OSError as error:
        print(f"sandan report: error: {output}: cannot write ({error.strerror or error})", file=sys.stderr)
        return 3
    print(f"sandan report: wrote {output} ({plural(len(scenarios), 'run')}, reference {scenarios[0].label}, "
          f"{len(text.encode('utf-8')) / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
