"""Results files of `sandan run` (schema `sandan-results` v1, docs/results-schema.md) in Python.

Each run's groups open as xarray Datasets (lazily: a variable is read from the file when its values
are used), the KPI and index tables as pandas DataFrames::

    import sandan.results
    with sandan.results.open("results/baseline.h5") as r:
        r.runs                      # run ids in file order, from /index
        r.index                     # one row per run; a sweep's parameters as columns
        run = r["baseline"]         # or r.run("baseline"), or r.run() when the file holds one run
        run.energy.complex_load_kw  # xarray, kW
        run.kpi_table()             # key × complex, with the unit

h5py is used only to list the runs and read their attributes; xarray (engine h5netcdf) reads the
groups, and the engine's results reader checks the file and reads the KPI tables
(`kpis(path)`: every run's KPIs as one DataFrame). A missing file, a file that is not HDF5 or
whose root attribute `schema` is not "sandan-results", and an unknown run raise
`sandan.BadInputError` naming the file, as the command line does.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from . import KPI, BadInputError
from ._sandan import list_runs as _list_runs
from ._sandan import parse_run_ref as _parse_run_ref
from ._sandan import read_kpis as _read_kpis
from ._sandan import read_run_layers as _read_run_layers

SCHEMA = "sandan-results"
GROUPS = ("energy", "grid", "traffic", "emissions")

# The emission scopes of docs/emissions.md, in the order the KPIs and plots use, with the words
# policy staff read.
SCOPES = ("scope1", "scope2", "transport")
SCOPE_LABELS = {"scope1": "scope 1 (fuels)", "scope2": "scope 2 (electricity)", "transport": "transport"}
# The KPI of each scope.
SCOPE_KPIS = {"scope1": KPI.tco2e_scope1, "scope2": KPI.tco2e_scope2, "transport": KPI.tco2e_transport}

# Parameters of a Monte Carlo run (docs/scenarios.md): bookkeeping, not settings.
MONTE_CARLO_KEYS = ("monte_carlo_run", "seed")

# Units of the /index columns (docs/results-schema.md), from the engine's KPI catalogue; the KPI
# table carries its own.
INDEX_UNITS = {key: KPI.info(key)["unit"] for key in KPI.index()}

# Every series of the energy group is hourly (each value the mean power of its hour, kW), so a sum
# of values in kW is an energy in kWh: divided by this, MWh.
_KWH_PER_MWH = 1000.0


def _bad_input(message):
    """A `sandan.BadInputError` for a message, with the code, headline and problems the engine's carry."""
    error = BadInputError(message)
    error.code, error.headline, error.problems = 2, message, [message]
    return error


def _text(value):
    """An HDF5 attribute as Python text or number (h5py gives bytes or numpy scalars)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _some(names, most=6):
    """Names joined by commas, the middle left out of a long list (a batch's 30 run ids)."""
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most - 2]) + ", …, " + names[-1]


def split_spec(spec):
    """Split "FILE[:RUN]" as the command line does: (path, run or None).

    The whole text is the file when such a file exists (so a path holding ':' still works) or when
    what follows the last ':' holds a '/'; otherwise the part after the last ':' is the run.
    """
    return _parse_run_ref(spec)


def kpis(path, wide=False, runs=None):
    """Every run's KPIs of a results file as one pandas DataFrame, read in one pass through the
    engine's results reader.

    Long (the default): one row a run × complex × KPI, with columns run_id, then one column per
    swept setting (and a Monte Carlo run's monte_carlo_run and seed; `frame.attrs["parameter_columns"]`
    lists them), then complex ("all" for the total), key, value and unit, in the file's order.
    `wide=True`: one row a run × complex (index run_id, complex; the simulated complexes, then
    "all"), the parameter columns, then one column per KPI key; the units are in
    `frame.attrs["units"]` (key → unit). `runs` picks runs by id (default: all, in /index order).
    """
    with ResultsFile(path) as results:
        return results.kpis(wide=wide, runs=runs)


def open(path):  # noqa: A001 - the module's verb, as in sandan.results.open(...)
    """Open a results file: a `ResultsFile` (a context manager; close it when done)."""
    return ResultsFile(path)


