#!/usr/bin/python3
"""Side-by-side comparison of `sandan dnl` and SUMO's mesoscopic model (sumo --mesosim) on one
dynamic network loading case (schema sandan-dnl-case v1).

    /usr/bin/python3 bench/sumo/meso.py CASE_DIR SANDAN_EXE [options]
    /usr/bin/python3 bench/sumo/meso.py --analytic-bottleneck SANDAN_EXE [options]

Steps (bench/sumo/README.md, "DNL vs SUMO meso", says what every number means):
 1. read the case folder (case.yaml, nodes.csv, links.csv, zones.csv, vehicles.csv) and write SUMO
    plain XML (nodes, edges with explicit length, speed and lane count, one edge type per
    fundamental diagram, every connection the routes use), build it with netconvert and check the
    built lengths, speeds, lanes and connections; write every vehicle with its depart time and its
    explicit route, one vType per class and PCE;
 2. calibrate SUMO meso's headway parameters to each link's triangular fundamental diagram (one
    `<type><meso .../></type>` per diagram) and run `sumo --mesosim`: tripinfo, vehroute exit
    times, edgedata at the case's report interval; run it again with the capacities ±band (the calibration error) and once without interactions
    (SUMO's own free-flow time of every vehicle);
 3. run `sandan dnl CASE --out OUT` and read vehicles.csv, links.csv and summary.json, and once on
    the case without queues (capacity and jam density × 1000: sandan's own free-flow times);
 4. time both tools in --repeat interleaved runs (SUMO without outputs);
 5. compare travel times, delays, the queue at the busiest gate over time, link inflows and speed;
    print tables and write WORKDIR/results.json and WORKDIR/commands.log.
--demand-factor and --min-link-steps change the case (both tools run the changed one).
With --analytic-bottleneck the case is a two-link bottleneck written here, and both tools are also
compared with deterministic queueing theory.

Standard library only. Nothing is written outside the work directory.
"""

import argparse
import bisect
import csv
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

KMH = 1.0 / 3.6
# SUMO's default minGap (m); only length + minGap matters to meso (MESegment occupancy and headway).
MIN_GAP_M = 2.5
# Taus of the free-flow reference run: SUMO rejects 0 for some, and 1 ms is below its time resolution
# of interest (the headway's length term lengthWithGap / speed still applies, see free_flow_types).
FREE_FLOW_TAU_S = 0.001
# Space of one PCE (length + minGap, m) in the free-flow reference run.
FREE_FLOW_SPACE_M = 0.1


# --------------------------------------------------------------------------------------------
# The case folder
# --------------------------------------------------------------------------------------------

class CaseError(Exception):
    pass


def _read_csv(path, columns):
    if not os.path.exists(path):
        raise CaseError(f"{path}: missing")
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != columns:
            raise CaseError(f"{path}:1: header {header} is not {','.join(columns)}")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(columns):
                raise CaseError(f"{path}:{lineno}: {len(row)} fields, expected {len(columns)}")
            rows.append((lineno, dict(zip(columns, (c.strip() for c in row)))))
        return rows


def read_case(folder):
    """The case as plain dicts and lists. Ids are checked to be 0..n-1 in order."""
    meta = {}
    path = os.path.join(folder, "case.yaml")
    if not os.path.exists(path):
        raise CaseError(f"{path}: missing")
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            text = line.split("#", 1)[0].rstrip()
            if not text.strip():
                continue
            if ":" not in text:
                raise CaseError(f"{path}:{lineno}: not 'key: value'")
            key, value = text.split(":", 1)
            meta[key.strip()] = value.strip().strip('"').strip("'")
    if meta.get("schema") != "sandan-dnl-case" or meta.get("version") != "1":
        raise CaseError(f"{path}: schema {meta.get('schema')} v{meta.get('version')}, "
                        "expected sandan-dnl-case v1")
    case = {"name": meta.get("name", os.path.basename(folder)), "crs": meta.get("crs", "")}
    for key in ("start_s", "end_s", "step_s", "report_s"):
        if key not in meta:
            raise CaseError(f"{path}: {key} missing")
        case[key] = float(meta[key])

    def ids(rows, key, what):
        for index, (lineno, row) in enumerate(rows):
            if int(row[key]) != index:
                raise CaseError(f"{what}:{lineno}: {key} {row[key]}, expected {index} (0-based, in order)")

    def rows_of(name, columns, parse):
        """Parsed rows; a bad number becomes "file:line: message"."""
        rows = _read_csv(os.path.join(folder, name), columns)
        out = []
        for lineno, row in rows:
            try:
                out.append((lineno, parse(row)))
            except (ValueError, KeyError) as error:
                raise CaseError(f"{name}:{lineno}: {error}") from None
        return rows, out

    nodes_rows, parsed = rows_of("nodes.csv", ["node", "x_m", "y_m"],
                                 lambda r: (float(r["x_m"]), float(r["y_m"])))
    ids(nodes_rows, "node", "nodes.csv")
    case["nodes"] = [xy for _, xy in parsed]

    link_cols = ["link", "from", "to", "length_m", "lanes", "free_speed_kmh", "capacity_veh_h",
                 "jam_density_veh_km", "road_id"]
    link_rows, parsed = rows_of("links.csv", link_cols, lambda r: {
        "from": int(r["from"]), "to": int(r["to"]), "length_m": float(r["length_m"]),
        "lanes": int(r["lanes"]), "free_speed_kmh": float(r["free_speed_kmh"]),
        "capacity_veh_h": float(r["capacity_veh_h"]),
        "jam_density_veh_km": float(r["jam_density_veh_km"]), "road_id": r["road_id"]})
    ids(link_rows, "link", "links.csv")
    links = []
    for lineno, link in parsed:
        if not (0 <= link["from"] < len(case["nodes"]) and 0 <= link["to"] < len(case["nodes"])):
            raise CaseError(f"links.csv:{lineno}: unknown node")
        if min(link["length_m"], link["lanes"], link["free_speed_kmh"], link["capacity_veh_h"],
               link["jam_density_veh_km"]) <= 0:
            raise CaseError(f"links.csv:{lineno}: length, lanes, speed, capacity and jam density "
                            "must be positive")
        links.append(link)
    case["links"] = links

    zone_rows, parsed = rows_of("zones.csv", ["zone", "name", "kind", "node"],
                                lambda r: {"name": r["name"], "kind": r["kind"], "node": int(r["node"])})
    ids(zone_rows, "zone", "zones.csv")
    case["zones"] = [z for _, z in parsed]
    for lineno, z in parsed:
        if not 0 <= z["node"] < len(case["nodes"]):
            raise CaseError(f"zones.csv:{lineno}: unknown node {z['node']}")

    veh_cols = ["vehicle", "depart_s", "class", "pce", "origin", "destination", "route"]
    _, parsed = rows_of("vehicles.csv", veh_cols, lambda r: dict(
        r, route=[int(x) for x in r["route"].split()], depart=float(r["depart_s"]), pce_=float(r["pce"]),
        origin_=int(r["origin"]), destination_=int(r["destination"])))
    vehicles = []
    for lineno, r in parsed:
        route = r["route"]
        if not route:
            raise CaseError(f"vehicles.csv:{lineno}: empty route")
        if any(not 0 <= x < len(links) for x in route):
            raise CaseError(f"vehicles.csv:{lineno}: unknown link in the route")
        if not (0 <= r["origin_"] < len(case["zones"]) and 0 <= r["destination_"] < len(case["zones"])):
            raise CaseError(f"vehicles.csv:{lineno}: unknown zone")
        for a, b in zip(route, route[1:]):
            if links[a]["to"] != links[b]["from"]:
                raise CaseError(f"vehicles.csv:{lineno}: links {a} and {b} do not share a node")
        origin, dest = r["origin_"], r["destination_"]
        if links[route[0]]["from"] != case["zones"][origin]["node"] or \
                links[route[-1]]["to"] != case["zones"][dest]["node"]:
            raise CaseError(f"vehicles.csv:{lineno}: route does not leave the origin's node or "
                            "reach the destination's node")
        vehicles.append({"id": r["vehicle"], "depart_s": r["depart"], "class": r["class"],
                         "pce": r["pce_"], "origin": origin, "destination": dest, "route": route})
    case["vehicles"] = vehicles
    return case


