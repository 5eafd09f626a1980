#!/usr/bin/python3
"""A bad-input campaign against the sandan CLI, end to end, as a user runs it.

For each input class it takes a real input of the repository, makes variants of it (hand-made bad
inputs, then random byte/line mutations from a fixed seed), runs the command a user would run on
each variant in a fresh temporary folder, with a timeout, and classifies the outcome. It prints a
Markdown table (class, command, cases, count of each outcome) and lists every finding below it.

    /usr/bin/python3 tools/bad_inputs.py [--sandan build/release/cli/sandan] [--seed 1]
                                         [--cases F] [--classes NAME,...] [--timeout 120] [--jobs 1]
                                         [--list-accepted]

--cases scales the random mutations of every class (the default counts are in make_classes); the hand-made
variants are always all tried. Outcomes (docs/reliability.md, "Summary: what was tried"):
  refused, named      exit 2, stderr starts with "sandan: error:" and names the damaged file
  refused, not named  exit 2 otherwise (a finding)
  accepted            exit 0 (fine when the variant is still valid; the tool cannot always tell)
  crash               killed by a signal or exit > 128 (a finding)
  timeout             not done within --timeout (a finding)
  other exit          1, 3, 4 (a finding unless explained)
  left files          besides the above: anything left in the folder besides the inputs and, on
                      exit 0, the complete output (.tmp- files, a .lock, a .parts folder, a partial
                      output) (a finding)
Only the standard library is used.
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# Variants of a file's bytes. Each is (description, function(bytes, rng) -> bytes | DIRECTORY).

DIRECTORY = object()  # the variant is a folder in place of the file

# A number standing alone (not a piece of a word, date or path: "2026-04-16" is none).
NUMBER = re.compile(rb"(?<![\w.\-/])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.\-/])")
BAD_NUMBERS = [b"nan", b".nan", b"inf", b"-inf", b"1e308", b"-1e308", b"1e999", b"-1", b"0", b"", b"abc",
               b"12abc", b"0x1F", b"99999999999999999999"]


def replace_number(data, which, value):
    """The number at relative position `which` (0 = first, 1 = last) of the file replaced by `value`."""
    found = list(NUMBER.finditer(data))
    if not found:
        return data + b"\n" + value
    m = found[min(len(found) - 1, int(which * len(found)))]
    return data[:m.start()] + value + data[m.end():]


def lines_of(data):
    return data.split(b"\n")


def duplicate_line(data, which):
    lines = lines_of(data)
    i = min(len(lines) - 1, int(which * len(lines)))
    return b"\n".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])


def delete_line(data, which):
    lines = lines_of(data)
    i = min(len(lines) - 1, int(which * len(lines)))
    return b"\n".join(lines[:i] + lines[i + 1:])


def drop_last_column(data):
    """The header's last column removed (a missing column)."""
    lines = lines_of(data)
    for i, line in enumerate(lines):
        if b"," in line and not line.startswith(b"#"):
            lines[i] = line.rsplit(b",", 1)[0]
            break
    return b"\n".join(lines)


def replace_key_value(data, key, value):
    """`key: ...` (its first occurrence) given `value`; the file unchanged when it has no such key."""
    return re.sub(rb"(?m)^(\s*" + key + rb":)[^\n]*", lambda m: m.group(1) + b" " + value, data, count=1)