def open_run(spec, run=None):
    """Open one run of a results file, given as "FILE", "FILE:RUN" or FILE with `run`.

    Without a run the file must hold exactly one. The returned `RunResults` owns the file: close it
    (or use it in a `with` block) when done.
    """
    path, from_spec = split_spec(spec)
    results = ResultsFile(path)
    try:
        chosen = results.run(run if run is not None else from_spec)
    except BaseException:
        results.close()
        raise
    chosen._owns_file = True
    return chosen


class ResultsFile:
    """A results file: its runs, their attributes and groups, and the /index table."""

    def __init__(self, path):
        self.path = Path(path)
        self._datasets = {}
        self._index = None
        self._closed = False
        self._read_layout()

    def _read_layout(self):
        # The engine's reader checks the file (there, an HDF5 file, of schema sandan-results and a
        # version this sandan reads), raising BadInputError with the command line's messages.
        _list_runs(os.fspath(self.path))
        with h5py.File(self.path, "r") as f:
            self.attrs = {key: _text(value) for key, value in f.attrs.items()}
            listed = list(f["runs"]) if "runs" in f else []
            known = set(listed)
            order, self._index_parameters = [], {}
            if "index" in f and "run_id" in f["index"]:
                ids = list(f["index/run_id"].asstr()[:])
                order = [run for run in ids if run in known]
                if "parameters" in f["index"] and len(f["index/parameters"]) == len(ids):
                    self._index_parameters = dict(zip(ids, f["index/parameters"].asstr()[:]))
            # Runs that /index does not name (a file assembled by hand) follow in HDF5's order.
            in_order = set(order)
            self._runs = order + [run for run in listed if run not in in_order]
            self._known = known
            self._has_index = "index" in f
        # Each run's attributes and groups are read when the run is first used: a 200-run file
        # opens without visiting every run.
        self._run_attrs_read = {}
        self._run_groups_read = {}

    def _run_layout(self, run):
        """A run's attributes and the names of its groups (read once)."""
        if run not in self._run_attrs_read:
            with h5py.File(self.path, "r") as f:
                group = f["runs"][run]
                self._run_attrs_read[run] = {key: _text(value) for key, value in group.attrs.items()}
                self._run_groups_read[run] = tuple(key for key, item in group.items()
                                                   if isinstance(item, h5py.Group))
        return self._run_attrs_read[run], self._run_groups_read[run]

    def read_run_layouts(self):
        """Read every run's attributes and group names in one pass over the file (a 200-run file
        otherwise opens once a run), and the emissions group's attributes (grid factor, factors
        file) into `run_group_attrs`; returns self."""
        self._check_open()
        self.run_group_attrs = getattr(self, "run_group_attrs", {})
        with h5py.File(self.path, "r") as f:
            runs = f["runs"] if "runs" in f else {}
            for run in self._runs:
                if run in self._run_attrs_read:
                    continue
                group = runs[run]
                self._run_attrs_read[run] = {key: _text(value) for key, value in group.attrs.items()}
                self._run_groups_read[run] = tuple(key for key, item in group.items()
                                                   if isinstance(item, h5py.Group))
                self.run_group_attrs[run] = {name: {key: _text(value) for key, value in group[name].attrs.items()}
                                             for name in ("emissions", "grid") if name in group}
        return self

    def _run_parameters(self, run):
        """A run's parameters (JSON text): from /index, else from the run's attributes."""
        if run in self._index_parameters:
            return self._index_parameters[run]
        return self._run_layout(run)[0].get("parameters", "{}")

    # Root attributes ---------------------------------------------------------------------------
    @property
    def runs(self):
        """Run ids in file order (that of /index)."""
        return list(self._runs)

    @property
    def sandan_version(self):
        """Version of sandan that wrote the file."""
        return self.attrs.get("sandan_version")

    @property
    def created(self):
        """When the file was written: UTC, ISO 8601 text."""
        return self.attrs.get("created")

    @property
    def command(self):
        """The command line that wrote the file."""
        return self.attrs.get("command")

    # Tables ------------------------------------------------------------------------------------
    @property
    def index(self):
        """The /index table: one row per run, indexed by run id.

        Columns: scenario, status, parameters (the JSON text), the headline figures
        (annual_load_mwh MWh, annual_pv_mwh MWh, self_sufficiency 1, peak_import_kw kW, bill_krw KRW,
        annual_fuel_mwh MWh, car_km km, truck_km km, vehicle_hours h, tco2e_total tCO2eq; units in
        `INDEX_UNITS`), then one column per swept setting (its key path, e.g.
        "interventions[0].rooftop_pv.roof_share") and, for Monte Carlo runs, their run and seed:
        `parameter_columns` lists those.
        """
        if self._index is None:
            self._index = self._read_index()
        return self._index

    @property
    def parameter_columns(self):
        """Columns of `index` decoded from the runs' parameters (swept settings, seeds), in order."""
        return list(self.index.attrs.get("parameter_columns", []))

    @property
    def swept_columns(self):
        """`parameter_columns` without the Monte Carlo run number and seed: the swept settings."""
        return [c for c in self.parameter_columns if c not in MONTE_CARLO_KEYS]

    def _read_index(self):
        self._check_open()
        if not self._has_index:
            attrs = [self._run_layout(r)[0] for r in self._runs]
            frame = pd.DataFrame({"scenario": [a.get("scenario_name") for a in attrs],
                                  "status": [a.get("status") for a in attrs],
                                  "parameters": [a.get("parameters", "{}") for a in attrs]},
                                 index=pd.Index(self._runs, name="run_id"))
        else:
            with xr.open_dataset(self.path, group="index", engine="h5netcdf") as ds:
                frame = ds.load().to_dataframe()
            frame = frame.reset_index(drop=True).set_index("run_id")
            # HDF5 lists the columns alphabetically; put them in the schema's order.
            first = [c for c in ("scenario", "status", "parameters", *INDEX_UNITS) if c in frame.columns]
            frame = frame[first + [c for c in frame.columns if c not in first]]
        decoded = [json.loads(text) if isinstance(text, str) and text else {} for text in frame["parameters"]]
        names = []
        for parameters in decoded:
            names += [name for name in parameters if name not in names]
        for name in names:
            column = name if name not in frame.columns else f"parameter:{name}"
            frame[column] = [parameters.get(name, np.nan) for parameters in decoded]
            names[names.index(name)] = column
        frame.attrs["parameter_columns"] = names
        return frame

    # KPIs of every run ----------------------------------------------------------------------------
    def kpis(self, wide=False, runs=None):
        """Every run's KPIs as one DataFrame, read in one pass over the file (see `kpis`)."""
        self._check_open()
        chosen = self._runs if runs is None else list(runs)
        repeated = [run for i, run in enumerate(chosen) if run in chosen[:i]]
        if repeated:
            raise ValueError(f"runs names '{repeated[0]}' twice")
        unknown = [run for run in chosen if run not in self._known]
        if unknown:
            raise _bad_input(f"{os.fspath(self.path)}: no run '{unknown[0]}'; the file holds: "
                             f"{_some(self._runs) if self._runs else 'no runs'}")
        # The engine's reader, every run's table in one pass with the file opened once: an xarray
        # Dataset a run costs a hundred times more (200 runs took a minute), h5py's high-level
        # objects about three times more (bench/RESULTS.md, "Every run's KPIs of a 200-run file").
        columns = _read_kpis(os.fspath(self.path), chosen) if chosen else None
        lengths = columns["rows"] if chosen else np.zeros(0, dtype=np.int64)
        frame = pd.DataFrame({
            "run_id": np.repeat(np.array(chosen, dtype=object), lengths),
            "complex": np.array(columns["complex"] if chosen else [], dtype=object),
            "key": np.array(columns["key"] if chosen else [], dtype=object),
            "value": columns["value"] if chosen else np.zeros(0),
            "unit": np.array(columns["unit"] if chosen else [], dtype=object),
        })
        # The swept settings (and Monte Carlo run and seed) of each run, as the index decodes them.
        decoded = [json.loads(text) if isinstance(text, str) and text else {}
                   for text in (self._run_parameters(run) for run in chosen)]
        names = []
        for parameters in decoded:
            names += [name for name in parameters if name not in names]
        parameter_columns = []
        for position, name in enumerate(names):
            column = name if name not in frame.columns else f"parameter:{name}"
            frame.insert(1 + position, column, np.repeat(
                np.array([parameters.get(name, np.nan) for parameters in decoded], dtype=object), lengths))
            parameter_columns.append(column)
        frame.attrs["parameter_columns"] = parameter_columns
        if not wide:
            return frame
        units = dict(zip(frame["key"], frame["unit"]))
        keys = list(dict.fromkeys(frame["key"]))
        table = frame.pivot(index=["run_id", "complex"], columns="key", values="value")
        table = table.reindex(columns=keys)
        table.columns.name = None
        # Rows in the file's run order, the simulated complexes in each run's order, then "all".
        order = frame[["run_id", "complex"]].drop_duplicates()
        order = pd.concat([order[order["complex"] != "all"], order[order["complex"] == "all"]])
        order["run"] = order["run_id"].map({run: i for i, run in enumerate(chosen)})
        order = order.sort_values("run", kind="stable")
        table = table.reindex(pd.MultiIndex.from_frame(order[["run_id", "complex"]]))
        if parameter_columns:
            params = frame.drop_duplicates("run_id").set_index("run_id")[parameter_columns]
            table = table.join(params, on="run_id")[parameter_columns + keys]
        table.attrs["units"] = units
        table.attrs["parameter_columns"] = parameter_columns
        return table

    # Runs --------------------------------------------------------------------------------------
    def run(self, run_id=None):
        """One run, as `RunResults`. Without an id the file must hold exactly one run."""
        self._check_open()
        if run_id is None:
            if len(self._runs) != 1:
                raise _bad_input(f"{os.fspath(self.path)}: holds {len(self._runs)} runs "
                                 f"({_some(self._runs)}); name one as {os.fspath(self.path)}:RUN")
            run_id = self._runs[0]
        if run_id not in self._known:
            raise _bad_input(f"{os.fspath(self.path)}: no run '{run_id}'; the file holds: "
                             f"{_some(self._runs) if self._runs else 'no runs'}")
        return RunResults(self, run_id)

    def __getitem__(self, run_id):
        return self.run(run_id)

    def __contains__(self, run_id):
        return run_id in self._known

    def __iter__(self):
        return (self.run(run_id) for run_id in self._runs)

    def __len__(self):
        return len(self._runs)

    def dataset(self, run_id, group):
        """The xarray Dataset of a run's group (opened once, lazily; closed with the file)."""
        self._check_open()
        key = (run_id, group)
        if key not in self._datasets:
            self._datasets[key] = xr.open_dataset(self.path, group=f"runs/{run_id}/{group}",
                                                  engine="h5netcdf")
        return self._datasets[key]

    def close(self):
        """Close every Dataset opened from the file."""
        for ds in self._datasets.values():
            ds.close()
        self._datasets.clear()
        self._closed = True

    def _check_open(self):
        if self._closed:
            raise ValueError(f"{os.fspath(self.path)}: the results file is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._closed else f"{len(self._runs)} run(s)"
        return f"<sandan.results.ResultsFile {os.fspath(self.path)!r}: {state}>"


def _yaml_scalar(text, key):
    """A top-level scalar setting of the resolved scenario (the engine writes `key: value` lines)."""
    match = re.search(rf"^{re.escape(key)}:[ \t]*(.*?)[ \t]*$", text or "", re.MULTILINE)
    if not match:
        return None
    value = match.group(1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


class RunResults:
    """One run of a results file: its groups as xarray Datasets, its KPIs, its scenario.

    `energy`, `grid`, `traffic` and `emissions` are None when the run lacks the group (a scenario
    without `grid:`, `traffic:` or `emission_factors:`, or `models` leaving it out); `run[name]` and
    `run.group(name)` raise KeyError saying so instead.
    """

    def __init__(self, file, run_id):
        self.file = file
        self.id = run_id
        attrs, groups = file._run_layout(run_id)
        self.attrs = dict(attrs)
        self.groups = groups
        self._kpi = None
        self._owns_file = False

    @property
    def path(self):
        """Path of the results file."""
        return self.file.path

    @property
    def spec(self):
        """"FILE:RUN", as the command line and `open_run` take it."""
        return f"{os.fspath(self.path)}:{self.id}"

    # Attributes --------------------------------------------------------------------------------
    @property
    def scenario(self):
        """The resolved scenario (YAML text): every setting, paths as sandan resolved them."""
        return self.attrs.get("scenario", "")

    @property
    def scenario_name(self):
        """The scenario's `name`."""
        return self.attrs.get("scenario_name", self.id)

    @property
    def seed(self):
        """The run's seed."""
        return self.attrs.get("seed")

    @property
    def status(self):
        """"ok" for a finished run."""
        return self.attrs.get("status")

    @property
    def notes(self):
        """Notes of the run (e.g. weather gaps filled), one a line, as a list."""
        return [line for line in (self.attrs.get("notes") or "").splitlines() if line]

    @property
    def parameters(self):
        """The swept values (and Monte Carlo run and seed) of a batch's run; {} for a single run."""
        text = self.attrs.get("parameters") or "{}"
        return json.loads(text)

    @property
    def year(self):
        """The simulated year."""
        value = _yaml_scalar(self.scenario, "year")
        return int(value) if value else None

    @property
    def site_path(self):
        """The `site:` of the resolved scenario (the GIS layout the run used).

        sandan resolves a scenario's paths against the folder it ran in, which the file does not
        record; a relative path is returned as found from the current folder, else from the results
        file's folder or its parent (results/ beside gis_data/), else as stored.
        """
        stored = _yaml_scalar(self.scenario, "site")
        if stored is None or os.path.isabs(stored) or os.path.exists(stored):
            return stored
        folder = self.path.resolve().parent
        for base in (folder, folder.parent):
            if (base / stored).exists():
                return os.fspath(base / stored)
        return stored

    @property
    def grid_t_per_mwh(self):
        """The grid emission factor the run used, tCO2eq/MWh (None without the emissions group)."""
        if self.emissions is None:
            return None
        return float(self.emissions.attrs["grid_t_per_mwh"])

    # Groups ------------------------------------------------------------------------------------
    def group(self, name):
        """The run's group `name` as an xarray Dataset; KeyError if the run does not have it."""
        if name not in self.groups:
            why = {"grid": "its scenario has no `grid:` or `models` leaves grid out",
                   "traffic": "its scenario has no `traffic:` or `models` leaves traffic out",
                   "emissions": "its scenario has no `emission_factors:` or `models` leaves emissions out",
                   }.get(name, "no such group")
            raise KeyError(f"{os.fspath(self.path)}: run '{self.id}' has no group '{name}' ({why}); "
                           f"it has: {', '.join(self.groups)}")
        return self.file.dataset(self.id, name)

    def __getitem__(self, name):
        return self.group(name)

    def _optional(self, name):
        return self.file.dataset(self.id, name) if name in self.groups else None

    @property
    def energy(self):
        """The energy group (hourly series of facilities and complexes, kW), or None."""
        return self._optional("energy")

    @property
    def grid(self):
        """The grid group (bus voltages, branch loadings, feeder figures), or None."""
        return self._optional("grid")

    @property
    def traffic(self):
        """The traffic group (hourly link flows and speeds, vehicle-km and -hours), or None."""
        return self._optional("traffic")

    @property
    def emissions(self):
        """The emissions group (tCO2eq by area and source), or None."""
        return self._optional("emissions")

    # KPIs --------------------------------------------------------------------------------------
    @property
    def kpi(self):
        """The KPI table: columns key, complex ("all" for the total), value, unit; one row a KPI."""
        if self._kpi is None:
            self.file._check_open()
            columns = _read_kpis(os.fspath(self.path), [self.id])
            self._kpi = pd.DataFrame({name: columns[name] for name in ("key", "complex", "value", "unit")})
        return self._kpi

    def kpi_table(self):
        """The KPIs as a wide table: one row per key (in file order), one column per complex (the
        simulated complexes, then "all"), and the key's unit in the last column."""
        kpi = self.kpi
        keys = list(dict.fromkeys(kpi["key"]))
        complexes = list(dict.fromkeys(kpi["complex"]))
        if "all" in complexes:
            complexes = [c for c in complexes if c != "all"] + ["all"]
        table = kpi.pivot(index="key", columns="complex", values="value").reindex(index=keys,
                                                                                    columns=complexes)
        table["unit"] = kpi.drop_duplicates("key").set_index("key")["unit"].reindex(keys)
        table.columns.name = None
        return table

    def kpi_value(self, key, complex="all"):  # noqa: A002 - the KPI table's column name
        """One KPI's value (in its unit, see `kpi`); KeyError if the run does not have it."""
        kpi = self.kpi
        rows = kpi[(kpi["key"] == key) & (kpi["complex"] == complex)]
        if rows.empty:
            raise KeyError(f"{os.fspath(self.path)}: run '{self.id}' has no KPI {key}/{complex}")
        return float(rows["value"].iloc[0])

    def has_kpi(self, key, complex="all"):  # noqa: A002
        """Whether the run has the KPI key/complex."""
        kpi = self.kpi
        return bool(((kpi["key"] == key) & (kpi["complex"] == complex)).any())

    @property
    def complexes(self):
        """The simulated complexes, in the run's order."""
        if self.energy is not None:
            return [str(c) for c in self.energy["complex"].values]
        return [c for c in dict.fromkeys(self.kpi["complex"]) if c != "all"]

    # Derived tables (the module's functions of the same names, on this run's groups) -------------
    def emissions_by_scope(self):
        """tCO2eq by area × scope of the run: `emissions_by_scope` of its emissions group."""
        return emissions_by_scope(self.group("emissions"))

    def emissions_by_source(self):
        """tCO2eq by source of the run: `emissions_by_source` of its emissions group."""
        return emissions_by_source(self.group("emissions"))

    def complex_series(self, name, complex=None):  # noqa: A002
        """An hourly series of a complex or of all, kW: `complex_series` of its energy group."""
        return complex_series(self.group("energy"), name, complex)

    def monthly_balance(self, complex=None):  # noqa: A002
        """The monthly energy balance, MWh: `monthly_balance` of its energy group."""
        return monthly_balance(self.group("energy"), complex)

    def facility_annual(self):
        """Every facility's figures of the year, one row per facility (index: facility id).

        Columns (units in `FACILITY_UNITS`): complex; pv_capacity_kwp (kWp) and bill_krw (KRW),
        always; and, when the run kept the facilities' hourly series (`facility_series`, the
        default), annual_load_mwh, annual_pv_mwh (AC output), curtailed_mwh, annual_import_mwh,
        annual_export_mwh, annual_fuel_mwh (MWh), peak_import_kw (kW), self_sufficiency
        (1 − import / load; 0 without load) and pv_yield_kwh_per_kwp (NaN without PV). These are the
        engine's figures of the `facilities` layer of `sandan export` (docs/export.md), read a block
        of facilities at a time, so memory stays at a few MB whatever the layout.
        """
        table = _read_run_layers(os.fspath(self.path), self.id)["facilities"]
        energy = self.group("energy")
        frame = pd.DataFrame({"complex": [str(c) for c in energy["facility_complex"].values]},
                             index=pd.Index(table["ids"], name="facility"))
        for name, values in table["fields"].items():
            frame[FACILITY_COLUMNS.get(name, name)] = values
        return frame

    def link_flows(self, day_type="workday", hour=None):
        """Road links with their PCE flow: `link_flows` of its traffic group."""
        return link_flows(self.group("traffic"), day_type, hour)

    # Lifetime ----------------------------------------------------------------------------------
    def close(self):
        """Close the results file if this run opened it (`open_run`); else the file stays open."""
        if self._owns_file:
            self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<sandan.results.RunResults {self.spec!r}: {', '.join(self.groups)}>"


def _complexes(energy):
    return [str(c) for c in energy["complex"].values]


def emissions_by_scope(emissions):
    """tCO2eq of the year by area (the simulated complexes, then "outside": roads outside every
    complex) × scope (scope1, scope2, transport), with a "total" column and an "all" row, from an
    emissions group (docs/results-schema.md)."""
    tco2e = emissions["tco2e"].values
    scopes = [str(s) for s in emissions["source_scope"].values]
    table = pd.DataFrame({scope: tco2e[:, [i for i, s in enumerate(scopes) if s == scope]].sum(axis=1)
                          for scope in SCOPES},
                         index=pd.Index([str(a) for a in emissions["area"].values], name="area"))
    table["total"] = table[list(SCOPES)].sum(axis=1)
    table.loc["all"] = table.sum(axis=0)
    return table


def emissions_by_source(emissions):
    """tCO2eq of the year by source (lng, …, electricity, car, …), summed over every area, as a
    Series (index: source) with each source's scope in `.attrs["scope"]` (a dict)."""
    sources = [str(s) for s in emissions["source"].values]
    series = pd.Series(emissions["tco2e"].values.sum(axis=0), index=pd.Index(sources, name="source"),
                       name="tco2e")
    series.attrs["scope"] = dict(zip(sources, (str(s) for s in emissions["source_scope"].values)))
    return series


def complex_series(energy, name, complex=None):  # noqa: A002 - the results file's word
    """An hourly series of an energy group's complexes (`name` without the `complex_` prefix and
    `_kw` suffix: load, pv, curtailed, battery, import, export), kW, as a float64 numpy array over
    the year's hours: of one complex, or the sum over the simulated complexes when `complex` is None.
    """
    variable = energy[f"complex_{name}_kw"]
    if complex is None:
        return variable.values.astype(np.float64).sum(axis=0)
    if complex not in _complexes(energy):
        raise KeyError(f"complex '{complex}' was not simulated; the run has: {', '.join(_complexes(energy))}")
    return variable.sel(complex=complex).values.astype(np.float64)


def _balance_hours(energy, name):
    """One complex's hourly balance split by origin, kW (see `monthly_balance`)."""
    series = {key: complex_series(energy, key, name)
              for key in ("load", "pv", "curtailed", "battery", "import", "export")}
    pv_net = series["pv"] - series["curtailed"]
    charge, discharge = np.maximum(-series["battery"], 0.0), np.maximum(series["battery"], 0.0)
    # Exports come from PV first, then from batteries; batteries charge from PV first, then the grid.
    pv_export = np.minimum(series["export"], pv_net)
    battery_export = series["export"] - pv_export
    pv_charge = np.minimum(charge, pv_net - pv_export)
    grid_charge = charge - pv_charge
    return {"load": series["load"], "pv_used": pv_net - pv_export - pv_charge,
            "battery_used": discharge - battery_export, "import_used": series["import"] - grid_charge,
            "pv": series["pv"], "curtailed": series["curtailed"], "import": series["import"],
            "export": series["export"], "battery_charge": charge, "battery_discharge": discharge}


BALANCE_COLUMNS = ("load", "pv_used", "battery_used", "import_used", "pv", "curtailed", "import", "export",
                   "battery_charge", "battery_discharge")


def monthly_balance(energy, complex=None):  # noqa: A002
    """The energy balance month by month, MWh, of one complex or of all simulated complexes.

    Each hour's load is split by where it came from, at each complex's grid connection: PV used on
    site (`pv_used`: PV after curtailment, less what is exported or charged into batteries), battery
    discharge (`battery_used`, less any battery export) and grid import (`import_used`, less what
    charges batteries). The three sum to `load` every hour, as load = (pv − curtailed) + battery +
    import − export does (docs/results-schema.md). Columns: `BALANCE_COLUMNS` (also pv: AC output,
    curtailed, import, export, battery_charge, battery_discharge); index: month 1–12.
    """
    names = [complex] if complex is not None else _complexes(energy)
    months = pd.DatetimeIndex(energy["time"].values).month.to_numpy() - 1
    total = {column: np.zeros(12) for column in BALANCE_COLUMNS}
    for name in names:
        hourly = _balance_hours(energy, name)
        for column in BALANCE_COLUMNS:
            total[column] += np.bincount(months, weights=hourly[column], minlength=12)
    return pd.DataFrame({column: values / _KWH_PER_MWH for column, values in total.items()},
                        index=pd.Index(range(1, 13), name="month"))


# The export's field names (docs/export.md) as the columns of `RunResults.facility_annual`, named
# like the KPIs they add up to.
FACILITY_COLUMNS = {"load_mwh": KPI.annual_load_mwh, "pv_mwh": KPI.annual_pv_mwh,
                    "import_mwh": KPI.annual_import_mwh, "export_mwh": KPI.annual_export_mwh,
                    "fuel_mwh": KPI.annual_fuel_mwh}

# Units of `facility_annual`'s columns: those of the KPIs of the same names (the catalogue's).
FACILITY_UNITS = {key: KPI.info(key)["unit"] for key in (
    KPI.pv_capacity_kwp, KPI.bill_krw, KPI.annual_load_mwh, KPI.annual_pv_mwh, KPI.curtailed_mwh,
    KPI.annual_import_mwh, KPI.annual_export_mwh, KPI.annual_fuel_mwh, KPI.peak_import_kw,
    KPI.self_sufficiency, KPI.pv_yield_kwh_per_kwp)}


def link_flows(traffic, day_type="workday", hour=None):
    """Road links with their flow in passenger-car equivalents (PCE = Σ class flow × pce).

    One row per directed link of a traffic group: from_x, from_y, to_x, to_y (m, the layout's CRS),
    length_km, capacity_pce_h, complex, road_id, and `pce`: the day's total (PCE/day) when `hour` is
    None, else the flow of the hour starting then (PCE/h), on a `day_type` (workday, saturday,
    rest_day).
    """
    flow = traffic["link_flow_veh_h"].sel(day_type=day_type)
    if hour is not None:
        flow = flow.sel(hour=hour)
    pce = (flow.load() * traffic["pce"]).sum("class")
    if hour is None:
        pce = pce.sum("hour")
    return pd.DataFrame({
        "from_x": traffic["link_from_x"].values, "from_y": traffic["link_from_y"].values,
        "to_x": traffic["link_to_x"].values, "to_y": traffic["link_to_y"].values,
        "length_km": traffic["link_length_km"].values,
        "capacity_pce_h": traffic["link_capacity_pce_h"].values,
        "complex": [str(c) for c in traffic["link_complex"].values],
        "road_id": [str(r) for r in traffic["link_road_id"].values],
        "pce": pce.values.astype(np.float64)}, index=pd.Index(traffic["link"].values, name="link"))


def abatement_steps(reference, alternative, by="scope"):
    """The steps of an abatement waterfall from `reference`'s tCO2eq total to `alternative`'s.

    `by="scope"` uses the KPIs of complex "all" (tco2e_scope1, tco2e_scope2, tco2e_transport);
    `by="source"` the emissions groups summed over areas (sources whose emissions are 0 in both runs
    are left out). Returns a DataFrame with columns label, kind ("total" or "change"), start, end,
    delta (tCO2eq): first the reference total, then each change (end = start + delta, alternative −
    reference), then the alternative total. The changes sum to the alternative total minus the
    reference total, i.e. minus the tCO2eq abated of `sandan compare`.
    """
    if by == "scope":
        before = {scope: reference.kpi_value(SCOPE_KPIS[scope]) for scope in SCOPES}
        after = {scope: alternative.kpi_value(SCOPE_KPIS[scope]) for scope in SCOPES}
        labels = SCOPE_LABELS
        total_before = reference.kpi_value(KPI.tco2e_total)
        total_after = alternative.kpi_value(KPI.tco2e_total)
    elif by == "source":
        a, b = reference.emissions_by_source(), alternative.emissions_by_source()
        sources = list(dict.fromkeys(list(a.index) + list(b.index)))
        before = {s: float(a.get(s, 0.0)) for s in sources}
        after = {s: float(b.get(s, 0.0)) for s in sources}
        before = {s: v for s, v in before.items() if v != 0.0 or after[s] != 0.0}
        after = {s: after[s] for s in before}
        labels = {s: s.replace("_", " ") for s in before}
        # The totals are the runs' KPIs (as by scope), not the sources re-summed here in another order,
        # which can differ in the last bit.
        total_before = reference.kpi_value(KPI.tco2e_total)
        total_after = alternative.kpi_value(KPI.tco2e_total)
    else:
        raise ValueError(f"by must be 'scope' or 'source', not {by!r}")
    rows = [{"label": f"{reference.id} (reference)", "kind": "total", "start": 0.0, "end": total_before,
             "delta": total_before}]
    level = total_before
    for key in before:
        delta = after[key] - before[key]
        rows.append({"label": labels[key], "kind": "change", "start": level, "end": level + delta,
                     "delta": delta})
        level += delta
    rows.append({"label": alternative.id, "kind": "total", "start": 0.0, "end": total_after,
                 "delta": total_after})
    return pd.DataFrame(rows)


__all__ = ["SCHEMA", "GROUPS", "SCOPES", "SCOPE_LABELS", "INDEX_UNITS", "MONTE_CARLO_KEYS", "BALANCE_COLUMNS",
           "FACILITY_UNITS", "open", "open_run", "kpis", "split_spec", "ResultsFile", "RunResults",
           "emissions_by_scope", "emissions_by_source", "complex_series", "monthly_balance",
           "link_flows", "abatement_steps"]