def write_case(case, folder):
    """Writes a case folder (used for the analytic bottleneck)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "case.yaml"), "w", encoding="utf-8") as handle:
        handle.write(f"schema: sandan-dnl-case\nversion: 1\nname: {case['name']}\ncrs: {case['crs']}\n"
                     f"start_s: {case['start_s']:g}\nend_s: {case['end_s']:g}\n"
                     f"step_s: {case['step_s']:g}\nreport_s: {case['report_s']:g}\n")
    with open(os.path.join(folder, "nodes.csv"), "w", encoding="utf-8") as handle:
        handle.write("node,x_m,y_m\n")
        for i, (x, y) in enumerate(case["nodes"]):
            handle.write(f"{i},{x:g},{y:g}\n")
    with open(os.path.join(folder, "links.csv"), "w", encoding="utf-8") as handle:
        handle.write("link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n")
        for i, l in enumerate(case["links"]):
            handle.write(f"{i},{l['from']},{l['to']},{l['length_m']:g},{l['lanes']},{l['free_speed_kmh']:g},"
                         f"{l['capacity_veh_h']:g},{l['jam_density_veh_km']:g},{l['road_id']}\n")
    with open(os.path.join(folder, "zones.csv"), "w", encoding="utf-8") as handle:
        handle.write("zone,name,kind,node\n")
        for i, z in enumerate(case["zones"]):
            handle.write(f"{i},{z['name']},{z['kind']},{z['node']}\n")
    with open(os.path.join(folder, "vehicles.csv"), "w", encoding="utf-8") as handle:
        handle.write("vehicle,depart_s,class,pce,origin,destination,route\n")
        for v in case["vehicles"]:
            handle.write(f"{v['id']},{v['depart_s']:g},{v['class']},{v['pce']:g},{v['origin']},"
                         f"{v['destination']},{' '.join(str(x) for x in v['route'])}\n")


def analytic_bottleneck_case(args):
    """A two-link bottleneck: `--ab-demand` veh/h (default 1,800) depart evenly for `--ab-minutes`
    (15) onto a 2-lane entry link of 1,800 PCE/h a lane that feeds a 1-lane link of `--ab-capacity`
    (1,200) veh/h, then a 2-lane exit link. Every link has 50 km/h and 145 veh/km a lane (the storage
    of the entry link, 2 × 1.2 km × 145 = 348 vehicles, holds the 150-vehicle queue, so nothing spills
    back to the origin)."""
    headway = 3600.0 / args.ab_demand
    count = int(round(args.ab_minutes * 60.0 / headway))
    speed, kj = 50.0, 145.0
    links = [
        {"from": 0, "to": 1, "length_m": 1200.0, "lanes": 2, "free_speed_kmh": speed,
         "capacity_veh_h": 3600.0, "jam_density_veh_km": 2 * kj, "road_id": "entry"},
        {"from": 1, "to": 2, "length_m": 500.0, "lanes": 1, "free_speed_kmh": speed,
         "capacity_veh_h": args.ab_capacity, "jam_density_veh_km": kj, "road_id": "bottleneck"},
        {"from": 2, "to": 3, "length_m": 500.0, "lanes": 2, "free_speed_kmh": speed,
         "capacity_veh_h": 3600.0, "jam_density_veh_km": 2 * kj, "road_id": "exit"},
    ]
    vehicles = [{"id": str(n), "depart_s": n * headway, "class": "car", "pce": 1.0, "origin": 0,
                 "destination": 1, "route": [0, 1, 2]} for n in range(count)]
    return {"name": "analytic-bottleneck", "crs": "EPSG:5186", "start_s": 0.0,
            "end_s": 3600.0, "step_s": 1.0, "report_s": 60.0,
            "nodes": [(0.0, 0.0), (1200.0, 0.0), (1700.0, 0.0), (2200.0, 0.0)],
            "links": links,
            "zones": [{"name": "origin", "kind": "facility", "node": 0},
                      {"name": "destination", "kind": "gate", "node": 3}],
            "vehicles": vehicles}


def analytic_merge_case(args):
    """A merge: two origins A and B each send 1,800 veh/h (one every 2 s) for `--ab-minutes` (15)
    onto their own 1.5 km, 1-lane link of 1,800 veh/h, which merge into one 1-lane link of 1,800
    veh/h. Every link 50 km/h, 145 veh/km (each input link stores 217 vehicles)."""
    speed, kj, cap = 50.0, 145.0, 1800.0
    link = {"lanes": 1, "free_speed_kmh": speed, "capacity_veh_h": cap, "jam_density_veh_km": kj}
    links = [dict(link, **{"from": 0, "to": 2}, length_m=1500.0, road_id="a"),
             dict(link, **{"from": 1, "to": 2}, length_m=1500.0, road_id="b"),
             dict(link, **{"from": 2, "to": 3}, length_m=500.0, road_id="merged")]
    count = int(round(args.ab_minutes * 60.0 / 2.0))
    vehicles = []
    for n in range(count):
        for origin in (0, 1):
            vehicles.append({"id": str(len(vehicles)), "depart_s": n * 2.0, "class": "car", "pce": 1.0,
                             "origin": origin, "destination": 2, "route": [origin, 2]})
    return {"name": "analytic-merge", "crs": "EPSG:5186", "start_s": 0.0, "end_s": 3600.0,
            "step_s": 1.0, "report_s": 60.0,
            "nodes": [(0.0, 0.0), (0.0, 3000.0), (1500.0, 1500.0), (2000.0, 1500.0)],
            "links": links,
            "zones": [{"name": "A", "kind": "facility", "node": 0},
                      {"name": "B", "kind": "facility", "node": 1},
                      {"name": "out", "kind": "gate", "node": 3}],
            "vehicles": vehicles}


def merge_theory(case):
    """A capacity-proportional merge (Daganzo 1995, "The cell transmission model, part II: network
    traffic", Transportation Research B 29(2); Tampère et al. 2011, Transportation Research B
    45(1)): while both inputs are queued each gets C_i / (C_a + C_b) of the outflow, here half of
    1,800 veh/h. Vehicle n of each origin (0-based, every 2 s) then enters the merged link every
    4 s and waits n × (4 − 2) = 2n seconds; both origins have the same mean delay. A priority to one
    input would give it no delay and the other twice the mean."""
    delays = []
    arrive = []
    enter = []
    for v in case["vehicles"]:
        n = int(round(v["depart_s"] / 2.0))
        a = v["depart_s"] + case["links"][v["route"][0]]["length_m"] / (50.0 * KMH)
        arrive.append(a)
        enter.append(a + 2.0 * n)
        delays.append(2.0 * n)

    def queue_at(t):
        return sum(1 for a, s_ in zip(arrive, enter) if a <= t < s_)

    return {"delays": delays, "queue_at": queue_at, "mean_delay_s": statistics.mean(delays),
            "max_delay_s": max(delays), "total_delay_veh_h": sum(delays) / 3600.0,
            "peak_queue_veh": max(queue_at(a) for a in arrive[-2:]),
            "peak_time_s": arrive[-1], "clears_s": max(enter)}


def bottleneck_theory(case, args):
    """Deterministic queueing (point queue; Newell 1982, "Applications of Queueing Theory", 2nd ed.):
    vehicle n (0-based) reaches the bottleneck at a_n = t_n + L_entry/v and enters it at
    s_n = max(a_n, s_{n-1} + 1/μ); its delay is s_n − a_n = n (1/μ − 1/λ) while the queue lasts. The
    queue (vehicles that have reached the bottleneck but not entered it) grows at λ − μ and clears at
    μ; it peaks at the end of the arrivals, (λ − μ) T."""
    mu_s = 3600.0 / args.ab_capacity
    entry = case["links"][0]
    to_bottleneck = entry["length_m"] / (entry["free_speed_kmh"] * KMH)
    delays = []
    last = -math.inf
    arrive, enter = [], []
    for v in case["vehicles"]:
        a = v["depart_s"] + to_bottleneck
        s = max(a, last + mu_s)
        last = s
        arrive.append(a)
        enter.append(s)
        delays.append(s - a)
    lam = args.ab_demand
    mu = args.ab_capacity
    peak = (lam - mu) * args.ab_minutes / 60.0
    clears_s = arrive[0] + len(case["vehicles"]) * mu_s

    def queue_at(t):
        return sum(1 for a, s in zip(arrive, enter) if a <= t < s)

    return {"delays": delays, "queue_at": queue_at, "peak_queue_veh": peak,
            "peak_time_s": arrive[0] + args.ab_minutes * 60.0, "clears_s": clears_s,
            "mean_delay_s": statistics.mean(delays), "max_delay_s": max(delays),
            "total_delay_veh_h": sum(delays) / 3600.0}


# --------------------------------------------------------------------------------------------
# Calibration: the triangular fundamental diagram → SUMO meso headways
# --------------------------------------------------------------------------------------------

def vehicle_space_m(case):
    """Length + minGap of one PCE, from the jam density a lane: 1000 / k_jam,lane. SUMO meso has one
    value a vType, not a link, so the network's median is used; the spread is reported."""
    per_lane = sorted(l["jam_density_veh_km"] / l["lanes"] for l in case["links"])
    median = statistics.median(per_lane)
    return 1000.0 / median, {"jam_density_per_lane_min": per_lane[0],
                             "jam_density_per_lane_median": median,
                             "jam_density_per_lane_max": per_lane[-1]}


