"""Ctrl-C in a long call of the Python package: KeyboardInterrupt reaches the program while the engine
still has work to do, and a batch keeps the runs it finished for a resume."""
import os
import signal
import subprocess
import sys
import textwrap
import time

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
