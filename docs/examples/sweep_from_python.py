"""Run a sweep from Python, open its results file and plot its response surfaces.

From the repository, with the package built in the build tree:

    PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/sweep_from_python.py

runs scenarios/sweep_pv_battery.yaml (30 runs: rooftop PV share of the hubs × battery size at
Juan, about 15 s on two threads) into results/sweep.h5, prints a table of the runs and writes
results/sweep_surface.png: the year's emissions (tCO2eq) and the self-sufficiency over the two
swept settings. --scenario, --output, --png and --threads choose other files and threads.
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # files only: no display needed

import sandan  # noqa: E402
import sandan.plots  # noqa: E402
import sandan.results  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="scenarios/sweep_pv_battery.yaml",
                        help="a scenario with `sweep`")
    parser.add_argument("--output", default="results/sweep.h5", help="the results file to write")
    parser.add_argument("--png", default="results/sweep_surface.png", help="the plot to write")
    parser.add_argument("--threads", type=int, default=2, help="threads for the runs (0: every core)")
    args = parser.parse_args(argv)

    scenario = sandan.read_scenario(args.scenario)
    print(f"{scenario.name}: {len(scenario.run_ids)} runs over {', '.join(scenario.sweep)}")
    summary = sandan.run_batch(scenario, args.output, threads=args.threads,
                               progress=lambda done, total: print(f"  run {done} of {total}", end="\r"))
    print(f"\nwrote {summary.output}")

    with sandan.results.open(args.output) as results:
        index = results.index
        swept = results.parameter_columns
        # The swept settings by the last part of their key path, then three headline figures.
        table = index[swept].rename(columns=lambda key: key.rsplit(".", 1)[-1])
        table["PV MWh"] = index["annual_pv_mwh"].map("{:,.0f}".format)
        table["self-sufficiency %"] = (100 * index["self_sufficiency"]).map("{:.2f}".format)
        table["tCO2eq"] = index["tco2e_total"].map("{:,.0f}".format)
        print(table.to_string())

        figure = Figure(figsize=(12, 4.8), layout="constrained")
        left, right = figure.subplots(1, 2)
        sandan.plots.response_surface(results, z="tco2e_total", ax=left)
        sandan.plots.response_surface(results, z="self_sufficiency", ax=right, cmap="cividis")
        figure.savefig(args.png, dpi=120)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