def meso_taus(link, space_m, capacity_factor):
    """SUMO meso (MESegment, SUMO 1.15; Eissfeldt 2004, "Vehicle-based modelling of traffic", PhD
    thesis, Univ. Köln, p. 90 and 151 ff.) lets a vehicle leave a segment a headway after its leader:
    (τ + lengthWithGap / v) per lane, τ one of τ_ff, τ_fj, τ_jf, τ_jj by whether this and the next
    segment are free or jammed. Per lane, capacity C_lane = 3600 / (τ_ff + s / v) with s the space
    of a vehicle, so τ_ff = 3600 / C_lane − s / v. A triangular diagram has no capacity drop: a queue
    discharges at capacity, so τ_jf = τ_fj = τ_ff (SUMO's defaults 1.13/1.13/1.73 s model a drop).
    τ_jj sets how fast space moves back through a jammed segment: one vehicle space s every τ_jj,
    so the backward wave speed is w = s / τ_jj, and τ_jj = s / w with the case's
    w = C / (k_jam − C / v)."""
    v_ms = link["free_speed_kmh"] * KMH
    c_lane = link["capacity_veh_h"] * capacity_factor / link["lanes"]
    tau_ff = 3600.0 / c_lane - space_m / v_ms
    w_kmh = link["capacity_veh_h"] / (link["jam_density_veh_km"]
                                      - link["capacity_veh_h"] / link["free_speed_kmh"])
    tau_jj = space_m / (w_kmh * KMH)
    return {"tauff": tau_ff, "taufj": tau_ff, "taujf": tau_ff, "taujj": tau_jj, "w_kmh": w_kmh}


def diagram_key(link):
    return (round(link["capacity_veh_h"] / link["lanes"], 3), round(link["free_speed_kmh"], 3),
            round(link["jam_density_veh_km"] / link["lanes"], 3))


# --------------------------------------------------------------------------------------------
# Case → SUMO
# --------------------------------------------------------------------------------------------

def write_xml(root, path):
    if hasattr(ET, "indent"):
        ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def edge_id(link_index):
    return f"l{link_index}"


def write_network_files(case, folder):
    """nodes, edges (explicit length, speed, lanes, type = its fundamental diagram) and every
    connection a route uses. Returns the expected connections and the type of every link."""
    os.makedirs(folder, exist_ok=True)
    nodes = ET.Element("nodes")
    x0 = min(x for x, _ in case["nodes"]) if case["nodes"] else 0.0
    y0 = min(y for _, y in case["nodes"]) if case["nodes"] else 0.0
    for i, (x, y) in enumerate(case["nodes"]):
        ET.SubElement(nodes, "node", id=f"n{i}", x=f"{x - x0:.3f}", y=f"{y - y0:.3f}", type="priority")
    write_xml(nodes, os.path.join(folder, "nodes.nod.xml"))

    keys = {}
    for link in case["links"]:
        keys.setdefault(diagram_key(link), f"fd{len(keys)}")
    types = ET.Element("types")
    for key, tid in keys.items():
        ET.SubElement(types, "type", id=tid, priority="-1", numLanes="1", speed=f"{key[1] * KMH:.9g}")
    write_xml(types, os.path.join(folder, "types.typ.xml"))

    edges = ET.Element("edges")
    link_type = []
    for i, link in enumerate(case["links"]):
        tid = keys[diagram_key(link)]
        link_type.append(tid)
        ET.SubElement(edges, "edge", attrib={
            "id": edge_id(i), "from": f"n{link['from']}", "to": f"n{link['to']}", "type": tid,
            "priority": "-1", "numLanes": str(link["lanes"]),
            "speed": f"{link['free_speed_kmh'] * KMH:.9g}", "length": f"{link['length_m']:.9g}"})
    write_xml(edges, os.path.join(folder, "edges.edg.xml"))

    used = set()
    for v in case["vehicles"]:
        for a, b in zip(v["route"], v["route"][1:]):
            used.add((edge_id(a), edge_id(b)))
    conns = ET.Element("connections")
    for a, b in sorted(used):
        ET.SubElement(conns, "connection", attrib={"from": a, "to": b})
    write_xml(conns, os.path.join(folder, "connections.con.xml"))
    return used, link_type, keys


def check_net(case, net_path, used):
    tree = ET.parse(net_path)
    lanes = {}
    for edge in tree.getroot().iter("edge"):
        if edge.get("function") == "internal":
            continue
        ls = edge.findall("lane")
        if ls:
            lanes[edge.get("id")] = (float(ls[0].get("length")), float(ls[0].get("speed")), len(ls))
    conns = set()
    for conn in tree.getroot().iter("connection"):
        frm, to = conn.get("from"), conn.get("to")
        if frm and to and not frm.startswith(":"):
            conns.add((frm, to))
    max_len = max_speed = 0.0
    wrong_lanes = []
    missing = []
    for i, link in enumerate(case["links"]):
        got = lanes.get(edge_id(i))
        if got is None:
            missing.append(edge_id(i))
            continue
        max_len = max(max_len, abs(got[0] - link["length_m"]) / link["length_m"])
        v = link["free_speed_kmh"] * KMH
        max_speed = max(max_speed, abs(got[1] - v) / v)
        if got[2] != link["lanes"]:
            wrong_lanes.append(edge_id(i))
    internal = sum(1 for e in tree.getroot().iter("edge") if e.get("function") == "internal")
    return {"edges": len(lanes), "missing_edges": missing, "internal_edges": internal,
            "max_rel_length_error": max_len, "max_rel_speed_error": max_speed,
            "wrong_lane_counts": wrong_lanes, "connections_used_by_routes": len(used),
            "connections_missing": sorted(used - conns)[:20],
            "connections_built": len(conns)}


def vtype_id(cls, pce):
    return f"{cls}_pce{pce:g}"


def write_routes(case, path, space_m):
    """One vType a (class, PCE): lengthWithGap = PCE × the space of one PCE, speedFactor 1 with no
    deviation (every vehicle drives the edge speed, as in the DNL); vehicles sorted by depart with
    their explicit route. departLane/departSpeed: meso puts a departing vehicle into the first
    segment's queue (one queue a segment, --meso-multi-queue false) and ignores lane and speed, so
    they are left at SUMO's defaults; departPos stays at the edge's start ("base"), so a vehicle drives
    its whole first link, as in the DNL."""
    root = ET.Element("routes")
    seen = {}
    for v in case["vehicles"]:
        key = vtype_id(v["class"], v["pce"])
        if key not in seen:
            seen[key] = v["pce"] * space_m
    for key, length_with_gap in seen.items():
        length = max(length_with_gap - MIN_GAP_M, min(0.1, length_with_gap))
        ET.SubElement(root, "vType", attrib={
            "id": key, "length": f"{length:.6g}", "minGap": f"{length_with_gap - length:.6g}",
            "speedFactor": "1", "speedDev": "0", "maxSpeed": "100", "vClass": "passenger"})
    order = sorted(range(len(case["vehicles"])),
                   key=lambda i: (case["vehicles"][i]["depart_s"], i))
    for i in order:
        v = case["vehicles"][i]
        veh = ET.SubElement(root, "vehicle", attrib={
            "id": v["id"], "depart": f"{v['depart_s']:.3f}", "type": vtype_id(v["class"], v["pce"])})
        ET.SubElement(veh, "route", edges=" ".join(edge_id(x) for x in v["route"]))
    write_xml(root, path)
    return seen


def write_meso_types(case, keys, space_m, capacity_factor, path, free_flow=False):
    root = ET.Element("additional")
    taus = {}
    for key, tid in keys.items():
        fake = {"capacity_veh_h": key[0], "lanes": 1, "free_speed_kmh": key[1],
                "jam_density_veh_km": key[2]}
        t = meso_taus(fake, space_m, capacity_factor)
        if free_flow:
            t = {k: (FREE_FLOW_TAU_S if k.startswith("tau") else val) for k, val in t.items()}
        if t["tauff"] < FREE_FLOW_TAU_S:
            # e.g. a zone connector of "unlimited" capacity: SUMO meso's headway is at least
            # lengthWithGap / v a lane, so its capacity is capped at v / lengthWithGap a lane.
            t["capped_capacity_veh_h_lane"] = 3600.0 / (FREE_FLOW_TAU_S + space_m / (key[1] * KMH))
            t["tauff"] = t["taufj"] = t["taujf"] = FREE_FLOW_TAU_S
            t["taujj"] = max(t["taujj"], FREE_FLOW_TAU_S)
        taus[tid] = t
        typ = ET.SubElement(root, "type", id=tid)
        ET.SubElement(typ, "meso", attrib={k: f"{t[k]:.6g}" for k in ("tauff", "taufj", "taujf", "taujj")})
    write_xml(root, path)
    return taus


