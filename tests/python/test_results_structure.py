"""`sandan compare` and `sandan export` refuse a results file whose structure is broken.

One good file is written with the CLI (the baseline on one complex, energy only: about a second);
each test corrupts a copy with h5py in one way and checks that both commands exit 2 (bad input) with
a message that names the file, the run and the dataset, instead of printing numbers.
"""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

SANDAN = os.environ["SANDAN_EXE"]
SOURCE_DIR = os.environ["SANDAN_SOURCE_DIR"]
RUN = "base"


def sandan(*args, cwd=None):
    return subprocess.run([SANDAN, *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = tmp_path_factory.mktemp("structure")
    scenario = folder / "base.yaml"
    scenario.write_text(f"name: {RUN}\nextends: {SOURCE_DIR}/scenarios/baseline.yaml\n"
                        "complexes: [local]\nmodels: [energy]\n")
    path = folder / "base.h5"
    run = sandan("run", scenario, "-o", path, "-j", "2")
    assert run.returncode == 0, run.stderr
    return path


@pytest.fixture
def broken(good, tmp_path):
    """A copy of the good file to corrupt, and the good file to compare it with."""
    path = tmp_path / "broken.h5"
    shutil.copyfile(good, path)
    return path


def replace(group, name, data):
    """Replaces a dataset (a coordinate too) by one holding `data`."""
    del group[name]
    group.create_dataset(name, data=data)


def assert_refused(good, broken, tmp_path, *parts):
    """compare (either way round) and export exit 2 and name the file, the run and each part."""
    site = f"{SOURCE_DIR}/gis_data/incheon.gpkg"
    for args in (("compare", good, broken), ("compare", broken, good),
                 ("export", broken, "--gpkg", tmp_path / "out.gpkg", "--site", site)):
        out = sandan(*args)
        assert out.returncode == 2, (args, out.returncode, out.stdout, out.stderr)
        assert str(broken) in out.stderr, out.stderr
        for part in parts:
            assert part in out.stderr, out.stderr
        assert not (tmp_path / "out.gpkg").exists()


def test_the_good_file_compares_and_exports(good, tmp_path):
    # The control: the same commands on the uncorrupted file succeed.
    assert sandan("compare", good, good).returncode == 0
    out = sandan("export", good, "--gpkg", tmp_path / "out.gpkg", "--site",
                 f"{SOURCE_DIR}/gis_data/incheon.gpkg")
    assert out.returncode == 0, out.stderr


def test_schema_version_as_text_is_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        del f.attrs["schema_version"]
        f.attrs["schema_version"] = "1"
    assert_refused(good, broken, tmp_path, "schema_version", "text")


def test_a_run_without_its_energy_group_is_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        del f[f"runs/{RUN}/energy"]
    assert_refused(good, broken, tmp_path, f"run '{RUN}'", f"runs/{RUN}/energy")


def test_a_series_shorter_than_the_time_axis_is_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        energy = f[f"runs/{RUN}/energy"]
        load = energy["load_kw"][:, :-1]
        replace(energy, "load_kw", load)
        hours = energy["time"].shape[0]
    assert_refused(good, broken, tmp_path, f"runs/{RUN}/energy/load_kw", f"{hours} hours")


def test_facility_ids_shorter_than_the_data_are_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        energy = f[f"runs/{RUN}/energy"]
        ids = energy["facility"][:-1]
        replace(energy, "facility", ids.astype(h5py.string_dtype()))
    assert_refused(good, broken, tmp_path, f"run '{RUN}'", f"runs/{RUN}/energy/", "facility")


def test_a_repeated_kpi_key_is_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        kpi = f[f"runs/{RUN}/kpi"]
        key, cx = kpi["key"], kpi["complex"]
        key[1], cx[1] = key[0], cx[0]
        repeated = key.asstr()[0]
    assert_refused(good, broken, tmp_path, f"runs/{RUN}/kpi", repeated, "appears twice")


def test_a_scenario_attribute_that_is_not_yaml_is_refused(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        f[f"runs/{RUN}"].attrs["scenario"] = "name: [base\nsite: {"
    assert_refused(good, broken, tmp_path, f"runs/{RUN}", "scenario is not YAML")


def test_facility_ids_not_in_the_layout_are_refused_by_export(good, broken, tmp_path):
    with h5py.File(broken, "r+") as f:
        energy = f[f"runs/{RUN}/energy"]
        ids = energy["facility"].asstr()[:]
        ids[0] = "no_such_facility"
        replace(energy, "facility", np.array(ids, dtype=h5py.string_dtype()))
    out = sandan("export", broken, "--gpkg", tmp_path / "out.gpkg", "--site",
                 f"{SOURCE_DIR}/gis_data/incheon.gpkg")
    assert out.returncode == 2, out.stderr
    assert "no_such_facility" in out.stderr and "not in this layout" in out.stderr
    assert not (tmp_path / "out.gpkg").exists()
