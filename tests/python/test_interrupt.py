"""Ctrl-C in a long call of the Python package: KeyboardInterrupt reaches the program while the engine
still has work to do, and a batch keeps the runs it finished for a resume; sandan.ingest, calibrate and
forecast stop with nothing written, and `sandan ingest` ends on SIGINT/SIGTERM with 130/143."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import sandan

SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]


def sweep_scenario(folder, name, shares):
    """One complex, energy only, a sweep over the rooftop PV share: a few seconds a run."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\n"
        f"extends: {SOURCE_DIR}/scenarios/rooftop_pv.yaml\n"
        "complexes: [local]\n"
        "models: [energy]\n"
        "facility_series: false\n"
        f"sweep:\n  interventions[0].rooftop_pv.roof_share: {shares}\n"
    )
    return path


def start_python(code):
    """A Python program using sandan, in a process of its own that SIGINT can be sent to."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def test_ctrl_c_in_run_batch_raises_keyboard_interrupt_and_keeps_the_finished_runs(tmp_path):
    shares = [round(0.05 * i, 2) for i in range(20)]
    scenario = sweep_scenario(tmp_path, "stopped", shares)
    out = tmp_path / "stopped.h5"
    parts = tmp_path / "stopped.h5.parts"
    proc = start_python(f"""
        import sys
        import sandan
        try:
            sandan.run_batch({str(scenario)!r}, {str(out)!r}, threads=1)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(42)
        print("the batch finished", flush=True)
    """)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and any(parts.glob("*.h5")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    # Before, the batch went on to its last run (and the summary was lost); now the program gets
    # KeyboardInterrupt once the run under way reaches its next stage. communicate's timeout only
    # bounds a hang: the check is how the program ended.
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 42, stderr
    assert stdout.strip() == "KeyboardInterrupt"
    finished = sorted(p.stem for p in parts.glob("*.h5"))
    assert 1 <= len(finished) < len(shares)
    assert not out.exists()  # no results file under the final name
    # The finished runs are kept: the batch run again skips them.
    again = sandan.run_batch(scenario, out, threads=2)
    assert again.skipped == len(finished) and again.runs == len(shares)
    assert out.exists() and not parts.exists()


def test_ctrl_c_in_run_raises_keyboard_interrupt_before_the_run_ends(tmp_path):
    scenario = tmp_path / "one.yaml"
    scenario.write_text(f"name: one\nextends: {SOURCE_DIR}/scenarios/rooftop_pv.yaml\n"
                        "complexes: [local]\nmodels: [energy, emissions, traffic]\n")
    proc = start_python(f"""
        import sys
        import sandan
        def progress(stage, done):
            print(stage, flush=True)
        try:
            sandan.run({str(scenario)!r}, threads=1, progress=progress)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(42)
        print("the run finished", flush=True)
    """)
    # SIGINT once the run has started its first stage.
    first = proc.stdout.readline()
    assert first.strip() == "reading inputs", proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 42, stderr
    lines = stdout.split()
    assert lines[-1] == "KeyboardInterrupt"
    assert "done" not in lines  # stopped at a stage, not after the run


# --- sandan.ingest, sandan.calibrate and sandan.forecast (and their commands) -----------------------

STEEL_CSV = os.path.join(SOURCE_DIR, "tests", "data", "steel_plant_2018", "Steel_industry_data_jan-sep.csv")
SITE = os.path.join(SOURCE_DIR, "gis_data", "incheon.gpkg")
# Meters of the steel plant's data, each mapped to a facility of its own: enough work (about ten
# seconds of ingest, one of calibration, two of forecast on one core) that a signal sent once a call
# is under way arrives well before the call would end.
COPIES = 300


@pytest.fixture(scope="module")
def steel_copies(tmp_path_factory):
    """COPIES single-meter files (links to the steel plant's CSV, each tied to its meter by its file
    name), their mapping to the layout's first COPIES facilities, and the measured file and the
    calibration made from them without interruption."""
    folder = tmp_path_factory.mktemp("steel_copies")
    # The layout is a GeoPackage, an SQLite database: its facility ids, read without sandan.
    with sqlite3.connect(SITE) as db:
        facilities = [row[0] for row in db.execute("SELECT facility_id FROM facilities ORDER BY facility_id")]
    assert len(facilities) >= COPIES
    files = []
    lines = ["schema: sandan-meter-map", "version: 1", "timezone: Asia/Seoul", "meters:"]
    for i, facility in enumerate(facilities[:COPIES]):
        name = f"steel_{i:03d}.csv"
        os.symlink(STEEL_CSV, folder / name)
        files.append(str(folder / name))
        lines += [f"  - meter: steel_{i:03d}", f"    file: {name}", f"    facility: {facility}", "    unit: kWh"]
    mapping = folder / "map.yaml"
    mapping.write_text("\n".join(lines) + "\n")
    measured = folder / "measured.h5"
    sandan.ingest(files, map=mapping, output=measured, site=SITE)
    calibration = folder / "calibration.yaml"
    sandan.calibrate(measured, site=SITE, output=calibration, holdout="2018-08-01/2018-09-30")
    return {"files": files, "map": mapping, "measured": measured, "calibration": calibration}


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def interrupt_call(call):
    """Runs `call` (Python source using sandan) in a program of its own and sends it SIGINT once the
    call is under way: once the program has more threads than just before the call (the engine's
    thread of sandan's Ctrl-C handling, or OpenMP's). Returns the program's return code and output."""
    proc = start_python(f"""
        import os
        import sys
        import sandan
        print(len(os.listdir("/proc/self/task")), flush=True)
        try:
            {call}
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(42)
        print("the call finished", flush=True)
    """)
    before = int(proc.stdout.readline())
    while proc.poll() is None and threads_of(proc.pid) <= before:
        time.sleep(0.005)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stdout, stderr