def write_edgedata(path, report_s, out_name):
    root = ET.Element("additional")
    ET.SubElement(root, "edgeData", id="report", period=f"{report_s:g}", file=out_name,
                  excludeEmpty="true")
    write_xml(root, path)


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

def run_timed(cmd, cwd, log_path, env=None, check=True):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + f"\n# exit {proc.returncode}, {wall:.4f} s wall\n")
        log.write(proc.stdout[-20000:])
        log.write(proc.stderr[-20000:])
        log.write("\n")
    if check and proc.returncode != 0:
        sys.exit(f"meso.py: command failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return wall, proc


def sumo_env():
    env = dict(os.environ)
    env.setdefault("SUMO_HOME", "/usr/share/sumo")
    return env


def tool(name):
    path = shutil.which(name)
    if not path:
        sys.exit(f"meso.py: {name} not found (apt-get install -y sumo sumo-tools)")
    return path


def run_sumo(case, net_path, routes_path, types_path, folder, args, log_path, repeat):
    """One `sumo --mesosim` run; returns its outputs read back and its timings."""
    os.makedirs(folder, exist_ok=True)
    edgedata = os.path.join(folder, "edgedata.add.xml")
    write_edgedata(edgedata, case["report_s"], "edgedata.xml")
    cmd = [tool("sumo"), "--mesosim", "-n", net_path, "-r", routes_path,
           "-a", f"{types_path},{edgedata}",
           "--begin", f"{case['start_s']:g}", "--end", f"{case['end_s']:g}",
           "--step-length", f"{case['step_s']:g}",
           "--meso-edgelength", f"{args.edgelength:g}",
           "--meso-multi-queue", "false", "--meso-junction-control", "false",
           "--meso-overtaking", "false",
           "--time-to-teleport", "-1", "--seed", str(args.seed),
           "--tripinfo-output", "tripinfo.xml", "--tripinfo-output.write-unfinished",
           "--vehroute-output", "vehroutes.xml", "--vehroute-output.exit-times",
           "--vehroute-output.write-unfinished",
           "--no-step-log", "--duration-log.statistics"]
    walls, durations, ups = [], [], []
    proc = None
    for _ in range(repeat):
        wall, proc = run_timed(cmd, folder, log_path, sumo_env())
        walls.append(wall)
        text = proc.stdout + proc.stderr
        m = re.search(r"Duration:\s*([\d.]+)\s*(ms|s)", text)
        if m:
            durations.append(float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0))
        m = re.search(r"UPS:\s*([\d.]+)", text)
        if m:
            ups.append(float(m.group(1)))
    warnings = [l for l in (proc.stdout + proc.stderr).splitlines() if l.startswith("Warning")]
    trips = read_tripinfo(os.path.join(folder, "tripinfo.xml"))
    routes = read_vehroutes(os.path.join(folder, "vehroutes.xml"))
    return {"cmd": cmd, "wall": walls, "duration_s": durations, "ups": ups, "trips": trips,
            "routes": routes, "warnings": warnings[:10], "warning_count": len(warnings)}


def read_edgedata(path):
    """SUMO's vehicles entering each edge a report interval: {(begin_s, link): entered + departed}."""
    out = {}
    for interval in ET.parse(path).getroot().iter("interval"):
        begin = float(interval.get("begin"))
        for edge in interval.iter("edge"):
            # vehicles inserted on an edge count as "departed", not "entered"
            out[(begin, int(edge.get("id")[1:]))] = (float(edge.get("entered", "0"))
                                                     + float(edge.get("departed", "0")))
    return out


def read_tripinfo(path):
    out = {}
    for trip in ET.parse(path).getroot().iter("tripinfo"):
        arrival = float(trip.get("arrival", "-1"))
        depart = float(trip.get("depart", "-1"))
        delay = float(trip.get("departDelay", "0"))
        out[trip.get("id")] = {"depart": depart, "depart_delay": delay,
                               "arrival": arrival if arrival >= 0 else None,
                               "duration": float(trip.get("duration", "nan"))}
    return out


def read_vehroutes(path):
    """Edge entry and exit times of every vehicle: exit times from --vehroute-output.exit-times, the
    entry of an edge is the exit of the one before (of the first edge: the actual depart)."""
    out = {}
    for veh in ET.parse(path).getroot().iter("vehicle"):
        route = veh.find("route")
        if route is None or route.get("exitTimes") is None:
            continue
        edges = route.get("edges").split()
        exits = [float(x) for x in route.get("exitTimes").split()]
        out[veh.get("id")] = (float(veh.get("depart")), edges, exits)
    return out


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------

