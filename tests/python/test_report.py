"""`python3 -m sandan.report`: one self-contained HTML file, or exit 2 and nothing written.

The headline figures are looked for in the HTML as people read them (thousands separators, a real
minus sign), computed here from `sandan compare --format json` and the files' attributes (h5py).
"""
import base64
import contextlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys

import h5py
import pytest

import sandan.report as report

SANDAN = os.environ["SANDAN_EXE"]
MINUS = "\u2212"


def as_read(value, decimals=0):
    """How the report writes a figure: 1,234,567 and −1,234."""
    text = f"{abs(value):,.{decimals}f}"
    return (MINUS + text) if value < 0 and text.strip("0.,") else text


def make_report(*args):
    """`python3 -m sandan.report ARGS` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "sandan.report", *map(str, args)], capture_output=True,
                          text=True)


def report_main(*args):
    """The same command line in this process (quicker): (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = report.main([str(a) for a in args])
    return code, err.getvalue()


def compare(a, b):
    out = subprocess.run([SANDAN, "compare", str(a), str(b), "--format", "json"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def two(small_results, tmp_path_factory):
    """The report of the reference and the alternative: (html text, its path)."""
    out = tmp_path_factory.mktemp("report") / "two.html"
    result = make_report(small_results.ref, small_results.alt, "-o", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8"), out


def test_the_report_holds_the_headline_figures_as_people_read_them(two, small_results):
    html, _ = two
    j = compare(small_results.ref, small_results.alt)
    h = j["headline"]
    abated_share = 100 * h["tco2e_abated"] / next(k["a"] for k in j["kpis"]
                                                  if k["key"] == "tco2e_total" and k["complex"] == "all")
    for figure in (as_read(h["tco2e_abated"]), as_read(h["krw_per_tco2e_gross"]),
                   as_read(h["krw_per_tco2e_net"]), as_read(h["delta_energy_cost_krw"] / 1e6),
                   as_read(h["net_annual_cost_krw"] / 1e6), f"{abated_share:.1f} %"):
        assert f">{figure}<" in html or f">+{figure}<" in html, figure
    kpis = {(k["key"], k["complex"]): k for k in j["kpis"]}
    assert f">{as_read(kpis[('tco2e_total', 'all')]['b'])}<" in html
    assert f">{as_read(kpis[('annualised_cost_krw', 'all')]['b'] / 1e6)}<" in html
    # Traffic: the electric share of truck-km (ev_trucks) as a percentage.
    share = 100 * kpis[("electric_truck_km", "all")]["b"] / kpis[("truck_km", "all")]["b"]
    assert f">{share:.1f} %<" in html


def test_the_report_is_self_contained(two):
    html, path = two
    assert "http:" not in html and "https:" not in html
    assert "<script" not in html and "<link" not in html and "url(" not in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 3  # emissions by scope and complex, the waterfall, the monthly balance
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # the temporary file is gone


def test_the_notes_name_the_factors_files_and_versions(two, small_results):
    html, _ = two
    with h5py.File(small_results.alt, "r") as f:
        version, created = f.attrs["sandan_version"], f.attrs["created"]
        factor = f["runs/alt/emissions"].attrs["grid_t_per_mwh"]
    assert f"{factor:.4f} tCO2eq/MWh" in html
    assert f"sandan {version}" in html and created in html
    assert "synthetic" in html and "alt.h5" in html and "ref.h5" in html
    for heading in ("Headline", "Carbon by scope and complex", "Abatement against the reference", "Energy",
                    "Traffic", "Notes"):
        assert f"<h2>{heading}</h2>" in html


def test_a_batch_gets_a_table_of_runs_and_response_surfaces(small_results, tmp_path):
    out = tmp_path / "sweep.html"
    reference = f"{small_results.sweep}:sw-0000"
    code, stderr = report_main(small_results.sweep, "--reference", reference, "-o", out)
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    for run in ("sw-0000", "sw-0001", "sw-0002", "sw-0003"):
        assert f">{run}" in html
    assert "roof_share 0.8, energy_kwh 2,000" in html  # sw-0003's settings
    assert "Batch: response surfaces" in html and 'class="warn"' not in html
    assert "<h2>Traffic</h2>" not in html  # energy and emissions only


def test_runs_of_other_models_than_the_reference_are_flagged(small_results, tmp_path):
    out = tmp_path / "mixed.html"
    code, stderr = report_main(small_results.ref, small_results.sweep, "-o", out)
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    transport = [k["a"] for k in compare(small_results.ref, f"{small_results.sweep}:sw-0000")["kpis"]
                 if k["key"] == "tco2e_transport" and k["complex"] == "all"][0]
    assert "ran without traffic" in html and f"({as_read(transport)} tCO2eq/year in the reference)" in html


def test_many_alternatives_are_tabled_and_the_ones_abating_most_are_drawn(small_results, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(report, "MAX_DETAILED", 2)
    out = tmp_path / "many.html"
    assert report_main(small_results.ref, small_results.sweep, "-o", out)[0] == 0
    html = out.read_text(encoding="utf-8")
    runs = [f"sw-{i:04d}" for i in range(4)]
    abated = {run: compare(small_results.ref, f"{small_results.sweep}:{run}")["headline"]["tco2e_abated"]
              for run in runs}
    drawn = sorted(sorted(abated, key=abated.get, reverse=True)[:report.DETAILED_OF_MANY])
    assert (f"the plots per scenario show the reference and the {report.DETAILED_OF_MANY} that abate the "
            f"most ({', '.join(drawn)})") in html
    for run, value in abated.items():
        assert f">{as_read(value)}<" in html  # every run has its row


@pytest.mark.parametrize("case", ["missing", "text", "other_schema", "unknown_run"])
def test_bad_input_exits_2_naming_the_file_and_writes_nothing(small_results, tmp_path, case):
    bad = tmp_path / "bad.h5"
    if case == "text":
        bad.write_text("not a results file")
    elif case == "other_schema":
        with h5py.File(bad, "w") as f:
            f.attrs["schema"] = "other"
    out = tmp_path / "report.html"
    out.write_text("an earlier report")
    # The missing file through `python3 -m`, the others in this process: the same main().
    if case == "unknown_run":
        code, stderr = report_main(small_results.ref, "--reference", f"{small_results.alt}:nope", "-o", out)
        assert "no run 'nope'" in stderr and str(small_results.alt) in stderr
    elif case == "missing":
        result = make_report(small_results.ref, bad, "-o", out)
        code, stderr = result.returncode, result.stderr
    else:
        code, stderr = report_main(small_results.ref, bad, "-o", out)
    assert code == 2 and str(bad if case != "unknown_run" else small_results.alt) in stderr
    assert len(stderr.strip().splitlines()) == 1  # one message, no traceback
    assert out.read_text() == "an earlier report"
    left = sorted(["report.html"] + (["bad.h5"] if bad.exists() else []))
    assert sorted(p.name for p in tmp_path.iterdir()) == left  # no temporary file


def test_an_unwritable_output_exits_3(small_results, tmp_path):
    code, stderr = report_main(small_results.ref, "-o", tmp_path / "no" / "such" / "folder.html")
    assert code == 3 and "cannot write" in stderr


def test_an_input_results_file_as_output_is_refused_and_left_byte_identical(small_results, tmp_path):
    results = tmp_path / "ref.h5"
    shutil.copyfile(small_results.ref, results)
    before = results.read_bytes()
    os.mkdir(tmp_path / "sub")
    # The same file under another name: compared by identity, not by text.
    for output in (results, tmp_path / "sub" / ".." / "ref.h5"):
        result = make_report(results, "-o", output)
        assert result.returncode == 2, result.stderr
        assert "is the results file" in result.stderr and "an input" in result.stderr
    code, stderr = report_main(f"{results}:ref", "-o", results)
    assert code == 2 and "is the results file" in stderr
    assert results.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.h5", "sub"]  # no temporary file


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_an_output_that_is_not_a_regular_file_is_refused_before_reading(small_results, tmp_path, kind):
    if kind == "folder":
        output = tmp_path / "report.html"
        output.mkdir()
    elif kind == "fifo":
        output = tmp_path / "report.html"
        os.mkfifo(output)
    else:
        output = "/dev/null"
    result = make_report(small_results.ref, "-o", output)
    assert result.returncode == 2, result.stderr
    assert "exists and is" in result.stderr and "choose a file name" in result.stderr
    if kind == "device":
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    else:
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


def test_uncertainty_macc_and_attribution_sections_appear_with_the_files_figures(small_results, tmp_path):
    source = os.environ["SANDAN_SOURCE_DIR"]
    # A Sobol' design of two inputs (2 × (2 + 2) points, each with its counterfactual) and a MACC
    # set of two interventions, on one complex, energy and emissions only.
    u = tmp_path / "u.yaml"
    u.write_text(
        f"name: u\nextends: {source}/scenarios/baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n"
        "year: 2030\ngrid_emission_factor: {t_per_mwh: 0.26}\n"
        "interventions: [{rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000}},\n"
        "                {efficiency: {electricity_saving: 0.05, cost_krw: 1000000000}}]\n"
        f"uncertainty: {{method: sobol, samples: 2, seed: 1, reference: {source}/scenarios/baseline_2030.yaml,\n"
        "  inputs: {grid_emission_factor.t_per_mwh: {dist: uniform, min: 0.22, max: 0.3},\n"
        "           load_growth: {dist: uniform, min: 0.95, max: 1.05}}}\n")
    m = tmp_path / "m.yaml"
    m.write_text(u.read_text().split("uncertainty:")[0].replace("name: u", "name: m") +
                 f"macc: {{reference: {source}/scenarios/baseline_2030.yaml}}\n")
    for path in (u, m):
        made = subprocess.run([SANDAN, "run", path, "-o", path.with_suffix(".h5")], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
    out = tmp_path / "r.html"
    result = make_report(small_results.ref, u.with_suffix(".h5"), m.with_suffix(".h5"), "-o", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    with h5py.File(u.with_suffix(".h5"), "r") as f:
        outputs = list(f["uncertainty/output"].asstr()[:])
        o = outputs.index("tco2e_abated")
        p50 = f["uncertainty/p50"][o]
    assert "<h2>Uncertainty</h2>" in html and f">{as_read(p50)}<" in html
    assert 'alt="inputs ranked by their effect on tco2e_abated"' in html
    with h5py.File(m.with_suffix(".h5"), "r") as f:
        names = list(f["macc/intervention"].asstr()[:])
        abated = f["macc/tco2e_abated"][:]
    assert names[-2:] == ["package", "interaction"]
    assert "<h2>Marginal abatement cost</h2>" in html and f">{as_read(abated[-2])}<" in html
    assert 'alt="marginal abatement cost curve"' in html
    # The 2030 runs differ from the 2026 reference in background: the report splits the change.
    assert "<h2>What the interventions did, and what the background did</h2>" in html


# The Korean edition, the scenarios in plain words, the grid section, the language option ---------
KOREAN_HEADINGS = ("먼저 읽어 주십시오", "핵심 결과", "시나리오 구성", "배출 범위별·산업단지별 온실가스", "에너지",
                   "교통", "참고 사항")


def visible_text(html):
    """The report's text as a browser draws it: no style sheet, no data: URLs, no tags."""
    import html as html_module

    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    text = re.sub(r'src="data:[^"]*"', "", text)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.fixture(scope="module")
def korean(small_results, tmp_path_factory):
    """The Korean report of the reference and the alternative: (html text, stderr of the command)."""
    out = tmp_path_factory.mktemp("report_ko") / "ko.html"
    result = make_report(small_results.ref, small_results.alt, "--lang", "ko", "-o", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8"), result.stderr


def test_the_korean_report_has_korean_headings_the_same_figures_and_an_embedded_font(korean, small_results):
    html, stderr = korean
    assert '<html lang="ko">' in html
    for heading in KOREAN_HEADINGS:
        assert f"<h2>{heading}</h2>" in html, heading
    assert re.search(r"@font-face \{[^}]*src: url\(data:font/(woff2|woff|ttf);base64,", html)
    assert "missing from current font" not in stderr  # matplotlib found a glyph for every label
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 3
    h = compare(small_results.ref, small_results.alt)["headline"]
    assert f">{as_read(h['tco2e_abated'])}<" in html and f">{as_read(h['krw_per_tco2e_net'])}<" in html
    # The caveats come before the first figure: synthetic data, and what the abatement counts.
    caveats = html.index("먼저 읽어 주십시오")
    assert caveats < html.index("핵심 결과") and "합성 자료" in html[caveats:html.index("핵심 결과")]


def test_the_embedded_font_has_a_glyph_for_every_character_of_the_korean_report(korean):
    from fontTools.ttLib import TTFont

    html, _ = korean
    fonts = re.findall(r"data:font/\w+;base64,([A-Za-z0-9+/=]+)", html)
    assert len(fonts) == 2  # regular and bold
    characters = {c for c in visible_text(html) if ord(c) > 0x7e}
    assert any("\uac00" <= c <= "\ud7a3" for c in characters)  # Hangul syllables
    for data in fonts:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        cmap = font.getBestCmap()
        missing = sorted(c for c in characters if ord(c) not in cmap)
        assert not missing, missing
        # A subset: far fewer glyphs than NanumGothic's 11,000-odd Hangul syllables alone.
        assert len(cmap) < 2000


def test_each_scenario_is_described_in_plain_words(two, korean):
    # tests/python/conftest.py: alt has rooftop_pv roof_share 0.5 on roofs of at least 1000 m², a
    # 2000 kWh / 500 kW battery at complex local, 10 % efficiency savings, electric trucks 30 % / 10 %.
    text = visible_text(two[0])
    assert "Rooftop PV on 50 % of every roof of at least 1,000 m² (10 m²/kWp, facing south, tilt 15°)" in text
    assert "A shared battery of 2,000 kWh and 500 kW at complex local, peak shaving" in text
    assert "Efficiency: 10 % less electricity, 10 % less fuel" in text
    assert "Electric trucks: 30 % of light-truck and 10 % of heavy-truck vehicle-km" in text
    text = visible_text(korean[0])
    assert "지붕 면적 1,000 m² 이상 건물 지붕의 50 %에 태양광 (10 m²/kWp, 남향 15°)" in text
    assert "인천지방 단지 공용 배터리 2,000 kWh / 500 kW" in text
    assert "소형 화물차 주행거리의 30 %, 대형 화물차 주행거리의 10 %" in text


def test_unknown_interventions_and_keys_are_shown_as_key_value():
    assert report._intervention("rooftop_pv", {"roof_share": 0.25, "new_knob": 7}).endswith("; also new_knob: 7")
    assert report._intervention("heat_network", {"length_km": 2.5}) == "heat_network: length_km: 2.5"


def test_the_grid_section_lists_violations_and_says_when_hosting_capacity_was_not_computed(small_results,
                                                                                             tmp_path):
    # The reference's grid group with one feeder given 7 undervoltage and 3 overload hours (h5py): the
    # section must count it and list it; hosting capacity is NaN (not requested) in the file.
    copy = tmp_path / "grid.h5"
    shutil.copyfile(small_results.ref, copy)
    with h5py.File(copy, "r+") as f:
        g = f["runs/ref/grid"]
        feeders = list(g["feeder"].asstr()[:])
        for name in ("undervoltage_hours", "overvoltage_hours", "overload_hours"):
            g[name][...] = 0
        g["undervoltage_hours"][1] = 7
        g["overload_hours"][1] = 3
        assert all(v != v for v in g["hosting_capacity_kwp"][:])  # NaN: not requested
    out = tmp_path / "grid.html"
    code, stderr = report_main(copy, "-o", out)
    assert code == 0, stderr
    text = visible_text(out.read_text(encoding="utf-8"))
    assert "Grid: voltage, loading and hosting capacity" in text
    # Feeders, feeders with a violation, worst undervoltage, overvoltage and overload hours.
    assert re.search(rf"ref\s+{len(feeders)}\s+1\s+7\s+0\s+3\s", text)
    assert re.search(rf"{feeders[1]}\s+\S+\s+7\s+0\s+3\s", text)
    assert "not computed" in text
    out_ko = tmp_path / "grid_ko.html"
    assert report_main(copy, "--lang", "ko", "-o", out_ko)[0] == 0
    text = visible_text(out_ko.read_text(encoding="utf-8"))
    assert "배전망: 전압, 부하율, 태양광 수용 용량" in text and "계산하지 않음" in text


def test_an_unknown_language_or_a_missing_font_exits_2_and_writes_nothing(small_results, tmp_path, monkeypatch):
    out = tmp_path / "report.html"
    code, stderr = report_main(small_results.ref, "--lang", "xx", "-o", out)
    assert code == 2 and "--lang xx" in stderr and "ko" in stderr
    monkeypatch.setattr(report, "FONT_DIR", tmp_path / "no_fonts")
    code, stderr = report_main(small_results.ref, "--lang", "ko", "-o", out)
    assert code == 2 and "NanumGothic.ttf" in stderr and "fonts-nanum" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_runs_sharing_a_background_get_the_headline_sandan_compare_gives(small_results, tmp_path):
    # The sweep ran energy and emissions only, the reference every model: their backgrounds differ,
    # so each run's headline is against a counterfactual. The report runs it once for the four runs
    # and derives the other three; `sandan compare` runs it for each.
    out = tmp_path / "derived.html"
    assert report_main(small_results.ref, small_results.sweep, "-o", out)[0] == 0
    html = out.read_text(encoding="utf-8")
    for i in (0, 3):  # the run compared by the engine and one derived
        h = compare(small_results.ref, f"{small_results.sweep}:sw-{i:04d}")["headline"]
        row = re.search(rf"<tr><td class=\"text\">sw-{i:04d}</td>.*?</tr>", html).group(0)
        for figure in (h["tco2e_abated"], h["krw_per_tco2e_gross"], h["krw_per_tco2e_net"],
                       h["net_annual_cost_krw"] / 1e6):
            assert f">{as_read(figure)}<" in row or f">+{as_read(figure)}<" in row, (i, figure)
