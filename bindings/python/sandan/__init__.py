"""sandan: a digital-twin simulation engine for industrial complexes, from Python.

The engine (a compiled module) reads layouts and scenarios, runs them and batches of them, and
compares runs; results come back as NumPy arrays, and results files open as xarray Datasets and
pandas DataFrames through ``sandan.results``::

    import sandan
    run = sandan.run("scenarios/baseline.yaml", output="results/baseline.h5", threads=2)
    run.kpi("tco2e_total")                       # tCO2eq a year, all complexes
    run.energy.complex_load_kw                   # float32 [complex, hour], kW
    pv40 = sandan.read_scenario("scenarios/rooftop_pv.yaml").with_settings(
        {"interventions[0].rooftop_pv.roof_share": 0.4, "name": "pv40"})

Errors raise ``sandan.BadInputError`` (a ValueError), ``sandan.IoError`` (an OSError) or
``sandan.InternalError``, all ``sandan.Error`` with ``code`` (the CLI's exit code) and ``problems``.
``sandan.plots`` (matplotlib) and ``sandan.report`` (``python3 -m sandan.report``) are imported on
their own, so importing ``sandan`` loads neither matplotlib nor pandas.
"""
from ._sandan import (  # noqa: F401  (the package's API)
    BadInputError,
    BatchSummary,
    EmissionsResults,
    EnergyResults,
    Error,
    GridResults,
    InternalError,
    IoError,
    Kpi,
    Run,
    Scenario,
    Site,
    TrafficResults,
    __version__,
    calibrate,
    compare,
    ingest,
    forecast,
    kpi_catalogue,
    list_runs,
    load_site,
    read_scenario,
    run,
    run_batch,
    version,
)



class _KpiKeys:
    """The KPI keys of the engine's catalogue as attributes: ``sandan.KPI.tco2e_total`` is
    ``"tco2e_total"``; a key the catalogue does not have raises AttributeError (so a renamed KPI fails
    loudly instead of reading as missing). ``sandan.KPI.info(key)`` gives its catalogue entry."""

    def __init__(self, catalogue):
        self._info = {row["key"]: row for row in catalogue}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._info:
            raise AttributeError(f"no KPI {name!r} in the catalogue (sandan.kpi_catalogue())")
        return name

    def index(self):
        """The headline keys a results file's /index holds a column of, in the catalogue's order."""
        return [key for key, row in self._info.items() if row["in_index"]]

    def __dir__(self):
        return list(self._info)

    def __iter__(self):
        return iter(self._info)

    def info(self, key):
        """The catalogue entry of a key: key, unit, model, aggregation, per_complex, description."""
        return dict(self._info[key])


KPI = _KpiKeys(kpi_catalogue())

__all__ = [
    "BadInputError", "BatchSummary", "EmissionsResults", "EnergyResults", "Error", "GridResults",
    "InternalError", "IoError", "KPI", "Kpi", "Run", "Scenario", "Site", "TrafficResults", "__version__",
    "calibrate", "compare", "forecast", "ingest", "kpi_catalogue", "list_runs", "load_site", "read_scenario", "run",
    "run_batch",
    "version",
]
