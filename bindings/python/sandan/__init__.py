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
    compare,
    list_runs,
    load_site,
    read_scenario,
    run,
    run_batch,
    version,
)

__all__ = [
    "BadInputError", "BatchSummary", "EmissionsResults", "EnergyResults", "Error", "GridResults",
    "InternalError", "IoError", "Kpi", "Run", "Scenario", "Site", "TrafficResults", "__version__",
    "compare", "list_runs", "load_site", "read_scenario", "run", "run_batch", "version",
]