def percentile(values, q):
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = math.floor(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def stats(values):
    if not values:
        return {"n": 0, "mean": math.nan, "median": math.nan, "p95": math.nan, "max": math.nan}
    return {"n": len(values), "mean": statistics.mean(values), "median": statistics.median(values),
            "p95": percentile(values, 0.95), "max": max(values)}


def free_flow_s(case, v):
    return sum(case["links"][x]["length_m"] / (case["links"][x]["free_speed_kmh"] * KMH) for x in v["route"])


def sumo_vehicle_times(case, run, ff_run):
    """Per vehicle (case order): travel time from the case's depart to arrival (origin wait
    included) and delay over SUMO's own free-flow time of the same vehicle (the run without
    interactions; it differs from Σ L/v because meso ends a trip on entering the last segment of the
    last link and inserts at whole steps)."""
    tt, delay, formula, wait = [], [], [], []
    for v in case["vehicles"]:
        t = run["trips"].get(v["id"])
        f = ff_run["trips"].get(v["id"]) if ff_run else None
        if t is None or t["arrival"] is None:
            tt.append(None)
            delay.append(None)
            formula.append(None)
            wait.append(t["depart_delay"] if t else None)
            continue
        travel = t["arrival"] - v["depart_s"]
        tt.append(travel)
        own_ff = (f["arrival"] - v["depart_s"]) if f and f["arrival"] is not None else free_flow_s(case, v)
        delay.append(travel - own_ff)
        formula.append(travel - free_flow_s(case, v))
        wait.append(t["depart"] - v["depart_s"])
    return {"tt": tt, "delay": delay, "delay_formula": formula, "wait": wait}


def read_travel_times(out_dir, case):
    """sandan's travel time of every vehicle (case order; None if unfinished)."""
    by_id = {}
    with open(os.path.join(out_dir, "vehicles.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_id[row["vehicle"]] = row.get("travel_time_s") or None
    return [float(by_id[v["id"]]) if by_id.get(v["id"]) else None for v in case["vehicles"]]


def free_flow_case(case, factor=1000.0):
    """The case with every capacity and jam density × factor: no queues anywhere, the backward wave
    speed w = C / (k_jam − C / v) unchanged. sandan's travel times in it are its own free-flow times
    (they include its time discretization, as SUMO's free_flow run includes meso's)."""
    out = dict(case)
    out["links"] = [dict(l, capacity_veh_h=l["capacity_veh_h"] * factor,
                         jam_density_veh_km=l["jam_density_veh_km"] * factor) for l in case["links"]]
    return out


def read_sandan(out_dir, case, ff_tt=None):
    by_id = {}
    with open(os.path.join(out_dir, "vehicles.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_id[row["vehicle"]] = row
    tt, delay, formula, wait, entered = [], [], [], [], []
    for k, v in enumerate(case["vehicles"]):
        row = by_id.get(v["id"])
        if row is None or not row.get("arrived_s"):
            tt.append(None)
            delay.append(None)
            formula.append(None)
        else:
            travel = float(row["travel_time_s"])
            tt.append(travel)
            formula.append(travel - float(row["free_flow_time_s"]))
            own = ff_tt[k] if ff_tt and ff_tt[k] is not None else float(row["free_flow_time_s"])
            delay.append(travel - own)
        if row is not None and row.get("entered_s"):
            entered.append(float(row["entered_s"]))
            wait.append(float(row["entered_s"]) - v["depart_s"])
        else:
            entered.append(None)
            wait.append(None)
    queue, inflow = {}, {}
    with open(os.path.join(out_dir, "links.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            queue[(float(row["t_s"]), int(row["link"]))] = float(row["queue_veh"])
            inflow[(float(row["t_s"]), int(row["link"]))] = float(row["inflow_veh"])
    with open(os.path.join(out_dir, "summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    return {"tt": tt, "delay": delay, "delay_formula": formula, "wait": wait, "entered": entered,
            "queue": queue, "inflow": inflow,
            "summary": summary, "rows": len(by_id)}


def busiest_gate(case, chosen):
    if chosen is not None:
        return chosen
    count = {}
    for v in case["vehicles"]:
        for z in (v["origin"], v["destination"]):
            if case["zones"][z]["kind"] == "gate":
                count[z] = count.get(z, 0) + 1
    if not count:
        for v in case["vehicles"]:
            for z in (v["origin"], v["destination"]):
                count[z] = count.get(z, 0) + 1
    return max(count, key=lambda z: (count[z], -z))


def sumo_link_queue(case, run, links, times):
    """Vehicles queued on `links` at each time t, defined as in the DNL: on the link, past the time
    they would have reached its end at free speed (entry + L/v ≤ t), not yet left (t < exit)."""
    wanted = {edge_id(l): l for l in links}
    starts, ends = [], []
    for depart, edges, exits in run["routes"].values():
        entry = depart
        for e, x in zip(edges, exits):
            if e in wanted:
                link = case["links"][wanted[e]]
                a = entry + link["length_m"] / (link["free_speed_kmh"] * KMH)
                if a < x:
                    starts.append(a)
                    ends.append(x)
            entry = x
    return count_open(starts, ends, times)


def count_open(starts, ends, times):
    """How many intervals [a, b) hold each t (every a < b): #(a ≤ t) − #(b ≤ t)."""
    starts = sorted(starts)
    ends = sorted(ends)
    return [bisect.bisect_right(starts, t) - bisect.bisect_right(ends, t) for t in times]


def origin_queue(case, node, wait_until, times):
    """Vehicles held back at their origin on the way through the gate: those whose route starts at
    or passes through the gate's node, departed (case depart ≤ t) but not yet on their first link
    (t < entry). At a shift end the gate road's capacity holds the facilities' vehicles back there."""
    starts, ends = [], []
    for v, entry in zip(case["vehicles"], wait_until):
        if entry is None or entry <= v["depart_s"]:
            continue
        if any(case["links"][x]["from"] == node for x in v["route"]):
            starts.append(v["depart_s"])
            ends.append(entry)
    return count_open(starts, ends, times)


def diffs(a_list, b_list):
    pairs = [(a, b) for a, b in zip(a_list, b_list) if a is not None and b is not None]
    if not pairs:
        return {"pairs": 0}
    abs_d = [abs(a - b) for a, b in pairs]
    mean_b = statistics.mean(b for _, b in pairs)
    return {"pairs": len(pairs), "mean_abs_diff": statistics.mean(abs_d),
            "mean_diff": statistics.mean(a - b for a, b in pairs),
            "rel_mean_abs_diff": statistics.mean(abs_d) / mean_b if mean_b else math.nan}


def groups(case):
    """(label, vehicle indices): all, each class, each origin zone kind."""
    out = [("all", list(range(len(case["vehicles"]))))]
    by_class, by_kind = {}, {}
    for i, v in enumerate(case["vehicles"]):
        by_class.setdefault(v["class"], []).append(i)
        by_kind.setdefault(case["zones"][v["origin"]]["kind"], []).append(i)
    out += [(f"class {k}", idx) for k, idx in sorted(by_class.items())]
    out += [(f"from {k}", idx) for k, idx in sorted(by_kind.items())]
    by_zone = {}
    for i, v in enumerate(case["vehicles"]):
        by_zone.setdefault(v["origin"], []).append(i)
    if 1 < len(by_zone) <= 4:
        out += [(f"from zone {case['zones'][z]['name']}", idx) for z, idx in sorted(by_zone.items())]
    return out


def pick(values, idx):
    return [values[i] for i in idx if values[i] is not None]


def vehicle_steps(case, begin_end):
    """Σ over steps of the vehicles on the road = Σ (time on the road) / step."""
    return sum(max(0.0, b - a) for a, b in begin_end) / case["step_s"]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def fmt(x, spec=".1f"):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", nargs="?", help="DNL case folder (not with --analytic-bottleneck)")
    parser.add_argument("sandan", nargs="?", default="-",
                        help="sandan executable with `dnl`, or - for the SUMO side only")
    parser.add_argument("--analytic-bottleneck", action="store_true",
                        help="write and run the two-link bottleneck case and compare with theory")
    parser.add_argument("--analytic-merge", action="store_true",
                        help="write and run a two-input merge case and compare with a "
                             "capacity-proportional merge")
    parser.add_argument("--ab-demand", type=float, default=1800.0, help="bottleneck demand, veh/h")
    parser.add_argument("--ab-capacity", type=float, default=1200.0, help="bottleneck capacity, veh/h")
    parser.add_argument("--ab-minutes", type=float, default=15.0, help="bottleneck demand duration")
    parser.add_argument("--edgelength", type=float, default=98.0, help="--meso-edgelength (m)")
    parser.add_argument("--band", type=float, default=0.05,
                        help="capacity variation of the calibration-error runs (fraction)")
    parser.add_argument("--gate", type=int, default=None, help="zone id of the gate to watch")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each tool (median)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--demand-factor", type=int, default=1,
                        help="every vehicle K times on the same route and departure (renumbered; "
                             "both tools run the changed case), for a congested test")
    parser.add_argument("--min-link-steps", type=float, default=0.0,
                        help="diagnostic: lengthen every link shorter than this many steps at free "
                             "speed to that length (both tools run the changed case)")
    parser.add_argument("--pce-one", action="store_true",
                        help="every vehicle counted as one passenger car (PCE 1) in both tools: SUMO "
                             "1.15 meso has no headway by vehicle type, so this is the comparison of "
                             "the same vehicle model (the changed case is run by both tools)")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    analytic = args.analytic_bottleneck or args.analytic_merge
    if analytic:
        # one positional: the executable
        if args.case and args.sandan == "-":
            args.sandan, args.case = args.case, None
    elif not args.case:
        parser.error("a case folder is needed (or --analytic-bottleneck)")

    workdir = args.workdir or tempfile.mkdtemp(prefix="sandan_meso_")
    os.makedirs(workdir, exist_ok=True)
    log_path = os.path.join(workdir, "commands.log")
    print(f"work directory: {workdir}")

    case_dir = os.path.join(workdir, "case")
    if analytic:
        case = analytic_bottleneck_case(args) if args.analytic_bottleneck else analytic_merge_case(args)
        write_case(case, case_dir)
    else:
        if os.path.abspath(args.case) != os.path.abspath(case_dir):
            shutil.copytree(args.case, case_dir, dirs_exist_ok=True)
        try:
            case = read_case(case_dir)
        except (CaseError, ValueError, KeyError, IndexError) as error:
            sys.exit(f"meso.py: {case_dir}: {error}")
        if args.demand_factor > 1:
            copies = [(v["depart_s"], i, k) for i, v in enumerate(case["vehicles"])
                      for k in range(args.demand_factor)]
            copies.sort()
            case["vehicles"] = [dict(case["vehicles"][i], id=str(n)) for n, (_, i, _) in enumerate(copies)]
            case["name"] += f" x{args.demand_factor}"
            write_case(case, case_dir)
            print(f"--demand-factor {args.demand_factor}: {len(case['vehicles'])} vehicles "
                  f"(the case in {case_dir} is the changed one)")
        if args.pce_one:
            trucks = sum(1 for v in case["vehicles"] if v["pce"] != 1.0)
            for v in case["vehicles"]:
                v["pce"] = 1.0
            case["name"] += " pce1"
            write_case(case, case_dir)
            print(f"--pce-one: {trucks} vehicles of more than one PCE counted as one (the case in "
                  f"{case_dir} is the changed one)")
        if args.min_link_steps > 0:
            changed = 0
            for link in case["links"]:
                shortest = args.min_link_steps * case["step_s"] * link["free_speed_kmh"] * KMH
                if link["length_m"] < shortest:
                    link["length_m"] = shortest
                    changed += 1
            write_case(case, case_dir)
            print(f"--min-link-steps {args.min_link_steps:g}: {changed} links lengthened to "
                  f"{args.min_link_steps:g} steps at free speed (the case in {case_dir} is the changed one)")
    print(f"case {case['name']}: {len(case['nodes'])} nodes, {len(case['links'])} links, "
          f"{len(case['zones'])} zones, {len(case['vehicles'])} vehicles, "
          f"{case['start_s']:g}–{case['end_s']:g} s")

    short = sum(1 for l in case["links"] if l["length_m"] < l["free_speed_kmh"] * KMH * case["step_s"])
    tiny = sum(1 for l in case["links"] if l["jam_density_veh_km"] * l["length_m"] / 1000.0 < 1.0)
    if short:
        # The LTM needs Δt ≤ L / v (Yperman 2007); a DNL with discrete vehicles passes about one
        # vehicle a step through a link that stores less than one (see the README).
        print(f"note: {short} links are shorter than one step at free speed, {tiny} store less than one PCE")
    results = {"case": case["name"], "workdir": workdir, "args": vars(args),
               "links_shorter_than_one_step": short, "links_storing_less_than_one_pce": tiny,
               "sumo_version": "", "sumo": {}, "sandan": None}
    _, proc = run_timed([tool("sumo"), "--version"], workdir, log_path, sumo_env())
    results["sumo_version"] = proc.stdout.splitlines()[0] if proc.stdout else ""

    # ---- 1. network and routes ---------------------------------------------------------------
    sumo_dir = os.path.join(workdir, "sumo")
    used, link_type, keys = write_network_files(case, sumo_dir)
    net_path = os.path.join(sumo_dir, "net.net.xml")
    wall, _ = run_timed([tool("netconvert"), "--node-files", "nodes.nod.xml",
                         "--edge-files", "edges.edg.xml", "--type-files", "types.typ.xml",
                         "--connection-files", "connections.con.xml", "--no-internal-links",
                         "--no-turnarounds", "false", "--precision", "6", "--output-file", "net.net.xml"],
                        sumo_dir, log_path, sumo_env())
    check = check_net(case, net_path, used)
    check["netconvert_s"] = wall
    results["net_check"] = check
    print(f"netconvert {wall:.2f} s: {check['edges']} edges, {check['internal_edges']} internal, "
          f"length error {check['max_rel_length_error']:.1e}, speed error {check['max_rel_speed_error']:.1e}, "
          f"{check['connections_used_by_routes'] - len(check['connections_missing'])} of "
          f"{check['connections_used_by_routes']} route connections built")
    if check["missing_edges"] or check["connections_missing"] or check["wrong_lane_counts"]:
        sys.exit(f"meso.py: the built network differs from the case: {check}")

    space_m, space_info = vehicle_space_m(case)
    results["calibration"] = {"space_per_pce_m": space_m, **space_info,
                              "edgelength_m": args.edgelength, "band": args.band}
    routes_path = os.path.join(sumo_dir, "routes.rou.xml")
    vtypes = write_routes(case, routes_path, space_m)
    results["calibration"]["vtypes_length_with_gap_m"] = vtypes

    # ---- 2. SUMO runs --------------------------------------------------------------------------
    runs = {}
    for label, factor, free in (("nominal", 1.0, False), ("capacity_minus", 1.0 - args.band, False),
                                ("capacity_plus", 1.0 + args.band, False), ("free_flow", 1.0, True)):
        types_path = os.path.join(sumo_dir, f"meso_{label}.add.xml")
        try:
            taus = write_meso_types(case, keys, space_m, factor, types_path, free_flow=free)
        except CaseError as error:
            sys.exit(f"meso.py: {error}")
        repeat = 1
        routes = routes_path
        if free:
            # Vehicles of FREE_FLOW_SPACE_M a PCE: headways τ + s/v of about 10 ms, so that no
            # vehicle waits for another, even when hundreds depart in the same second.
            routes = os.path.join(sumo_dir, "routes_free_flow.rou.xml")
            write_routes(case, routes, FREE_FLOW_SPACE_M)
        run = run_sumo(case, net_path, routes, types_path, os.path.join(sumo_dir, label),
                       args, log_path, repeat)
        run["taus"] = taus
        runs[label] = run
        arrived = sum(1 for t in run["trips"].values() if t["arrival"] is not None)
        print(f"sumo meso {label:15s} wall {statistics.median(run['wall']):.2f} s, "
              f"duration {fmt(statistics.median(run['duration_s']) if run['duration_s'] else None, '.2f')} s, "
              f"UPS {fmt(statistics.median(run['ups']) if run['ups'] else None, '.0f')}, "
              f"arrived {arrived} of {len(case['vehicles'])}, warnings {run['warning_count']}")
    results["calibration"]["taus_by_type"] = runs["nominal"]["taus"]

    # ---- 3. sandan ----------------------------------------------------------------------------
    sandan = None
    if args.sandan != "-":
        exe = os.path.abspath(args.sandan)
        _, helpproc = run_timed([exe, "dnl", "--help"], workdir, log_path, check=False)
        if helpproc.returncode != 0:
            print(f"sandan: {exe} has no working 'dnl' subcommand; sandan rows skipped", file=sys.stderr)
        else:
            out_dir = os.path.join(workdir, "sandan_out")
            wall, _ = run_timed([exe, "dnl", case_dir, "--out", out_dir], workdir, log_path)
            walls = [wall]
            ff_dir = os.path.join(workdir, "case_free_flow")
            write_case(free_flow_case(case), ff_dir)
            ff_out = os.path.join(workdir, "sandan_free_flow_out")
            run_timed([exe, "dnl", ff_dir, "--out", ff_out], workdir, log_path)
            sandan = read_sandan(out_dir, case, read_travel_times(ff_out, case))
            sandan["wall"] = walls
            print(f"sandan dnl wall {statistics.median(walls):.3f} s, summary seconds "
                  f"{fmt(sandan['summary'].get('seconds'), '.4f')}, "
                  f"finished {sandan['summary'].get('finished')} of {sandan['summary'].get('vehicles')}")

    # ---- 4. measures ---------------------------------------------------------------------------
    per_run = {}
    for label in ("nominal", "capacity_minus", "capacity_plus"):
        per_run[label] = sumo_vehicle_times(case, runs[label], runs["free_flow"])
    gate = busiest_gate(case, args.gate)
    gate_node = case["zones"][gate]["node"]
    in_links = [i for i, l in enumerate(case["links"]) if l["to"] == gate_node]
    if args.analytic_bottleneck:
        # the queue of interest is at the bottleneck (node 1), not at the destination
        gate_node = 1
        in_links = [0]
    elif args.analytic_merge:
        gate_node = 2
        in_links = [0, 1]
    # links upstream of the gate: on some route before it reaches the gate's node (not entering it)
    upstream = set()
    for v in case["vehicles"]:
        for pos, x in enumerate(v["route"]):
            if case["links"][x]["to"] == gate_node:
                upstream.update(v["route"][:pos])
                break
    upstream = sorted(upstream - set(in_links))
    times = []
    t = case["start_s"] + case["report_s"]
    while t <= case["end_s"] + 1e-9:
        times.append(t)
        t += case["report_s"]
    queue = {}
    for label in ("nominal", "capacity_minus", "capacity_plus"):
        entries = [runs[label]["trips"][v["id"]]["depart"] if v["id"] in runs[label]["trips"] else None
                   for v in case["vehicles"]]
        lq = sumo_link_queue(case, runs[label], in_links, times)
        uq = sumo_link_queue(case, runs[label], upstream, times)
        oq = origin_queue(case, gate_node, entries, times)
        queue[label] = {"links": lq, "upstream": uq, "origin": oq,
                        "total": [a + b + c for a, b, c in zip(lq, uq, oq)]}
    if sandan:
        def at(links_):
            return [sum(sandan["queue"].get((tt_ - case["report_s"], l), 0.0) for l in links_)
                    for tt_ in times]
        lq = at(in_links)
        uq = at(upstream)
        oq = origin_queue(case, gate_node, sandan["entered"], times)
        queue["sandan"] = {"links": lq, "upstream": uq, "origin": oq,
                           "total": [a + b + c for a, b, c in zip(lq, uq, oq)]}
    results["gate"] = {"zone": gate, "name": case["zones"][gate]["name"], "node": gate_node,
                       "incoming_links": in_links, "upstream_links": upstream, "times_s": times, "queue": queue}

    peak = {c: (max(q_["total"]) if q_["total"] else 0) for c, q_ in queue.items()}
    peak["calibration_error"] = max(abs(peak["capacity_minus"] - peak["nominal"]),
                                    abs(peak["capacity_plus"] - peak["nominal"]))
    if sandan:
        peak["within_calibration_error"] = abs(peak["sandan"] - peak["nominal"]) <= peak["calibration_error"]
    results["gate"]["peak"] = peak

    table = []
    for label, idx in groups(case):
        row = {"group": label, "vehicles": len(idx)}
        for run_label in ("nominal", "capacity_minus", "capacity_plus"):
            row[f"sumo_{run_label}_tt"] = stats(pick(per_run[run_label]["tt"], idx))
            row[f"sumo_{run_label}_delay"] = stats(pick(per_run[run_label]["delay"], idx))
        row["sumo_nominal_delay_formula"] = stats(pick(per_run["nominal"]["delay_formula"], idx))
        nominal = row["sumo_nominal_delay"]["mean"]
        band = [row[f"sumo_{r}_delay"]["mean"] for r in ("capacity_minus", "capacity_plus")]
        row["calibration_error_delay_s"] = max(abs(b - nominal) for b in band)
        if sandan:
            row["sandan_tt"] = stats(pick(sandan["tt"], idx))
            row["sandan_delay"] = stats(pick(sandan["delay"], idx))
            row["sandan_delay_formula"] = stats(pick(sandan["delay_formula"], idx))
            row["tt_diff"] = diffs([sandan["tt"][i] for i in idx], [per_run["nominal"]["tt"][i] for i in idx])
            row["delay_mean_diff_s"] = row["sandan_delay"]["mean"] - nominal
            row["within_calibration_error"] = abs(row["delay_mean_diff_s"]) <= row["calibration_error_delay_s"]
        table.append(row)
    results["groups"] = table

    # link inflows a report interval: the same vehicles and routes, so differences are timing
    sumo_in = read_edgedata(os.path.join(sumo_dir, "nominal", "edgedata.xml"))
    flows = {"sumo_entered_total": sum(sumo_in.values())}
    if sandan:
        keys_ = set(sumo_in) | set(sandan["inflow"])
        d = [abs(sumo_in.get(k, 0.0) - sandan["inflow"].get(k, 0.0)) for k in keys_]
        flows.update({"sandan_inflow_total": sum(sandan["inflow"].values()), "pairs": len(keys_),
                      "mean_abs_diff_veh": statistics.mean(d) if d else math.nan,
                      "mean_sumo_veh": statistics.mean(sumo_in.get(k, 0.0) for k in keys_) if keys_ else math.nan,
                      "max_abs_diff_veh": max(d) if d else math.nan})
        for label in ("sumo", "sandan"):
            w = [x for x in (per_run["nominal"]["wait"] if label == "sumo" else sandan["wait"]) if x is not None]
            flows[f"{label}_mean_origin_wait_s"] = statistics.mean(w) if w else math.nan
    results["link_flows"] = flows

    # speed: --repeat runs of each tool, interleaved (SUMO, sandan, SUMO, …) so that both see the same
    # load on a shared machine; medians and minima (the least disturbed run) are reported.
    timing = {"sumo_wall": [], "sumo_duration": [], "sumo_ups": [], "sandan_wall": [], "sandan_seconds": []}
    timing_dir = os.path.join(sumo_dir, "timing")
    os.makedirs(timing_dir, exist_ok=True)
    # The timed SUMO command writes no outputs (no tripinfo, vehroutes or edgedata), as sandan's
    # `seconds` excludes writing its outputs; it loads only the meso types, not the edgedata.
    timed_cmd = []
    skip = 0
    for k, arg in enumerate(runs["nominal"]["cmd"]):
        if skip:
            skip -= 1
            continue
        if arg in ("--tripinfo-output", "--vehroute-output"):
            skip = 1
            continue
        if arg.startswith("--tripinfo-output.") or arg.startswith("--vehroute-output."):
            continue
        if arg == "-a":
            timed_cmd += ["-a", runs["nominal"]["cmd"][k + 1].split(",")[0]]
            skip = 1
            continue
        timed_cmd.append(arg)
    for _ in range(args.repeat):
        wall, proc = run_timed(timed_cmd, timing_dir, log_path, sumo_env())
        timing["sumo_wall"].append(wall)
        text = proc.stdout + proc.stderr
        m = re.search(r"Duration:\s*([\d.]+)\s*(ms|s)", text)
        if m:
            timing["sumo_duration"].append(float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0))
        m = re.search(r"UPS:\s*([\d.]+)", text)
        if m:
            timing["sumo_ups"].append(float(m.group(1)))
        if sandan:
            timing_out = os.path.join(workdir, "sandan_timing_out")
            wall, _ = run_timed([os.path.abspath(args.sandan), "dnl", case_dir, "--out", timing_out],
                                workdir, log_path)
            timing["sandan_wall"].append(wall)
            with open(os.path.join(timing_out, "summary.json"), encoding="utf-8") as handle:
                timing["sandan_seconds"].append(json.load(handle).get("seconds"))
    results["timing_runs"] = timing
    nominal = {"wall": timing["sumo_wall"], "duration_s": timing["sumo_duration"], "ups": timing["sumo_ups"],
               "trips": runs["nominal"]["trips"]}
    sumo_spans = []
    for v in case["vehicles"]:
        t_ = nominal["trips"].get(v["id"])
        if t_ and t_["depart"] >= 0:
            end = t_["arrival"] if t_["arrival"] is not None else case["end_s"]
            sumo_spans.append((t_["depart"], end))
    sumo_vs = vehicle_steps(case, sumo_spans)
    sumo_sim_s = statistics.median(nominal["duration_s"]) if nominal["duration_s"] else None
    speed = {"sumo_wall_s": statistics.median(nominal["wall"]), "sumo_duration_s": sumo_sim_s,
             "sumo_duration_min_s": min(nominal["duration_s"]) if nominal["duration_s"] else None,
             "timed_runs": args.repeat,
             "sumo_ups": statistics.median(nominal["ups"]) if nominal["ups"] else None,
             "sumo_vehicle_steps": sumo_vs,
             "sumo_vehicle_steps_per_s": sumo_vs / sumo_sim_s if sumo_sim_s else None,
             "sumo_vehicle_steps_per_wall_s": sumo_vs / statistics.median(nominal["wall"])}
    if sandan:
        summ = sandan["summary"]
        sec = [x for x in timing["sandan_seconds"] if x]
        speed.update({"sandan_wall_s": statistics.median(timing["sandan_wall"]),
                      "sandan_seconds": statistics.median(sec) if sec else None,
                      "sandan_seconds_min": min(sec) if sec else None,
                      "sandan_vehicle_steps": summ.get("vehicle_steps"),
                      "sandan_vehicle_steps_per_s": summ.get("vehicle_steps") / statistics.median(sec)
                      if sec and summ.get("vehicle_steps") else None})
        if sec and sumo_sim_s:
            speed["simulation_speed_ratio"] = sumo_sim_s / speed["sandan_seconds"]
            speed["simulation_speed_ratio_of_minima"] = min(timing["sumo_duration"]) / min(sec)
            speed["simulation_speed_ratio_per_pair"] = [a / b for a, b in zip(timing["sumo_duration"], sec)]
            # the headline: interleaved runs see about the same load, so their ratios are comparable
            speed["simulation_speed_ratio_median_of_pairs"] = statistics.median(
                speed["simulation_speed_ratio_per_pair"])
        speed["wall_ratio"] = speed["sumo_wall_s"] / speed["sandan_wall_s"]
    results["speed"] = speed

    if analytic:
        theory = bottleneck_theory(case, args) if args.analytic_bottleneck else merge_theory(case)
        th = {"mean_delay_s": theory["mean_delay_s"], "max_delay_s": theory["max_delay_s"],
              "total_delay_veh_h": theory["total_delay_veh_h"], "peak_queue_veh": theory["peak_queue_veh"],
              "peak_time_s": theory["peak_time_s"], "clears_s": theory["clears_s"],
              "queue": [theory["queue_at"](t_) for t_ in times]}
        th["sumo_nominal_delay_vs_theory"] = diffs(per_run["nominal"]["delay"], theory["delays"])
        if sandan:
            th["sandan_delay_vs_theory"] = diffs(sandan["delay"], theory["delays"])
        th["by_origin"] = {}
        for z, zone in enumerate(case["zones"]):
            idx = [i for i, v in enumerate(case["vehicles"]) if v["origin"] == z]
            if idx:
                th["by_origin"][zone["name"]] = {
                    "theory": statistics.mean(theory["delays"][i] for i in idx),
                    "sumo": statistics.mean(pick(per_run["nominal"]["delay"], idx)),
                    "sandan": statistics.mean(pick(sandan["delay"], idx)) if sandan else None}
        results["theory"] = th

    with open(os.path.join(workdir, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, default=str)
    print_table(results, case, args, bool(sandan))
    return 0


def print_table(results, case, args, have_sandan):
    print()
    print(f"## {results['case']}: sandan dnl vs SUMO meso ({results['sumo_version']})")
    print()
    cal = results["calibration"]
    print(f"Calibration: {cal['space_per_pce_m']:.2f} m a PCE (jam density {cal['jam_density_per_lane_median']:.1f} "
          f"veh/km a lane), segments {cal['edgelength_m']:g} m; taus by diagram:")
    for tid, t in cal["taus_by_type"].items():
        cap = (f"; capacity capped at {t['capped_capacity_veh_h_lane']:.0f} veh/h a lane"
               if "capped_capacity_veh_h_lane" in t else "")
        print(f"  {tid}: tauff=taufj=taujf {t['tauff']:.3f} s, taujj {t['taujj']:.3f} s "
              f"(w {t['w_kmh']:.1f} km/h){cap}")
    print()
    print(f"Tolerance (calibration error): the largest change of SUMO's mean delay when every capacity "
          f"is varied by ±{args.band * 100:g} % (taus recalibrated). Times in seconds; tt = travel "
          "time from the case's depart (origin wait included); delay = tt − the same vehicle's tt in "
          "the tool's own run without interactions (free flow, with the tool's time discretization); "
          "delay over Σ L/v = tt − Σ L/v over the route.")
    print()
    print("| group | vehicles | SUMO tt mean / median / p95 | sandan tt mean / median / p95 | "
          "SUMO delay mean | sandan delay mean | diff | calibration error | within | "
          "delay over Σ L/v: SUMO / sandan | mean abs tt diff (rel.) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in results["groups"]:
        s = row["sumo_nominal_tt"]
        sd = row["sumo_nominal_delay"]
        if have_sandan:
            d = row["sandan_tt"]
            dd = row["sandan_delay"]
            td = row["tt_diff"]
            print(f"| {row['group']} | {row['vehicles']} | {fmt(s['mean'])} / {fmt(s['median'])} / {fmt(s['p95'])} | "
                  f"{fmt(d['mean'])} / {fmt(d['median'])} / {fmt(d['p95'])} | {fmt(sd['mean'])} | "
                  f"{fmt(dd['mean'])} | {fmt(row['delay_mean_diff_s'])} | ±{fmt(row['calibration_error_delay_s'])} | "
                  f"{'yes' if row['within_calibration_error'] else 'no'} | "
                  f"{fmt(row['sumo_nominal_delay_formula']['mean'])} / {fmt(row['sandan_delay_formula']['mean'])} | "
                  f"{fmt(td.get('mean_abs_diff'))} ({fmt(td.get('rel_mean_abs_diff', math.nan) * 100, '.1f')} %) |")
        else:
            print(f"| {row['group']} | {row['vehicles']} | {fmt(s['mean'])} / {fmt(s['median'])} / {fmt(s['p95'])} | – | "
                  f"{fmt(sd['mean'])} | – | – | ±{fmt(row['calibration_error_delay_s'])} | – | "
                  f"{fmt(row['sumo_nominal_delay_formula']['mean'])} / – | – |")
    g = results["gate"]
    print()
    where = ("the bottleneck" if args.analytic_bottleneck else "the merge" if args.analytic_merge
             else f"gate {g['zone']} ({g['name']})")
    print(f"Queue at {where}"
          f", node {g['node']}: vehicles queued on the links entering it {g['incoming_links']} + queued on "
          f"the {len(g['upstream_links'])} links upstream on routes through it + bound through it and "
          "waiting at their origin")
    print()
    cols = ["nominal", "capacity_minus", "capacity_plus"] + (["sandan"] if have_sandan else [])
    head = "| t s | " + " | ".join(f"SUMO {c}" if c != "sandan" else "sandan" for c in cols)
    if "theory" in results:
        head += " | theory"
    print(head + " |")
    print("|" + "---|" * (len(cols) + 1 + ("theory" in results)))
    q = g["queue"]
    for k, t in enumerate(g["times_s"]):
        vals = [f"{q[c]['links'][k]:.0f} + {q[c]['upstream'][k]:.0f} + {q[c]['origin'][k]:.0f}" for c in cols]
        line = f"| {t:g} | " + " | ".join(vals)
        if "theory" in results:
            line += f" | {results['theory']['queue'][k]}"
        print(line + " |")
        rest_empty = all(q[c]["total"][j] == 0 for c in cols for j in range(k, len(g["times_s"])))
        if rest_empty and ("theory" not in results or not any(results["theory"]["queue"][k:])):
            if "theory" not in results or results["theory"]["queue"][k] == 0:
                print("| … | (empty from here on) |")
                break
    pk = g["peak"]
    print()
    print("Peak queue (total): " + ", ".join(f"{c} {pk[c]:.0f}" for c in cols)
          + f"; calibration error ±{pk['calibration_error']:.0f}"
          + (f"; sandan − SUMO {pk['sandan'] - pk['nominal']:+.0f}: "
             f"{'within' if pk['within_calibration_error'] else 'outside'}" if have_sandan else ""))
    if "theory" in results:
        th = results["theory"]
        print()
        print(f"Theory (deterministic queueing): mean delay {th['mean_delay_s']:.1f} s, max {th['max_delay_s']:.0f} s, "
              f"total {th['total_delay_veh_h']:.2f} veh·h, peak queue {th['peak_queue_veh']:.0f} veh at "
              f"{th['peak_time_s']:.0f} s, clears at {th['clears_s']:.0f} s")
        sv = th["sumo_nominal_delay_vs_theory"]
        print(f"SUMO meso vs theory, per vehicle delay: mean |diff| {fmt(sv.get('mean_abs_diff'))} s, "
              f"mean diff {fmt(sv.get('mean_diff'))} s")
        if "sandan_delay_vs_theory" in th:
            dv = th["sandan_delay_vs_theory"]
            print(f"sandan dnl vs theory, per vehicle delay: mean |diff| {fmt(dv.get('mean_abs_diff'))} s, "
                  f"mean diff {fmt(dv.get('mean_diff'))} s")
        print("Mean delay by origin (theory / SUMO / sandan): " + "; ".join(
            f"{name} {o['theory']:.1f} / {o['sumo']:.1f} / {fmt(o['sandan'])}"
            for name, o in th["by_origin"].items()))
    lf = results["link_flows"]
    if have_sandan:
        print()
        print(f"Link inflows a report interval ({lf['pairs']} link-intervals with traffic): mean |SUMO − sandan| "
              f"{lf['mean_abs_diff_veh']:.2f} vehicles (mean {lf['mean_sumo_veh']:.2f}), max {lf['max_abs_diff_veh']:.0f}; "
              f"totals {lf['sumo_entered_total']:,.0f} and {lf['sandan_inflow_total']:,.0f}. Mean wait at the origin: "
              f"SUMO {lf['sumo_mean_origin_wait_s']:.1f} s, sandan {lf['sandan_mean_origin_wait_s']:.1f} s")
    sp = results["speed"]
    print()
    print("| tool | wall s | simulation s (min) | vehicle-steps | vehicle-steps / s (simulation) | SUMO UPS |")
    print("|---|---|---|---|---|---|")
    print(f"| SUMO meso | {sp['sumo_wall_s']:.3f} | {fmt(sp['sumo_duration_s'], '.3f')} ({fmt(sp['sumo_duration_min_s'], '.3f')}) | {sp['sumo_vehicle_steps']:,.0f} | "
          f"{fmt(sp['sumo_vehicle_steps_per_s'], ',.0f')} | {fmt(sp['sumo_ups'], ',.0f')} |")
    if have_sandan:
        print(f"| sandan dnl | {sp['sandan_wall_s']:.3f} | {fmt(sp['sandan_seconds'], '.4f')} ({fmt(sp['sandan_seconds_min'], '.4f')}) | "
              f"{fmt(sp['sandan_vehicle_steps'], ',.0f')} | {fmt(sp['sandan_vehicle_steps_per_s'], ',.0f')} | – |")
        print()
        pairs = sp.get("simulation_speed_ratio_per_pair") or []
        print(f"Speed ratio (SUMO simulation s / sandan simulation s), {sp['timed_runs']} interleaved runs each: "
              f"median of the run-by-run ratios {fmt(sp.get('simulation_speed_ratio_median_of_pairs'), '.1f')}×, "
              f"of the medians {fmt(sp.get('simulation_speed_ratio'), '.1f')}×, of the minima "
              f"{fmt(sp.get('simulation_speed_ratio_of_minima'), '.1f')}×, run by run "
              f"{', '.join(f'{x:.1f}' for x in pairs)}; wall-time ratio {fmt(sp.get('wall_ratio'), '.1f')}×")
    print()
    print(f"Files and logs: {results['workdir']} (results.json, commands.log)")


if __name__ == "__main__":
    sys.exit(main())
