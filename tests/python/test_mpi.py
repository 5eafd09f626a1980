"""Batches shared by the ranks of an MPI job: `mpirun -n 2 sandan run BATCH.yaml -o out.h5`.

The results file of two ranks must be the one process's, bit for bit (same runs, datasets and
values); a stopped MPI batch resumes, every rank skipping the runs an earlier attempt finished; errors
end every rank with one message and the error's exit code; subcommands that are not batches are done
once, by rank 0.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from test_batch import SANDAN, assert_same_results, run, write_batch

MPIRUN = os.environ["SANDAN_MPIRUN"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def mpirun_args(ranks):
    # Debian's Open MPI refuses root without --allow-run-as-root; --oversubscribe lets a CI machine
    # with fewer cores than ranks run the test.
    return [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-n", str(ranks), SANDAN]


def mpirun(ranks, args, **kwargs):
    return subprocess.run([*mpirun_args(ranks), *map(str, args)], capture_output=True, text=True, **kwargs)


def test_two_ranks_write_the_file_one_process_writes(tmp_path):
    scenario = write_batch(tmp_path, "mpi", "[0, 0.5, 1.0]", "[0, 2000]")
    shared, single = tmp_path / "a.h5", tmp_path / "b.h5"
    result = mpirun(2, ["run", scenario, "-o", shared, "-j", 1])
    assert result.returncode == 0, result.stderr
    assert run(["run", scenario, "-o", single, "-j", 1]).returncode == 0
    assert_same_results(shared, single)
    assert not os.path.exists(str(shared) + ".parts")
    # Rank 0 prints the table of every run (the KPIs of the runs the other rank made too), once.
    assert result.stdout.count("Batch mpi: 6 runs") == 1
    assert "(earlier)" not in result.stdout
    for i in range(6):
        assert f"mpi-{i:04d}" in result.stdout
    assert "on 2 MPI ranks" in result.stderr


def children(pid):
    """The processes whose parent is pid (mpirun's ranks), from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # The fields after the command name (in parentheses): state, ppid, ...
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def test_a_killed_mpi_batch_resumes_and_skips_the_runs_it_finished(tmp_path):
    scenario = write_batch(tmp_path, "resume", "[0, 0.2, 0.4, 0.6, 0.8, 1.0]", "[0, 500, 1000, 1500, 2000]")
    out = tmp_path / "resume.h5"
    parts = tmp_path / "resume.h5.parts"
    proc = subprocess.Popen([*mpirun_args(2), "run", str(scenario), "-o", str(out), "-j", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if parts.exists() and len(list(parts.glob("*.h5"))) >= 2:
            break
        time.sleep(0.01)
    # Every rank dies at once, as when a job is cancelled or a node fails.
    for pid in children(proc.pid):
        os.kill(pid, signal.SIGKILL)
    proc.wait()
    finished = sorted(p.stem for p in parts.glob("*.h5"))
    assert 2 <= len(finished) < 30
    assert not out.exists()  # no partial results file under the final name
    again = mpirun(2, ["run", scenario, "-o", out, "-j", 1])
    assert again.returncode == 0, again.stderr
    assert f"resumed: {len(finished)} of 30 runs were already finished" in again.stderr
    assert again.stdout.count("(earlier)") == len(finished)
    fresh = tmp_path / "fresh.h5"
    assert run(["run", scenario, "-o", fresh, "-j", 1]).returncode == 0
    assert_same_results(out, fresh)


def test_an_error_ends_every_rank_with_one_message_and_its_code(tmp_path):
    missing = mpirun(2, ["run", tmp_path / "missing.yaml", "-o", tmp_path / "m.h5"])
    assert missing.returncode == 2
    assert missing.stderr.count("cannot read the scenario file") == 1
    # The output's folder is a file: an output error (3), found before any run, told once, nothing
    # written.
    scenario = write_batch(tmp_path, "unwritable", "[0, 1.0]", "[0]")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = mpirun(2, ["run", scenario, "-o", blocked / "out.h5"])
    assert result.returncode == 3
    assert result.stderr.count("cannot create the results file") == 1
    assert "does not exist" in result.stderr
    # Parts of another scenario are refused by rank 0 for every rank.
    first = write_batch(tmp_path, "first", "[0, 1.0]", "[0]")
    (tmp_path / "x.h5.parts").mkdir()
    (tmp_path / "x.h5.parts" / "scenario.yaml").write_text("something else")
    # A finished run of that other batch (a parts folder without one is taken over, not refused).
    (tmp_path / "x.h5.parts" / "other-00.h5").write_bytes(b"")
    refused = mpirun(2, ["run", first, "-o", tmp_path / "x.h5"])
    assert refused.returncode == 2
    assert refused.stderr.count("holds runs of another scenario") == 1
    assert not (tmp_path / "x.h5").exists()


def test_what_is_not_a_batch_is_done_once_by_rank_0(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(f"name: one\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\ncomplexes: [local]\n"
                    "models: [energy]\n")
    single = mpirun(2, ["run", path, "-o", tmp_path / "one.h5", "-j", 1])
    assert single.returncode == 0, single.stderr
    assert single.stdout.count("Scenario one") == 1
    assert (tmp_path / "one.h5").exists()
    case = f"{SOURCE_DIR}/tests/validation/data/powerflow/case14"
    flow = mpirun(2, ["powerflow", case])
    assert flow.returncode == 0, flow.stderr
    assert flow.stdout.count("Case ") == 1
    usage = mpirun(2, ["run"])
    assert usage.returncode == 2
    assert usage.stderr.count("scenario is required") == 1


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


def test_two_ranks_write_the_uncertainty_analysis_one_process_writes(tmp_path):
    import h5py
    import numpy as np

    scenario = tmp_path / "u.yaml"
    scenario.write_text(
        f"name: u\nextends: {SOURCE_DIR}/scenarios/green_2030_uncertainty.yaml\ncomplexes: [local]\n"
        "interventions: [{rooftop_pv: {roof_share: 0.6, cost_krw_per_kwp: 1200000}}]\n"
        "uncertainty:\n  method: latin_hypercube\n  samples: 4\n  seed: 3\n"
        f"  reference: {SOURCE_DIR}/scenarios/baseline_2030.yaml\n  inputs:\n"
        "    load_growth: {dist: normal, mean: 1.0, sd: 0.05, min: 0.85, max: 1.15}\n")
    shared, single = tmp_path / "a.h5", tmp_path / "b.h5"
    result = mpirun(2, ["run", scenario, "-o", shared, "-j", 1])
    assert result.returncode == 0, result.stderr
    assert run(["run", scenario, "-o", single, "-j", 1]).returncode == 0
    assert_same_results(shared, single)
    with h5py.File(shared, "r") as a, h5py.File(single, "r") as b:
        for name in ("output_value", "input_value", "p10", "p50", "p90"):
            assert np.array_equal(a[f"uncertainty/{name}"][()], b[f"uncertainty/{name}"][()], equal_nan=True), name