def generic_hand(numbers=True):
    """Hand-made variants that apply to every file."""
    out = [
        ("empty file", lambda d, r: b""),
        ("a folder in place of the file", lambda d, r: DIRECTORY),
        ("binary garbage (4 KiB)", lambda d, r: bytes(random.Random(7).randrange(256) for _ in range(4096))),
        ("truncated at half", lambda d, r: d[:len(d) // 2]),
        ("truncated at 10 bytes", lambda d, r: d[:10]),
        ("NUL bytes in the middle", lambda d, r: d[:len(d) // 2] + b"\0\0\0\0" + d[len(d) // 2:]),
        ("invalid UTF-8 in the middle", lambda d, r: d[:len(d) // 2] + b"\xff\xfe\xc3" + d[len(d) // 2:]),
        ("a UTF-8 byte-order mark", lambda d, r: b"\xef\xbb\xbf" + d),
        ("CRLF line ends", lambda d, r: d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")),
        ("a 1 MiB line appended", lambda d, r: d + b"\n" + b"x" * (1 << 20) + b"\n"),
        ("the first line deleted", lambda d, r: delete_line(d, 0)),
        ("a middle line deleted", lambda d, r: delete_line(d, 0.5)),
        ("a middle line duplicated", lambda d, r: duplicate_line(d, 0.5)),
        ("the first line duplicated", lambda d, r: duplicate_line(d, 0)),
        ("the file twice", lambda d, r: d + b"\n" + d),
    ]
    if numbers:
        for where, name in ((0.0, "first"), (0.5, "middle"), (0.999, "last")):
            for value in BAD_NUMBERS:
                out.append((f"the {name} number replaced by '{value.decode()}'",
                            lambda d, r, w=where, v=value: replace_number(d, w, v)))
    return out


def yaml_hand():
    return generic_hand() + [
        ("a duplicate key (a line a third in repeated)", lambda d, r: duplicate_line(d, 0.3)),
        ("an unknown key", lambda d, r: d + b"\nno_such_key_xyz: 1\n"),
        ("a second YAML document", lambda d, r: d + b"\n---\nname: second\n"),
        ("a stray ','", lambda d, r: b",\n" + d),
        ("a tab indentation", lambda d, r: d.replace(b"\n  ", b"\n\t", 1)),
        ("an unclosed flow sequence", lambda d, r: d + b"\nextra: [1, 2\n"),
        ("an alias to an undefined anchor", lambda d, r: d + b"\nextra: *nowhere\n"),
        ("a complex key", lambda d, r: d + b"\n? [a, b]\n: 1\n"),
        ("a scalar document", lambda d, r: b"just text\n"),
        ("a list document", lambda d, r: b"- 1\n- 2\n"),
        ("version 99", lambda d, r: replace_key_value(d, b"version", b"99")),
        ("version as text", lambda d, r: replace_key_value(d, b"version", b"one")),
        ("another schema", lambda d, r: replace_key_value(d, b"schema", b"sandan-other")),
        ("a deeply nested value", lambda d, r: d + b"\nextra: " + b"[" * 5000 + b"]" * 5000 + b"\n"),
    ]


def csv_hand():
    return generic_hand() + [
        ("the header's last column removed", lambda d, r: drop_last_column(d)),
        ("a column added to the header", lambda d, r: d.replace(b"\n", b",extra\n", 1)),
        ("the header alone", lambda d, r: lines_of(d)[0] + b"\n"),
        ("';' as separator", lambda d, r: d.replace(b",", b";")),
        ("a quoted field across lines", lambda d, r: d + b"\n\"open,\n"),
        ("an empty field in a middle row",
         lambda d, r: d[:len(d) // 2] + re.sub(rb",[^,\n]*,", b",,", d[len(d) // 2:], count=1)),
    ]


def binary_hand():
    """For binary files (results HDF5, GeoPackage): whole-file damage."""
    return [
        ("empty file", lambda d, r: b""),
        ("a folder in place of the file", lambda d, r: DIRECTORY),
        ("binary garbage (4 KiB)", lambda d, r: bytes(random.Random(7).randrange(256) for _ in range(4096))),
        ("a text file", lambda d, r: b"name: not a binary file\n"),
        ("truncated at half", lambda d, r: d[:len(d) // 2]),
        ("truncated at 4 KiB", lambda d, r: d[:4096]),
        ("truncated at 100 bytes", lambda d, r: d[:100]),
        ("the last byte removed", lambda d, r: d[:-1]),
        ("1 KiB of zeros appended", lambda d, r: d + b"\0" * 1024),
        ("the first 4 KiB zeroed", lambda d, r: b"\0" * 4096 + d[4096:]),
        ("the second 4 KiB zeroed", lambda d, r: d[:4096] + b"\0" * 4096 + d[8192:]),
        ("the signature's first byte changed", lambda d, r: bytes([d[0] ^ 0xFF]) + d[1:]),
        ("the last 4 KiB zeroed", lambda d, r: d[:-4096] + b"\0" * 4096),
        ("the middle 64 KiB zeroed",
         lambda d, r: d[:len(d) // 2] + b"\0" * 65536 + d[len(d) // 2 + 65536:]),
    ]


# Tokens of each format inserted by the random mutations.
TOKENS = {
    "yaml": [b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!str ", b"---\n", b"...\n", b"? ",
             b"|", b">", b"#", b"'", b'"', b"~", b"null", b".inf", b".nan", b"1e308", b"-1", b"\t", b"\n  "],
    "csv": [b",", b"\n", b"\"", b"nan", b"inf", b"-1", b"1e308", b"", b";", b"\r", b"abc", b"0", b" "],
    "epw": [b",", b"\n", b"9999", b"99.9", b"999999", b"nan", b"-1", b"1e308", b"LOCATION", b"DATA PERIODS",
            b"HOLIDAYS/DAYLIGHT SAVINGS", b"GROUND TEMPERATURES"],
    "tntp": [b"<NUMBER OF ZONES>", b"<NUMBER OF NODES>", b"<NUMBER OF LINKS>", b"<END OF METADATA>",
             b"<TOTAL OD FLOW>", b"<FIRST THRU NODE>", b"Origin", b";", b"~", b":", b"\t", b"\n", b"nan", b"-1",
             b"1e308", b"0"],
    "json": [b"{", b"}", b"[", b"]", b":", b",", b"\"", b"null", b"true", b"NaN", b"1e308", b"-1", b"\\u0000",
             b"\"type\"", b"\"coordinates\"", b"\"features\"", b"\"geometry\""],
}


def mutate_text(data, rng, tokens):
    """One random mutation of a text file: a byte flipped, lines deleted, duplicated or swapped, a cut
    at a random point, or a token of the format inserted."""
    kind = rng.randrange(6)
    if kind == 0 and data:
        i = rng.randrange(len(data))
        return "a byte flipped at byte %d" % i, data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    lines = lines_of(data)
    if kind == 1:
        i = rng.randrange(len(lines))
        n = rng.choice([1, 1, 1, 2, 5])
        return "lines %d-%d deleted" % (i + 1, i + n), b"\n".join(lines[:i] + lines[i + n:])
    if kind == 2:
        i = rng.randrange(len(lines))
        return "line %d duplicated" % (i + 1), b"\n".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])
    if kind == 3 and len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "lines %d and %d swapped" % (i + 1, j + 1), b"\n".join(lines)
    if kind == 4 and data:
        i = rng.randrange(len(data))
        return "truncated at byte %d" % i, data[:i]
    i = rng.randrange(len(data) + 1)
    token = rng.choice(tokens)
    return "%r inserted at byte %d" % (token.decode(errors="replace"), i), data[:i] + token + data[i:]


def mutate_binary(data, rng, tokens):
    """One random mutation of a binary file, most in its first 64 KiB where the metadata lives."""
    limit = len(data) if rng.random() < 0.3 else min(len(data), 65536)
    kind = rng.randrange(4)
    i = rng.randrange(limit)
    if kind == 0:
        return "a byte flipped at byte %d" % i, data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if kind == 1:
        n = rng.choice([2, 4, 8, 16])
        return "%d random bytes at byte %d" % (n, i), data[:i] + bytes(rng.randrange(256) for _ in range(n)) + data[i + n:]
    if kind == 2:
        return "truncated at byte %d" % i, data[:i]
    return "8 bytes 0xFF at byte %d" % i, data[:i] + b"\xff" * 8 + data[i + 8:]


# ---------------------------------------------------------------------------------------------
# Input classes.


def read(path):
    return (SOURCE / path).read_bytes()


def scenario_text(overrides=None, traffic=False):
    """A short scenario (the `local` complex) with every input a path into the repository, or
    the file name given in `overrides` (the variant, next to the scenario)."""
    g = lambda p: str(SOURCE / "gis_data" / p)
    keys = {
        "site": g("incheon.gpkg"),
        "weather": g("weather/incheon_synthetic.epw"),
        "holidays": g("calendar/holidays_kr.csv"),
        "tariff": g("tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml"),
        "load_library": g("loads/archetypes.yaml"),
        "emission_factors": g("emissions/factors.yaml"),
    }
    keys.update({k: v for k, v in (overrides or {}).items() if k != "trip_rates"})
    text = "name: short\nyear: 2026\nseed: 42\n"
    text += "".join("%s: %s\n" % (k, v) for k, v in keys.items())
    models = "[energy, emissions, traffic]" if traffic else "[energy, emissions]"
    text += "complexes: [local]\nmodels: %s\ngrid_emission_factor: {t_per_mwh: 0.4173}\n" % models
    if traffic:
        text += "traffic:\n  trip_rates: %s\n" % (overrides or {}).get("trip_rates", g("traffic/trip_rates.yaml"))
    return text


class Class:
    """An input class: the files (name -> bytes) of which one is varied each case, the other files
    of the folder, the command and the variants."""

    def __init__(self, name, command, files, argv, hand, mutate, tokens, cases, extra=None, output=None,
                 folder=None):
        self.name, self.command, self.files, self.argv = name, command, files, argv
        self.hand, self.mutate, self.tokens, self.cases = hand, mutate, tokens, cases
        self.extra = extra or {}    # other inputs written beside (name -> bytes)
        self.output = output        # the output a run writes on success (a name in the folder)
        self.folder = folder        # the files live in this subfolder (a case folder)


def scenario_class(name, key, path, hand, kind, cases, traffic=False):
    file_name = Path(path).name
    return Class(name, "sandan run short.yaml -o out.h5 (%s: %s)" % (key, file_name),
                 {file_name: read(path)}, ["run", "short.yaml", "-o", "out.h5"], hand, mutate_text,
                 TOKENS[kind], cases,
                 extra={"short.yaml": scenario_text({key: file_name}, traffic=traffic).encode()},
                 output="out.h5")


def split_corpus(path, names):
    parts = read(path).split(b"%%\n")
    assert len(parts) == len(names), path
    return dict(zip(names, parts))


def make_classes(layers):
    classes = [
        Class("scenario YAML", "sandan run short.yaml -o out.h5", {"short.yaml": scenario_text().encode()},
              ["run", "short.yaml", "-o", "out.h5"], yaml_hand(), mutate_text, TOKENS["yaml"], 120,
              output="out.h5"),
        scenario_class("EPW weather", "weather", "gis_data/weather/incheon_synthetic.epw", csv_hand(), "epw", 120),
        scenario_class("tariff YAML", "tariff", "gis_data/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml",
                       yaml_hand(), "yaml", 120),
        scenario_class("emission factors YAML", "emission_factors", "gis_data/emissions/factors.yaml",
                       yaml_hand(), "yaml", 120),
        scenario_class("load archetypes YAML", "load_library", "gis_data/loads/archetypes.yaml",
                       yaml_hand(), "yaml", 120),
        scenario_class("holidays CSV", "holidays", "gis_data/calendar/holidays_kr.csv", csv_hand(), "csv", 120),
        scenario_class("trip rates YAML", "trip_rates", "gis_data/traffic/trip_rates.yaml", yaml_hand(), "yaml",
                       60, traffic=True),
        Class("MATPOWER case folder", "sandan powerflow case14 --out out",
              {n: read("tests/validation/data/powerflow/case14/" + n)
               for n in ("case.json", "bus.csv", "gen.csv", "branch.csv")},
              ["powerflow", "case14", "--out", "out"], csv_hand(), mutate_text, TOKENS["csv"] + TOKENS["json"], 300,
              output="out", folder="case14"),
        Class("TNTP case", "sandan assign SiouxFalls --out out",
              {n: read("tests/validation/data/tntp/SiouxFalls/" + n)
               for n in ("SiouxFalls_net.tntp", "SiouxFalls_trips.tntp", "SiouxFalls_node.tntp")},
              ["assign", "SiouxFalls", "--out", "out"], generic_hand(), mutate_text, TOKENS["tntp"], 300,
              output="out", folder="SiouxFalls"),
        Class("DNL case folder", "sandan dnl small --out out",
              split_corpus("fuzz/corpus/dnl_case/small",
                           ["case.yaml", "nodes.csv", "links.csv", "zones.csv", "vehicles.csv"]),
              ["dnl", "small", "--out", "out"], csv_hand() + yaml_hand()[len(generic_hand()):], mutate_text,
              TOKENS["csv"] + TOKENS["yaml"], 300, output="out", folder="small"),
        Class("GeoPackage layout", "sandan inspect incheon.gpkg", {"incheon.gpkg": read("gis_data/incheon.gpkg")},
              ["inspect", "incheon.gpkg"], binary_hand(), mutate_binary, [], 150),
        Class("GeoJSON layout", "sandan inspect complexes.geojson facilities.geojson ... (6 layers)",
              layers, ["inspect"] + list(layers), generic_hand(), mutate_text, TOKENS["json"], 200),
        Class("meter CSV", "sandan ingest Steel_industry_data_jan-sep.csv --map MAP -o measured.h5",
              {"Steel_industry_data_jan-sep.csv": read("tests/data/steel_plant_2018/Steel_industry_data_jan-sep.csv")},
              ["ingest", "Steel_industry_data_jan-sep.csv", "--map", str(SOURCE / "docs/examples/steel_plant_meter_map.yaml"),
               "-o", "measured.h5"], csv_hand(), mutate_text, TOKENS["csv"], 120, output="measured.h5"),
    ]
    return classes


def geojson_layers(sandan, work_root):
    """A small consistent layout as GeoJSON layers: `sandan synth` of the repository's complexes at
    2 % of their size (the layout of gis_data/ is a GeoPackage; a cut of it is not consistent)."""
    subprocess.run([sandan, "synth", str(SOURCE / "gis_data/complexes.yaml"), "-o", "layout", "--format",
                    "geojson", "--scale", "0.02", "--seed", "3"], cwd=work_root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {p.name: p.read_bytes() for p in sorted((work_root / "layout").glob("*.geojson"))}


# ---------------------------------------------------------------------------------------------
# Running one case.


def listing(folder):
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def classify(exit_code, err, named):
    """`named`: the message names the damaged file (see run_case)."""
    if exit_code is None:
        return "timeout"
    if exit_code < 0 or exit_code > 128:
        return "crash"
    if exit_code == 0:
        return "accepted"
    if exit_code == 2:
        return "refused, named" if err.startswith("sandan: error:") and named else "refused, not named"
    return "other exit"


def run_case(sandan, argv, files, timeout, target_name, output, work_root, siblings=()):
    """Writes `files` (relative path -> bytes, or DIRECTORY) into a fresh folder, runs sandan there;
    returns (outcome, exit code, first line of stderr, files left). The message names the damaged
    file when `target_name` appears in it; in a case folder of several files (`siblings`) also when
    it names another file of the case at a line ("links.csv:3:") or a feature of another layer: a
    damaged bus number shows where a generator refers to it, a deleted zone where a vehicle's route
    ends, a deleted complex where its facilities refer to it."""
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=work_root))
    try:
        for rel, data in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is DIRECTORY:
                path.mkdir()
            else:
                path.write_bytes(data)
        inputs = listing(folder)
        proc = subprocess.Popen([sandan] + argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _, err_bytes = proc.communicate(timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err_bytes = proc.communicate()
            code = None
        err = err_bytes.decode(errors="replace")
        names = target_name if isinstance(target_name, tuple) else (target_name,)
        # A GeoJSON layer is its file: "layer 'roads'" names roads.geojson.
        names += tuple("layer '%s'" % Path(n).stem for n in names if n.endswith(".geojson"))
        named = any(n in err for n in names) or any(
            re.search(re.escape(s) + r"(:\d+:|: layer )", err) for s in siblings)
        outcome = classify(code, err, named)
        left = sorted(listing(folder) - inputs)
        if code == 0 and output is not None:
            # The complete output (and what is inside an output folder) is expected.
            left = [n for n in left if n != output and not n.startswith(output + "/")]
        if code == 0:
            # Anything a successful run may legitimately write besides its output is none of these.
            left = [n for n in left if re.search(r"\.tmp-|\.lock|\.parts|(^|/)\.", n)]
        first = err.strip().splitlines()[0] if err.strip() else ""
        return outcome, code, first, left
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def variants(cls, rng, cases):
    """(description, relative path -> bytes) of every case of a class: the unchanged input first,
    then the hand-made variants of each file, then `cases` random mutations."""
    prefix = (cls.folder + "/") if cls.folder else ""
    base = {prefix + n: d for n, d in cls.files.items()}
    base.update(cls.extra)
    out = [("unchanged", None, base)]
    for name, data in cls.files.items():
        for desc, fn in cls.hand:
            files = dict(base)
            files[prefix + name] = fn(data, rng)
            out.append((desc if len(cls.files) == 1 else "%s: %s" % (name, desc), name, files))
    names = list(cls.files)
    for _ in range(cases):
        name = rng.choice(names)
        desc, data = cls.mutate(cls.files[name], rng, cls.tokens)
        files = dict(base)
        files[prefix + name] = data
        out.append(("random: " + (desc if len(names) == 1 else "%s: %s" % (name, desc)), name, files))
    return out


# ---------------------------------------------------------------------------------------------
# Bad CLI arguments: a wrong value of an option, or a path that is not what it should be. "Named"
# means the message names the option or the path.


def argument_cases(rng, cases):
    case14 = str(SOURCE / "tests/validation/data/powerflow/case14")
    sioux = str(SOURCE / "tests/validation/data/tntp/SiouxFalls")
    small = {"small/" + n: d for n, d in split_corpus("fuzz/corpus/dnl_case/small",
                                                      ["case.yaml", "nodes.csv", "links.csv", "zones.csv",
                                                       "vehicles.csv"]).items()}
    scen = {"short.yaml": scenario_text().encode()}
    bad_values = ["-1", "0", "abc", "nan", "inf", "1e308", "", "99999999999999999999", "-0", "1.5", "--", "-j"]
    hand = []
    for v in bad_values:
        hand.append(("run -j %r" % v, ["run", "short.yaml", "-j", v], scen, ("-j", "--threads")))
        hand.append(("assign --gap %r" % v, ["assign", sioux, "--gap", v, "--out", "out"], {}, "--gap"))
        hand.append(("assign --max-iterations %r" % v, ["assign", sioux, "--max-iterations", v, "--out", "out"], {},
                     "--max-iterations"))
        hand.append(("assign -j %r" % v, ["assign", sioux, "-j", v, "--out", "out"], {}, ("-j", "--threads")))
        hand.append(("synth --seed %r" % v, ["synth", str(SOURCE / "gis_data/complexes.yaml"), "-o", "l.gpkg",
                                             "--seed", v], {}, "--seed"))
        hand.append(("compare --format %r" % v, ["compare", "a.h5", "a.h5", "--format", v], {}, "--format"))
        hand.append(("powerflow --method %r" % v, ["powerflow", case14, "--method", v, "--out", "out"], {},
                     "--method"))
        hand.append(("assign --algorithm %r" % v, ["assign", sioux, "--algorithm", v, "--out", "out"], {},
                     "--algorithm"))
        hand.append(("ingest --max-gap %r" % v, ["ingest", str(SOURCE / "tests/data/steel_plant_2018/Steel_industry_data_jan-sep.csv"),
                                                 "--map", str(SOURCE / "docs/examples/steel_plant_meter_map.yaml"),
                                                 "--max-gap", v, "-o", "m.h5"], {}, "--max-gap"))
    paths = [
        ("run of a missing scenario", ["run", "missing.yaml"], {}, "missing.yaml"),
        ("run of a folder", ["run", "small"], small, "small"),
        ("run of /dev/null", ["run", "/dev/null"], {}, "/dev/null"),
        ("run with -o in a missing folder", ["run", "short.yaml", "-o", "no/such/out.h5"], scen, "no/such"),
        ("run with -o a folder", ["run", "short.yaml", "-o", "small"], dict(scen, **small), "small"),
        ("run with -o ''", ["run", "short.yaml", "-o", ""], scen, "output"),
        ("run with -o /dev/full", ["run", "short.yaml", "-o", "/dev/full"], scen, "/dev/full"),
        ("powerflow of a missing folder", ["powerflow", "nowhere", "--out", "out"], {}, "nowhere"),
        ("powerflow of a file", ["powerflow", "short.yaml", "--out", "out"], scen, "short.yaml"),
        ("powerflow --out a file", ["powerflow", case14, "--out", "short.yaml"], scen, "short.yaml"),
        ("assign of an empty folder", ["assign", "small", "--out", "out"], {"small/x": b""}, "small"),
        ("assign --out a file", ["assign", sioux, "--out", "short.yaml"], scen, "short.yaml"),
        ("dnl of a missing folder", ["dnl", "nowhere", "--out", "out"], {}, "nowhere"),
        ("dnl --out a file", ["dnl", "small", "--out", "small/case.yaml"], small, "case.yaml"),
        ("compare of a missing file", ["compare", "a.h5", "b.h5"], {}, "b.h5"),
        ("export without --gpkg", ["export", "a.h5"], {}, "--gpkg"),
        ("inspect of a missing file", ["inspect", "nothing.gpkg"], {}, "nothing.gpkg"),
        ("ingest of a missing file", ["ingest", "nothing.csv", "--map", "nothing.yaml"], {}, "nothing"),
        ("an unknown subcommand", ["frobnicate"], {}, "frobnicate"),
        ("an unknown option", ["run", "short.yaml", "--frobnicate"], scen, "--frobnicate"),
        ("no arguments at all", [], {}, "sandan"),
        ("a very long argument", ["run", "x" * 100000], {}, "xxxx"),
    ]
    out = hand + paths
    options = [("run", ("-j", "--threads"), ["run", "short.yaml"], scen), ("assign", "--gap", ["assign", sioux, "--out", "out"], {}),
               ("assign", "--max-iterations", ["assign", sioux, "--out", "out"], {}),
               ("assign", "--first-thru-node", ["assign", sioux, "--out", "out"], {}),
               ("powerflow", "--method", ["powerflow", case14, "--out", "out"], {}),
               ("dnl", "--out", ["dnl", "small"], small)]
    pool = bad_values + ["-999999", "1e-320", "0x10", "١", "NaN", " 3", "3 ", "+5", "2147483648", "-2147483649"]
    for _ in range(cases):
        cmd, opt, argv, files = rng.choice(options)
        v = rng.choice(pool)
        flag = opt[0] if isinstance(opt, tuple) else opt
        out.append(("random: %s %s %r" % (cmd, flag, v), argv + [flag, v], files, opt))
    return out


# ---------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sandan", default=str(SOURCE / "build/release/cli/sandan"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cases", type=float, default=1.0,
                   help="random mutations a class, as a factor of its default count (1.0)")
    p.add_argument("--classes", default="", help="comma-separated class names (or parts of them) to run")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--jobs", type=int, default=1, help="cases run at once")
    p.add_argument("--list-accepted", action="store_true",
                   help="also list the hand-made variants that were accepted (exit 0), to judge them")
    args = p.parse_args()
    sandan = str(Path(args.sandan).resolve())
    if not os.access(sandan, os.X_OK):
        sys.exit("bad_inputs.py: no sandan at %s (build the release preset)" % sandan)

    work_root = Path(tempfile.mkdtemp(prefix="sandan-bad-inputs-"))
    # A small results file for `compare` and `export`: a run of the short scenario.
    (work_root / "short.yaml").write_text(scenario_text())
    subprocess.run([sandan, "run", "short.yaml", "-o", "ref.h5"], cwd=work_root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ref = (work_root / "ref.h5").read_bytes()

    classes = make_classes(geojson_layers(sandan, work_root))
    classes.append(Class("results file (compare)", "sandan compare ref.h5 results.h5", {"results.h5": ref},
                         ["compare", "ref.h5", "results.h5"], binary_hand(), mutate_binary, [], 150,
                         extra={"ref.h5": ref}))
    classes.append(Class("results file (export)", "sandan export results.h5 --gpkg out.gpkg", {"results.h5": ref},
                         ["export", "results.h5", "--gpkg", "out.gpkg"], binary_hand(), mutate_binary, [], 100,
                         output="out.gpkg"))
    wanted = [w.strip().lower() for w in args.classes.split(",") if w.strip()]
    chosen = lambda name: not wanted or any(w in name.lower() for w in wanted)

    rows, findings, accepted = [], [], []
    outcomes = ["refused, named", "refused, not named", "accepted", "crash", "timeout", "other exit"]
    started = time.time()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    all_classes = [(c.name, c.command) for c in classes] + [("CLI arguments", "sandan SUBCOMMAND with bad values")]
    for name, command in all_classes:
        if not chosen(name):
            continue
        rng = random.Random("%d:%s" % (args.seed, name))
        if name == "CLI arguments":
            cases = [(d, files, argv, named, None) for d, argv, files, named in
                     argument_cases(rng, round(150 * args.cases))]
            if any("a.h5" in argv for _, _, argv, _, _ in cases):
                cases = [(d, dict(files, **({"a.h5": ref} if "a.h5" in argv else {})), argv, named, o)
                         for d, files, argv, named, o in cases]
        else:
            cls = next(c for c in classes if c.name == name)
            cases = [(d, files, cls.argv, target, cls.output)
                     for d, target, files in variants(cls, rng, round(cls.cases * args.cases))]
        t0 = time.time()
        # What the message must name: the damaged file (none for the unchanged input), or for the
        # arguments the option or path.
        siblings = () if name == "CLI arguments" or len(cls.files) == 1 else tuple(cls.files)
        futures = [pool.submit(run_case, sandan, argv, files, args.timeout, target or "\0none", output, work_root,
                               siblings)
                   for _, files, argv, target, output in cases]
        counts = dict.fromkeys(outcomes + ["left files"], 0)
        for (desc, files, argv, target, output), fut in zip(cases, futures):
            outcome, code, first, left = fut.result()
            counts[outcome] += 1
            if outcome == "accepted" and desc != "unchanged" and not desc.startswith("random:"):
                accepted.append((name, desc))
            if left:
                counts["left files"] += 1
            if desc == "unchanged" and outcome != "accepted":
                findings.append((name, desc, "the unchanged input is not accepted (exit %s)" % code, first))
            finding = outcome in ("refused, not named", "crash", "timeout", "other exit")
            if finding or left:
                what = outcome + (" (exit %s)" % code if code not in (0, 2, None) else "")
                if code == 3 and not left:
                    what += "; explained: exit 3 is an output that cannot be written"
                if left:
                    what += "; left: " + ", ".join(left[:3])
                findings.append((name, desc, what, first))
        rows.append((name, command, len(cases), counts))
        print("bad_inputs.py: %-24s %4d cases in %5.0f s: %s" % (
            name, len(cases), time.time() - t0,
            ", ".join("%s %d" % (k, v) for k, v in counts.items() if v)), file=sys.stderr, flush=True)
    pool.shutdown()
    shutil.rmtree(work_root, ignore_errors=True)

    print("| class | command | cases | " + " | ".join(outcomes + ["left files"]) + " |")
    print("|---|---|---|" + "---|" * (len(outcomes) + 1))
    total = dict.fromkeys(outcomes + ["left files"], 0)
    for name, command, n, counts in rows:
        print("| %s | `%s` | %d | %s |" % (name, command, n, " | ".join(str(counts[k]) for k in total)))
        for k in total:
            total[k] += counts[k]
    print("| **all** | | %d | %s |" % (sum(r[2] for r in rows), " | ".join("**%d**" % v for v in total.values())))
    print()
    print("Seed %d, %.0f s. Findings: %d" % (args.seed, time.time() - started, len(findings)))
    print()
    for name, desc, what, first in findings:
        # The repository's own path (in scenario paths) printed as <source>, so that the list can be
        # pasted as it is.
        first = first.replace(str(SOURCE), "<source>").replace("`", "'")
        print("- %s, %s: %s: `%s`" % (name, desc, what, first[:200]))
    if args.list_accepted:
        print()
        print("Hand-made variants accepted (exit 0): %d" % len(accepted))
        print()
        for name, desc in accepted:
            print("- %s, %s" % (name, desc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