def nothing_written(folder):
    """The folder (the interrupted call's own) holds no output and no temporary file."""
    return sorted(os.listdir(folder)) == []


@pytest.mark.parametrize("kind", ["ingest", "calibrate", "forecast"])
def test_ctrl_c_in_a_twin_call_raises_keyboard_interrupt_and_writes_nothing(kind, steel_copies, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    s = steel_copies
    calls = {
        "ingest": f"sandan.ingest({s['files']!r}, map={str(s['map'])!r}, output={str(out_dir / 'm.h5')!r}, "
                  f"site={SITE!r})",
        "calibrate": f"sandan.calibrate({str(s['measured'])!r}, site={SITE!r}, "
                     f"output={str(out_dir / 'c.yaml')!r}, holdout='2018-08-01/2018-09-30')",
        "forecast": f"sandan.forecast({str(s['calibration'])!r}, measured={str(s['measured'])!r}, "
                    f"start='2018-08-01', hours=1464, output={str(out_dir / 'f.h5')!r}, site={SITE!r})",
    }
    code, stdout, stderr = interrupt_call(calls[kind])
    # The program caught KeyboardInterrupt, raised by the call ...
    assert code == 42, stderr
    assert stdout.split()[-1] == "KeyboardInterrupt"
    # ... before the call ended: its output is written last, and there is none, nor a temporary
    # file. (Before, the call ran to its end, wrote the output, and only then raised.)
    assert nothing_written(out_dir), os.listdir(out_dir)


@pytest.mark.parametrize("signal_number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_sandan_ingest_with_128_plus_the_signal_and_nothing_written(
        signal_number, code, steel_copies, tmp_path):
    sandan_exe = os.environ["SANDAN_EXE"]
    out = tmp_path / "measured.h5"
    proc = subprocess.Popen([sandan_exe, "ingest", *steel_copies["files"], "--map", str(steel_copies["map"]),
                             "-o", str(out), "--site", SITE], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            # SIGINT as a terminal delivers it, even if this test runner ignores it.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Under way: it has a meter data file open.
    fd_dir = f"/proc/{proc.pid}/fd"

    def reading_csv():
        try:
            return any(os.readlink(os.path.join(fd_dir, fd)).endswith(".csv") for fd in os.listdir(fd_dir))
        except FileNotFoundError:  # a descriptor closed meanwhile, or the process ended
            return False

    while proc.poll() is None and not reading_csv():
        time.sleep(0.005)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal_number)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    name = "SIGTERM" if signal_number == signal.SIGTERM else "SIGINT"
    assert f"stopped by {name}" in stderr and "nothing was written" in stderr
    assert stdout == ""
    assert sorted(os.listdir(tmp_path)) == []  # no measured file, no temporary file
