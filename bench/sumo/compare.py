#!/usr/bin/python3
"""Side-by-side comparison of `sandan assign` and SUMO's marouter on one TNTP network.

    /usr/bin/python3 bench/sumo/compare.py TNTP_DIR SANDAN_EXE [options]

Steps (see bench/sumo/README.md for what every number means):
 1. read the TNTP folder (*_net.tntp, *_trips.tntp, optional *_node.tntp, optional *_flow.tntp)
    and write SUMO plain XML (nodes, edges, connections), a TAZ file and the OD matrix in
    tazRelation form; build the network with netconvert;
 2. time marouter (incremental, and "UE", which SUMO 1.15 runs as its stochastic SUE) and
    `sandan assign` (one run per --gaps value), each as the wall clock of the process;
 3. compare free-flow travel times of the same OD pairs: duarouter's routed cost on the empty
    network against a Dijkstra over the TNTP free-flow times (honouring FIRST THRU NODE);
 4. print a table: tool, method, wall seconds, TSTT and relative gap under the TNTP's own BPR
    costs, and the free-flow comparison; everything is also written to WORKDIR/results.json.

Standard library only. Nothing is written outside the work directory (a fresh temporary
directory unless --workdir is given); the TNTP folder is copied there first.
"""

import argparse
import csv
import glob
import heapq
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

LENGTH_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}
TIME_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0}
EARTH_RADIUS_M = 6371008.8
# marouter (SUMO 1.15, ROMAAssignments::getCapacity) gives an edge of priority -1 (road class 1)
# 2000 veh/h per lane whatever its speed; every edge written here has priority -1.
MAROUTER_LANE_CAPACITY = 2000.0
# A TNTP link with zero free-flow time cannot be given zero time in SUMO: it gets this many seconds.
MIN_EDGE_SECONDS = 0.01
# Length used when the TNTP length is 0 and no coordinates give one: free-flow time at 50 km/h.
FALLBACK_SPEED_MS = 50.0 / 3.6


# --------------------------------------------------------------------------------------------
# TNTP reading
# --------------------------------------------------------------------------------------------

class Link:
    __slots__ = ("index", "init", "term", "capacity", "length", "fft", "b", "power", "edge_id",
                 "length_m", "speed_ms", "sumo_seconds", "lanes")

    def __init__(self, index, init, term, capacity, length, fft, b, power):
        self.index = index
        self.init = init
        self.term = term
        self.capacity = capacity
        self.length = length
        self.fft = fft
        self.b = b
        self.power = power
        self.edge_id = ""
        self.length_m = 0.0
        self.speed_ms = 0.0
        self.sumo_seconds = 0.0
        self.lanes = 1

    def bpr(self, flow):
        """BPR cost in TNTP time units: fft * (1 + b (x/c)^power)."""
        if self.capacity <= 0:
            return self.fft
        return self.fft * (1.0 + self.b * (max(flow, 0.0) / self.capacity) ** self.power)


class Tntp:
    def __init__(self):
        self.name = ""
        self.zones = 0
        self.nodes = 0
        self.first_thru_node = 1
        self.links = []
        self.demand = {}  # (origin, destination) -> trips
        self.coords = None  # node -> (x, y) as in the file
        self.best_flow = None  # list of (from, to, volume) from *_flow.tntp
        self.files = {}

    def node_ids(self):
        ids = set()
        for link in self.links:
            ids.add(link.init)
            ids.add(link.term)
        if self.coords:
            ids.update(self.coords)
        ids.update(range(1, self.zones + 1))
        return sorted(ids)


def _find_one(folder, pattern, required):
    hits = sorted(glob.glob(os.path.join(folder, pattern)))
    if not hits:
        if required:
            sys.exit(f"compare.py: no {pattern} in {folder}")
        return None
    if len(hits) > 1:
        sys.exit(f"compare.py: more than one {pattern} in {folder}: {', '.join(hits)}")
    return hits[0]


def _metadata_and_rows(path):
    meta = {}
    rows = []
    in_data = False
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            text = line.strip()
            if not text:
                continue
            if not in_data:
                match = re.match(r"<([^>]+)>\s*(.*)$", text)
                if match:
                    key = match.group(1).strip().upper()
                    if key == "END OF METADATA":
                        in_data = True
                    else:
                        meta[key] = match.group(2).strip()
                    continue
                # some files have no metadata block
                in_data = True
            if text.startswith("~"):
                continue
            rows.append(text)
    return meta, rows


def read_tntp(folder):
    net = Tntp()
    net_path = _find_one(folder, "*_net.tntp", True)
    trips_path = _find_one(folder, "*_trips.tntp", True)
    node_path = _find_one(folder, "*_node.tntp", False)
    flow_path = _find_one(folder, "*_flow.tntp", False)
    net.files = {"net": net_path, "trips": trips_path, "node": node_path, "flow": flow_path}
    net.name = os.path.basename(net_path)[: -len("_net.tntp")]

    meta, rows = _metadata_and_rows(net_path)
    net.zones = int(meta.get("NUMBER OF ZONES", "0"))
    net.nodes = int(meta.get("NUMBER OF NODES", "0"))
    net.first_thru_node = int(meta.get("FIRST THRU NODE", "1"))
    for row in rows:
        fields = row.rstrip(";").split()
        if len(fields) < 5:
            continue
        values = [float(v) for v in fields[:7]]
        b = values[5] if len(values) > 5 else 0.15
        power = values[6] if len(values) > 6 else 4.0
        net.links.append(Link(len(net.links), int(values[0]), int(values[1]), values[2],
                              values[3], values[4], b, power))
    declared = int(meta.get("NUMBER OF LINKS", str(len(net.links))))
    if declared != len(net.links):
        print(f"warning: {net_path} declares {declared} links, {len(net.links)} read",
              file=sys.stderr)

    meta_t, rows_t = _metadata_and_rows(trips_path)
    if not net.zones:
        net.zones = int(meta_t.get("NUMBER OF ZONES", "0"))
    origin = None
    pair = re.compile(r"(\d+)\s*:\s*([-+0-9.eE]+)")
    for row in rows_t:
        match = re.match(r"Origin\s+(\d+)", row, re.IGNORECASE)
        if match:
            origin = int(match.group(1))
            continue
        for dest, value in pair.findall(row):
            trips = float(value)
            if trips > 0 and origin is not None:
                key = (origin, int(dest))
                net.demand[key] = net.demand.get(key, 0.0) + trips

    if node_path:
        coords = {}
        with open(node_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.replace(";", " ").split()
                if len(fields) >= 3 and re.match(r"^-?\d+$", fields[0]):
                    try:
                        coords[int(fields[0])] = (float(fields[1]), float(fields[2]))
                    except ValueError:
                        continue
        net.coords = coords or None

    if flow_path:
        best = []
        with open(flow_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.replace(";", " ").split()
                if len(fields) >= 3 and re.match(r"^\d+$", fields[0]):
                    best.append((int(fields[0]), int(fields[1]), float(fields[2])))
        net.best_flow = best or None
    return net


# --------------------------------------------------------------------------------------------
# Shortest paths and equilibrium measures on the TNTP network
# --------------------------------------------------------------------------------------------

def out_links(net):
    adjacency = {}
    for link in net.links:
        adjacency.setdefault(link.init, []).append(link)
    return adjacency


def dijkstra(adjacency, origin, costs, first_thru_node):
    """Shortest-path costs and predecessor links from origin; nodes below first_thru_node (zones
    that are not thru nodes) are never passed through, only started from or arrived at."""
    dist = {origin: 0.0}
    pred = {}
    heap = [(0.0, origin)]
    done = set()
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node != origin and node < first_thru_node:
            continue
        for link in adjacency.get(node, ()):
            nd = d + costs[link.index]
            if nd < dist.get(link.term, math.inf):
                dist[link.term] = nd
                pred[link.term] = link
                heapq.heappush(heap, (nd, link.term))
    return dist, pred


def gap_measures(net, flows, costs):
    """TSTT = sum x*c, SPTT = sum demand * shortest-path cost under the same link costs c, and
    relative gap = (TSTT - SPTT) / TSTT."""
    tstt = sum(flows[link.index] * costs[link.index] for link in net.links)
    adjacency = out_links(net)
    sptt = 0.0
    by_origin = {}
    for (o, d), trips in net.demand.items():
        if o != d:
            by_origin.setdefault(o, []).append((d, trips))
    for o, dests in by_origin.items():
        dist, _ = dijkstra(adjacency, o, costs, net.first_thru_node)
        for d, trips in dests:
            sptt += trips * dist.get(d, math.inf)
    gap = (tstt - sptt) / tstt if tstt > 0 else float("nan")
    return {"tstt": tstt, "sptt": sptt, "relative_gap": gap}


def equilibrium_measures(net, flows):
    """gap_measures under the TNTP BPR costs, and Beckmann's objective."""
    costs = [link.bpr(flows[link.index]) for link in net.links]
    result = gap_measures(net, flows, costs)
    beckmann = 0.0
    for link in net.links:
        x = max(flows[link.index], 0.0)
        if link.capacity > 0:
            beckmann += link.fft * (x + link.b * link.capacity / (link.power + 1.0)
                                    * (x / link.capacity) ** (link.power + 1.0))
        else:
            beckmann += link.fft * x
    result["beckmann"] = beckmann
    return result


def compare_with_best(net, flows):
    """Max and mean absolute difference to the best-known flows of *_flow.tntp."""
    if not net.best_flow:
        return None
    by_pair = {}
    for link in net.links:
        by_pair.setdefault((link.init, link.term), []).append(link.index)
    seen = {}
    diffs = []
    for frm, to, volume in net.best_flow:
        indices = by_pair.get((frm, to))
        if not indices:
            continue
        k = seen.get((frm, to), 0)
        seen[(frm, to)] = k + 1
        if k < len(indices):
            diffs.append(abs(flows[indices[k]] - volume))
    if not diffs:
        return None
    return {"max_abs_flow_diff": max(diffs), "mean_abs_flow_diff": sum(diffs) / len(diffs)}


# --------------------------------------------------------------------------------------------
# TNTP -> SUMO
# --------------------------------------------------------------------------------------------

def project(net, coords_mode):
    """Node positions in metres. Geographic lon/lat is projected equirectangularly around the mean;
    planar coordinates are kept as they are; without a node file the nodes go on a square grid."""
    ids = net.node_ids()
    coords = net.coords or {}
    missing = [n for n in ids if n not in coords]
    if coords and not missing:
        xs = [coords[n][0] for n in ids]
        ys = [coords[n][1] for n in ids]
        geographic = coords_mode == "geo" or (
            coords_mode == "auto" and all(abs(x) <= 180 for x in xs) and all(abs(y) <= 90 for y in ys))
        if geographic:
            lon0 = sum(xs) / len(xs)
            lat0 = sum(ys) / len(ys)
            kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
            ky = math.radians(1.0) * EARTH_RADIUS_M
            return {n: ((coords[n][0] - lon0) * kx, (coords[n][1] - lat0) * ky) for n in ids}, \
                f"lon/lat projected equirectangularly around ({lon0:.6f}, {lat0:.6f})"
        return {n: coords[n] for n in ids}, "planar coordinates of the node file, as given"
    side = max(1, math.ceil(math.sqrt(len(ids))))
    spacing = 1000.0
    layout = {n: ((i % side) * spacing, (i // side) * spacing) for i, n in enumerate(ids)}
    why = "no node file" if not coords else f"{len(missing)} nodes without coordinates"
    return layout, f"{why}: square grid, {spacing:.0f} m spacing"


def prepare_edges(net, positions, length_unit, time_unit):
    """Fill edge ids, length in metres, speed (m/s) such that length/speed is the TNTP free-flow
    time in seconds, and the notes on every link that needed an adjustment."""
    notes = []
    used = {}
    for link in net.links:
        base = f"{link.init}_{link.term}"
        k = used.get(base, 0)
        used[base] = k + 1
        link.edge_id = base if k == 0 else f"{base}_{k}"
        seconds = link.fft * TIME_UNITS[time_unit]
        if link.length > 0:
            length_m = link.length * LENGTH_UNITS[length_unit]
        else:
            (x1, y1), (x2, y2) = positions[link.init], positions[link.term]
            length_m = math.hypot(x2 - x1, y2 - y1)
            if length_m <= 0:
                length_m = max(seconds, MIN_EDGE_SECONDS) * FALLBACK_SPEED_MS
            notes.append(f"link {link.init}-{link.term}: TNTP length 0, SUMO length {length_m:.1f} m")
        if seconds <= 0:
            notes.append(f"link {link.init}-{link.term}: free-flow time 0, SUMO gets "
                         f"{MIN_EDGE_SECONDS} s")
            seconds = MIN_EDGE_SECONDS
        link.length_m = length_m
        link.sumo_seconds = seconds
        link.speed_ms = length_m / seconds
    return notes


def _indent(elem):
    if hasattr(ET, "indent"):
        ET.indent(elem)


def write_xml(root, path):
    _indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def write_plain_xml(net, positions, lanes_mode, folder):
    os.makedirs(folder, exist_ok=True)
    nodes = ET.Element("nodes")
    for n in net.node_ids():
        x, y = positions[n]
        ET.SubElement(nodes, "node", id=str(n), x=f"{x:.3f}", y=f"{y:.3f}", type="priority")
    write_xml(nodes, os.path.join(folder, "nodes.nod.xml"))

    edges = ET.Element("edges")
    for link in net.links:
        if lanes_mode == "capacity":
            link.lanes = max(1, int(round(link.capacity / MAROUTER_LANE_CAPACITY)))
        else:
            link.lanes = 1
        ET.SubElement(edges, "edge", id=link.edge_id, attrib={
            "from": str(link.init), "to": str(link.term), "priority": "-1",
            "numLanes": str(link.lanes), "speed": f"{link.speed_ms:.9g}",
            "length": f"{link.length_m:.9g}"})
    write_xml(edges, os.path.join(folder, "edges.edg.xml"))

    # Every turn at a thru node, U-turns included (TNTP allows i->j->i); none at a zone node below
    # FIRST THRU NODE, so SUMO cannot route through it either.
    incoming, outgoing = {}, {}
    for link in net.links:
        outgoing.setdefault(link.init, []).append(link)
        incoming.setdefault(link.term, []).append(link)
    connections = ET.Element("connections")
    expected = set()
    for node in net.node_ids():
        for a in incoming.get(node, ()):
            for b in outgoing.get(node, ()):
                if node < net.first_thru_node:
                    ET.SubElement(connections, "delete", attrib={"from": a.edge_id, "to": b.edge_id})
                else:
                    ET.SubElement(connections, "connection", attrib={"from": a.edge_id, "to": b.edge_id})
                    expected.add((a.edge_id, b.edge_id))
    write_xml(connections, os.path.join(folder, "connections.con.xml"))
    return expected


def write_taz(net, path):
    root = ET.Element("additional")
    outgoing, incoming = {}, {}
    for link in net.links:
        outgoing.setdefault(link.init, []).append(link.edge_id)
        incoming.setdefault(link.term, []).append(link.edge_id)
    for zone in range(1, net.zones + 1):
        taz = ET.SubElement(root, "taz", id=str(zone))
        for edge in outgoing.get(zone, ()):
            ET.SubElement(taz, "tazSource", id=edge, weight="1")
        for edge in incoming.get(zone, ()):
            ET.SubElement(taz, "tazSink", id=edge, weight="1")
    write_xml(root, path)


def write_tazrelation(net, path, hours):
    """The TNTP trips (per hour) as one interval of `hours` hours holding hours x trips, so that
    marouter's hourly flows (count / interval length) are the TNTP's."""
    root = ET.Element("data")
    interval = ET.SubElement(root, "interval", id="tntp", begin="0", end=f"{hours * 3600:g}")
    for (o, d), trips in sorted(net.demand.items()):
        if o == d:
            continue
        ET.SubElement(interval, "tazRelation", attrib={"from": str(o), "to": str(d),
                                                       "count": f"{trips * hours:.9g}"})
    write_xml(root, path)


def check_net(net, net_path, expected_connections):
    """Compare the built network with what was asked for: every edge's length and speed, every
    connection."""
    tree = ET.parse(net_path)
    lane_data = {}
    conns = set()
    for edge in tree.getroot().iter("edge"):
        if edge.get("function") == "internal":
            continue
        lane = edge.find("lane")
        if lane is not None:
            lane_data[edge.get("id")] = (float(lane.get("length")), float(lane.get("speed")),
                                         len(edge.findall("lane")))
    for conn in tree.getroot().iter("connection"):
        frm, to = conn.get("from"), conn.get("to")
        if frm and to and not frm.startswith(":"):
            conns.add((frm, to))
    missing_edges = [l.edge_id for l in net.links if l.edge_id not in lane_data]
    max_len_rel = max_speed_rel = max_time_rel = 0.0
    for link in net.links:
        if link.edge_id not in lane_data:
            continue
        length, speed, _ = lane_data[link.edge_id]
        max_len_rel = max(max_len_rel, abs(length - link.length_m) / link.length_m)
        max_speed_rel = max(max_speed_rel, abs(speed - link.speed_ms) / link.speed_ms)
        max_time_rel = max(max_time_rel, abs(length / speed - link.sumo_seconds) / link.sumo_seconds)
    internal = sum(1 for e in tree.getroot().iter("edge") if e.get("function") == "internal")
    return {
        "edges": len(lane_data),
        "missing_edges": missing_edges,
        "internal_edges": internal,
        "max_rel_length_error": max_len_rel,
        "max_rel_speed_error": max_speed_rel,
        "max_rel_freeflow_time_error": max_time_rel,
        "connections": len(conns),
        "connections_expected": len(expected_connections),
        "connections_missing": sorted(expected_connections - conns)[:20],
        "connections_extra": sorted(conns - expected_connections)[:20],
    }


# --------------------------------------------------------------------------------------------
# Running and timing processes
# --------------------------------------------------------------------------------------------

def run_timed(cmd, cwd, log_path, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - start
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + f"\n# exit {proc.returncode}, {wall:.4f} s wall\n")
        log.write(proc.stdout)
        log.write(proc.stderr)
        log.write("\n")
    if proc.returncode != 0:
        sys.exit(f"compare.py: command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                 f"{proc.stderr[-2000:]}")
    return wall, proc


def summarise_times(walls):
    return {"median": statistics.median(walls), "min": min(walls), "runs": walls}


def sumo_env():
    env = dict(os.environ)
    env.setdefault("SUMO_HOME", "/usr/share/sumo")
    return env


def tool(name):
    path = shutil.which(name)
    if not path:
        sys.exit(f"compare.py: {name} not found (apt-get install -y sumo sumo-tools)")
    return path


# --------------------------------------------------------------------------------------------
# SUMO side
# --------------------------------------------------------------------------------------------

def read_netload(path, net):
    """Edge flows (veh in the interval), SUMO travel times (s) and SUMO capacities (veh/h, from
    flowCapacityRatio) of marouter's --netload-output."""
    by_edge = {}
    intervals = 0
    for interval in ET.parse(path).getroot().iter("interval"):
        intervals += 1
        for edge in interval.iter("edge"):
            eid = edge.get("id")
            entered = float(edge.get("entered", "0"))
            tt = float(edge.get("traveltime", "nan"))
            ratio = float(edge.get("flowCapacityRatio", "0"))
            prev = by_edge.get(eid, (0.0, tt, math.nan))
            capacity = 100.0 * entered / ratio if ratio > 0 else math.nan
            by_edge[eid] = (prev[0] + entered, tt, capacity if not math.isnan(capacity) else prev[2])
    flows = [0.0] * len(net.links)
    sumo_tt = [math.nan] * len(net.links)
    sumo_cap = [math.nan] * len(net.links)
    for link in net.links:
        if link.edge_id in by_edge:
            flows[link.index], sumo_tt[link.index], sumo_cap[link.index] = by_edge[link.edge_id]
    return flows, sumo_tt, sumo_cap, intervals


def marouter_cost_function(net, flows, sumo_tt, sumo_cap, hours, lanes):
    """marouter's link cost as it really ran, read back from its netload output: capacity C (veh/h,
    from flowCapacityRatio) and slope k of t = t0 (1 + k x/C), x in veh/h, fitted on every loaded
    edge (SUMO 1.15, road class 1: C = 2000 per lane and k = 2/1.3, linear in the flow). Edges
    without flow get 2000 per lane and the median slope."""
    slopes, per_lane = [], []
    caps = [MAROUTER_LANE_CAPACITY * lanes[link.index] for link in net.links]
    ks = [math.nan] * len(net.links)
    for link in net.links:
        x = flows[link.index] / hours
        tt = sumo_tt[link.index]
        cap = sumo_cap[link.index]
        if x > 1e-6 and not math.isnan(cap) and not math.isnan(tt):
            caps[link.index] = cap
            ks[link.index] = (tt / link.sumo_seconds - 1.0) / (x / cap)
            per_lane.append(cap / lanes[link.index])
            slopes.append(ks[link.index])
    if not slopes:
        return None
    median = statistics.median(slopes)
    ks = [median if math.isnan(k) else k for k in ks]
    return {"capacity_per_lane_min": min(per_lane), "capacity_per_lane_max": max(per_lane),
            "slope_min": min(slopes), "slope_max": max(slopes), "capacity": caps, "slope": ks}


def marouter_costs(net, flows, function):
    """Link costs in TNTP time units under marouter's function (flows in veh/h)."""
    return [link.fft * (1.0 + function["slope"][link.index] * max(flows[link.index], 0.0)
                        / function["capacity"][link.index]) for link in net.links]


def write_tntp_with_costs(net, src_dir, dst_dir, capacity, b, power):
    """A copy of the TNTP folder whose link costs are fft (1 + b (x/capacity)^power) per link:
    marouter's cost function as a BPR that sandan reads. Trips and node files are copied."""
    if os.path.exists(dst_dir):
        shutil.rmtree(dst_dir)
    os.makedirs(dst_dir)
    for key in ("trips", "node"):
        if net.files.get(key):
            shutil.copy(net.files[key], dst_dir)
    path = os.path.join(dst_dir, os.path.basename(net.files["net"]))
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"<NUMBER OF ZONES> {net.zones}\n<NUMBER OF NODES> {len(net.node_ids())}\n"
                  f"<FIRST THRU NODE> {net.first_thru_node}\n<NUMBER OF LINKS> {len(net.links)}\n"
                  "<END OF METADATA>\n\n\n"
                  "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\t"
                  "toll\tlink_type\t;\n")
        for link in net.links:
            out.write(f"\t{link.init}\t{link.term}\t{capacity[link.index]:.12g}\t{link.length:.12g}\t"
                      f"{link.fft:.12g}\t{b[link.index]:.12g}\t{power[link.index]:.12g}\t0\t0\t1\t;\n")
    return dst_dir


def sumo_tstt_own(net, flows, sumo_tt, time_unit):
    """Sum of flow x marouter's own final edge travel time, in TNTP time units."""
    total = 0.0
    for link in net.links:
        if not math.isnan(sumo_tt[link.index]):
            total += flows[link.index] * sumo_tt[link.index] / TIME_UNITS[time_unit]
    return total


def routed_demand(routes_path):
    total = 0
    flows = 0
    for flow in ET.parse(routes_path).getroot().iter("flow"):
        total += int(flow.get("number", "0"))
        flows += 1
    return total, flows


def free_flow_pairs(net, sample, seed):
    zones = list(range(1, net.zones + 1))
    pairs = [(o, d) for o in zones for d in zones if o != d]
    if sample and sample < len(pairs):
        rng = random.Random(seed)
        pairs = sorted(rng.sample(pairs, sample))
    return pairs


def write_ff_trips(pairs, path, max_speed):
    root = ET.Element("routes")
    # speedDev 0: the routers would otherwise draw a speed factor per vehicle (SUMO's default
    # passenger speedDev is 0.1) and route at speed factor x edge speed.
    ET.SubElement(root, "vType", id="ff", speedFactor="1", speedDev="0", maxSpeed=f"{max_speed:.3f}")
    for o, d in pairs:
        ET.SubElement(root, "trip", id=f"{o}_{d}", depart="0", fromTaz=str(o), toTaz=str(d), type="ff")
    write_xml(root, path)


def read_ff_routes(path):
    out = {}
    for veh in ET.parse(path).getroot().iter("vehicle"):
        route = veh.find("route")
        if route is None:
            continue
        o, d = (int(v) for v in veh.get("id").split("_"))
        out[(o, d)] = (float(route.get("cost")), route.get("edges").split())
    return out


# --------------------------------------------------------------------------------------------
# sandan side
# --------------------------------------------------------------------------------------------

def sandan_has_assign(exe):
    if not exe or not os.path.isfile(exe) or not os.access(exe, os.X_OK):
        return False
    try:
        proc = subprocess.run([exe, "assign", "--help"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and "assign" in (proc.stdout + proc.stderr).lower() and \
        "subcommands:" not in proc.stdout.lower()


def read_sandan_flows(path, net):
    flows = [0.0] * len(net.links)
    by_pair = {}
    for link in net.links:
        by_pair.setdefault((link.init, link.term), []).append(link.index)
    seen = {}
    matched = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (int(float(row["from"])), int(float(row["to"])))
            k = seen.get(key, 0)
            seen[key] = k + 1
            indices = by_pair.get(key, [])
            if k < len(indices):
                flows[indices[k]] = float(row["volume"])
                matched += 1
    return flows, matched


def find_number(summary, *names):
    """The first numeric value in summary.json whose key (case-insensitive, at any depth) is one of
    names."""
    wanted = {n.lower() for n in names}
    stack = [summary]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            for key, value in item.items():
                if key.lower() in wanted and isinstance(value, (int, float)) and not isinstance(value, bool):
                    return float(value)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def fmt(value, spec):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tntp_dir", help="TNTP folder (*_net.tntp, *_trips.tntp, optional *_node.tntp)")
    parser.add_argument("sandan", help="the sandan executable (with the assign subcommand); "
                        "'-' runs the SUMO half only")
    parser.add_argument("--gaps", default="1e-4,1e-8", help="sandan --gap values (default 1e-4,1e-8)")
    parser.add_argument("--algorithm", default="b", help="sandan --algorithm (b or fw; default b)")
    parser.add_argument("--sandan-args", default="",
                        help="extra arguments for every sandan assign run, e.g. '-j 1'")
    parser.add_argument("--sandan-threads", default="default,1",
                        help="thread settings of the sandan runs on the TNTP problem: 'default' "
                        "(no -j: every core) and/or numbers passed as -j (default 'default,1')")
    parser.add_argument("--sumo-methods", default="incremental,UE",
                        help="marouter --assignment-method values (default incremental,UE; "
                        "SUMO 1.15 runs UE as SUE)")
    parser.add_argument("--lanes", default="one,capacity",
                        help="lane variants: 'one' (numLanes 1 everywhere) and/or 'capacity' "
                        "(numLanes = round(TNTP capacity / 2000), marouter's per-lane capacity)")
    parser.add_argument("--time-unit", choices=sorted(TIME_UNITS), default="min",
                        help="unit of the TNTP free-flow time (default min)")
    parser.add_argument("--length-unit", choices=sorted(LENGTH_UNITS), default="mi",
                        help="unit of the TNTP length (default mi)")
    parser.add_argument("--coords", choices=["auto", "geo", "plane"], default="auto",
                        help="node file coordinates: lon/lat, planar, or guess (default)")
    parser.add_argument("--interval-hours", type=float, default=24.0,
                        help="length of marouter's OD interval; the TNTP trips are taken as veh/h "
                        "and multiplied by it (default 24, so that no routed path outlasts it)")
    parser.add_argument("--ff-pairs", type=int, default=0,
                        help="OD pairs sampled for the free-flow comparison (0: all pairs)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the OD-pair sample")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command (median reported)")
    parser.add_argument("--workdir", help="work directory (default: a new temporary directory)")
    args = parser.parse_args()

    workdir = os.path.abspath(args.workdir) if args.workdir else tempfile.mkdtemp(prefix="sandan-sumo-")
    os.makedirs(workdir, exist_ok=True)
    log_path = os.path.join(workdir, "commands.log")
    env = sumo_env()
    netconvert, marouter, duarouter = tool("netconvert"), tool("marouter"), tool("duarouter")
    version = subprocess.run([marouter, "--version"], stdout=subprocess.PIPE, text=True,
                             env=env).stdout.splitlines()[0].strip()

    # ---- 1. TNTP copy and conversion ------------------------------------------------------
    tntp_copy = os.path.join(workdir, "tntp")
    if os.path.exists(tntp_copy):
        shutil.rmtree(tntp_copy)
    shutil.copytree(os.path.abspath(args.tntp_dir), tntp_copy)
    net = read_tntp(tntp_copy)
    total_demand = sum(v for (o, d), v in net.demand.items() if o != d)
    print(f"{net.name}: {net.zones} zones, {len(net.node_ids())} nodes, {len(net.links)} links, "
          f"first thru node {net.first_thru_node}, demand {total_demand:,.1f}")
    print(f"work directory: {workdir}")

    positions, layout_note = project(net, args.coords)
    edge_notes = prepare_edges(net, positions, args.length_unit, args.time_unit)
    results = {"network": net.name, "sumo_version": version, "workdir": workdir,
               "layout": layout_note, "edge_notes": edge_notes, "options": vars(args),
               "marouter": [], "sandan": []}

    sumo_dir = os.path.join(workdir, "sumo")
    os.makedirs(sumo_dir, exist_ok=True)
    taz_path = os.path.join(sumo_dir, "taz.xml")
    od_path = os.path.join(sumo_dir, "od.tazrel.xml")
    write_taz(net, taz_path)
    write_tazrelation(net, od_path, args.interval_hours)

    lanes_variants = [v.strip() for v in args.lanes.split(",") if v.strip()]
    nets = {}
    for variant in lanes_variants:
        if variant not in ("one", "capacity"):
            sys.exit(f"compare.py: unknown --lanes variant {variant}")
        vdir = os.path.join(sumo_dir, f"lanes_{variant}")
        expected = write_plain_xml(net, positions, variant, vdir)
        net_path = os.path.join(vdir, "net.net.xml")
        cmd = [netconvert, "--node-files", "nodes.nod.xml", "--edge-files", "edges.edg.xml",
               "--connection-files", "connections.con.xml", "--no-internal-links",
               "--precision", "6", "--output-file", "net.net.xml"]
        wall, _ = run_timed(cmd, vdir, log_path, env)
        check = check_net(net, net_path, expected)
        lanes = [link.lanes for link in net.links]
        nets[variant] = {"dir": vdir, "net": net_path, "lanes": lanes,
                         "netconvert_seconds": wall, "check": check}
        results[f"netconvert_{variant}"] = {"seconds": wall, "check": check,
                                            "lanes_min": min(lanes), "lanes_max": max(lanes)}
        print(f"netconvert ({variant} lane{'s' if variant != 'one' else ''}): {wall:.3f} s, "
              f"{check['edges']} edges, {check['connections']}/{check['connections_expected']} "
              f"connections, internal edges {check['internal_edges']}, "
              f"max rel. free-flow time error {check['max_rel_freeflow_time_error']:.1e}")
        if check["missing_edges"] or check["connections_missing"] or check["connections_extra"]:
            print(f"  differences: {check}", file=sys.stderr)

    # ---- 3. free-flow comparison (duarouter on the empty network vs Dijkstra) -------------
    first_net = nets[lanes_variants[0]]
    pairs = free_flow_pairs(net, args.ff_pairs, args.seed)
    trips_path = os.path.join(sumo_dir, "ff_trips.rou.xml")
    max_speed = max(55.56, max(link.speed_ms for link in net.links) * 1.01)
    write_ff_trips(pairs, trips_path, max_speed)
    ff_routes = os.path.join(sumo_dir, "ff_routes.rou.xml")
    cmd = [duarouter, "-n", first_net["net"], "--additional-files", taz_path,
           "--route-files", trips_path, "--with-taz", "--write-costs", "--precision", "6",
           "--output-file", ff_routes, "--no-step-log", "--ignore-errors"]
    du_wall, _ = run_timed(cmd, sumo_dir, log_path, env)
    sumo_ff = read_ff_routes(ff_routes)
    adjacency = out_links(net)
    fft = [link.fft for link in net.links]
    by_edge = {link.edge_id: link for link in net.links}
    diffs, path_diffs, same_path, unreachable, disagree = [], [], 0, 0, 0
    by_origin = {}
    for o, d in pairs:
        by_origin.setdefault(o, []).append(d)
    worst = None
    for o, dests in by_origin.items():
        dist, pred = dijkstra(adjacency, o, fft, net.first_thru_node)
        for d in dests:
            tntp_time = dist.get(d)
            if (o, d) not in sumo_ff or tntp_time is None:
                unreachable += 1
                if ((o, d) in sumo_ff) != (tntp_time is not None):
                    disagree += 1
                continue
            cost_s, edges = sumo_ff[(o, d)]
            sumo_time = cost_s / TIME_UNITS[args.time_unit]
            diff = sumo_time - tntp_time
            diffs.append(diff)
            # SUMO's route re-costed with the TNTP free-flow times: separates "other route" from
            # "other time on the same route"
            path_time = sum(by_edge[e].fft for e in edges if e in by_edge)
            path_diffs.append(path_time - tntp_time)
            tntp_path = []
            node = d
            while node != o:
                link = pred[node]
                tntp_path.append(link.edge_id)
                node = link.init
            same_path += tntp_path[::-1] == edges
            if worst is None or abs(diff) > abs(worst[2]):
                worst = (o, d, diff, sumo_time, tntp_time)
    ff = {
        "pairs": len(pairs), "compared": len(diffs), "unreachable_or_missing": unreachable,
        "reachability_disagreements": disagree,
        "max_abs_diff": max((abs(v) for v in diffs), default=math.nan),
        "mean_abs_diff": sum(abs(v) for v in diffs) / len(diffs) if diffs else math.nan,
        "mean_diff": sum(diffs) / len(diffs) if diffs else math.nan,
        "max_abs_diff_tntp_cost_of_sumo_route": max((abs(v) for v in path_diffs), default=math.nan),
        "same_route": same_path, "duarouter_seconds": du_wall,
        "worst": {"origin": worst[0], "destination": worst[1], "sumo": worst[3], "tntp": worst[4]}
        if worst else None, "unit": args.time_unit,
    }
    results["free_flow"] = ff
    print(f"free flow: {ff['compared']} OD pairs, SUMO (duarouter) - TNTP Dijkstra: max |diff| "
          f"{fmt(ff['max_abs_diff'], '.2e')} {args.time_unit}, mean |diff| "
          f"{fmt(ff['mean_abs_diff'], '.2e')} {args.time_unit}; same route {same_path}/{len(diffs)}")

    # ---- 2. marouter runs -----------------------------------------------------------------
    methods = [m.strip() for m in args.sumo_methods.split(",") if m.strip()]
    for variant in lanes_variants:
        info = nets[variant]
        for method in methods:
            run_dir = os.path.join(info["dir"], f"marouter_{method}")
            os.makedirs(run_dir, exist_ok=True)
            cmd = [marouter, "-n", info["net"], "--additional-files", taz_path,
                   "--tazrelation-files", od_path, "--assignment-method", method,
                   "--netload-output", "netload.xml", "--output-file", "routes.rou.xml",
                   "--weights.expand", "--precision", "6", "--no-step-log"]
            walls = []
            proc = None
            for _ in range(args.repeat):
                wall, proc = run_timed(cmd, run_dir, log_path, env)
                walls.append(wall)
            warnings = [l for l in proc.stderr.splitlines() if l.startswith("Warning")]
            flows, sumo_tt, sumo_cap, intervals = read_netload(os.path.join(run_dir, "netload.xml"), net)
            hourly = [f / args.interval_hours for f in flows]
            measures = equilibrium_measures(net, hourly)
            routed, nflows = routed_demand(os.path.join(run_dir, "routes.rou.xml"))
            function = marouter_cost_function(net, flows, sumo_tt, sumo_cap, args.interval_hours,
                                              info["lanes"])
            if function and "function" not in info:
                info["function"] = function
            own = gap_measures(net, hourly, marouter_costs(net, hourly, info["function"])) \
                if "function" in info else None
            entry = {
                "lanes": variant, "method": method, "wall": summarise_times(walls),
                "warnings": warnings[:5], "intervals": intervals,
                "bpr": measures, "sumo_own_tstt": sumo_tstt_own(net, hourly, sumo_tt, args.time_unit),
                "own_cost": own,
                "routed_vehicles": routed, "route_flows": nflows,
                "cost_function": {k: v for k, v in function.items() if k not in ("capacity", "slope")}
                if function else None,
                "vs_best_known": compare_with_best(net, hourly),
            }
            results["marouter"].append(entry)
            if any("No interval matches" in w for w in warnings):
                print("  warning: marouter evaluated travel times beyond the OD interval (free-flow "
                      "there); raise --interval-hours", file=sys.stderr)
            print(f"marouter {method:11s} lanes={variant:8s} wall {entry['wall']['median']:.3f} s "
                  f"(min {entry['wall']['min']:.3f}), BPR TSTT {measures['tstt']:,.0f}, "
                  f"rel. gap {measures['relative_gap']:.3e}"
                  + (f"; own cost: gap {own['relative_gap']:.3e}" if own else ""))

    # ---- 2b. sandan runs --------------------------------------------------------------------
    gaps = [g.strip() for g in args.gaps.split(",") if g.strip()]
    sandan_ok = args.sandan != "-" and sandan_has_assign(args.sandan)
    if args.sandan != "-" and not sandan_ok:
        print(f"sandan: {args.sandan} has no working 'assign' subcommand; sandan rows skipped",
              file=sys.stderr)
    if sandan_ok:
        exe = os.path.abspath(args.sandan)
        threads = [t.strip() for t in args.sandan_threads.split(",") if t.strip()]
        runs = [("tntp", tntp_copy, gap, None, t) for t in threads for gap in gaps]
        # The same problem as marouter: the TNTP rewritten with marouter's own link cost.
        tightest = min(gaps, key=float)
        for variant in lanes_variants:
            function = nets[variant].get("function")
            if function:
                folder = write_tntp_with_costs(
                    net, tntp_copy, os.path.join(workdir, f"tntp_marouter_{variant}"),
                    function["capacity"], function["slope"], [1.0] * len(net.links))
                runs.append((f"marouter_{variant}", folder, tightest, function, threads[0]))
        for problem, folder, gap, function, thread in runs:
            out_dir = os.path.join(workdir, "sandan", f"{problem}_gap_{gap}_j{thread}")
            cmd = [exe, "assign", folder, "--gap", gap, "--algorithm", args.algorithm,
                   "--out", out_dir] + args.sandan_args.split()
            if thread != "default":
                cmd += ["-j", thread]
            walls, inner = [], []
            summary = {}
            for _ in range(args.repeat):
                wall, _ = run_timed(cmd, workdir, log_path)
                walls.append(wall)
                with open(os.path.join(out_dir, "summary.json"), encoding="utf-8") as handle:
                    summary = json.load(handle)
                inner.append(find_number(summary, "seconds"))
            flows, matched = read_sandan_flows(os.path.join(out_dir, "flows.csv"), net)
            measures = equilibrium_measures(net, flows)
            entry = {
                "problem": problem, "gap": gap, "algorithm": args.algorithm, "threads": thread,
                "wall": summarise_times(walls),
                "summary_seconds": summarise_times([s for s in inner if s is not None])
                if any(s is not None for s in inner) else None,
                "summary_tstt": find_number(summary, "tstt", "total_system_travel_time"),
                "summary_gap": find_number(summary, "relative_gap", "gap"),
                "summary_iterations": find_number(summary, "iterations"),
                "links_matched": matched, "bpr": measures,
                "own_cost": gap_measures(net, flows, marouter_costs(net, flows, function))
                if function else None,
                "vs_best_known": compare_with_best(net, flows) if problem == "tntp" else None,
                "summary": summary,
            }
            results["sandan"].append(entry)
            shown = entry["own_cost"] if function else measures
            print(f"sandan assign {problem} --gap {gap} threads {thread}: wall {entry['wall']['median']:.3f} s, "
                  f"summary seconds "
                  f"{fmt(entry['summary_seconds'] and entry['summary_seconds']['median'], '.4f')}, "
                  f"TSTT {shown['tstt']:,.0f}, rel. gap {shown['relative_gap']:.3e}")

    if net.best_flow:
        best = [0.0] * len(net.links)
        by_pair = {(l.init, l.term): l.index for l in net.links}
        for frm, to, volume in net.best_flow:
            if (frm, to) in by_pair:
                best[by_pair[(frm, to)]] = volume
        results["best_known"] = equilibrium_measures(net, best)

    with open(os.path.join(workdir, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)

    print_table(results, args)
    return 0


def print_table(results, args):
    unit = args.time_unit
    print()
    print(f"## {results['network']}: sandan assign vs SUMO marouter ({results['sumo_version']})")
    print()
    print(f"Wall s: median of {args.repeat} runs of the whole process (reading, solving, writing). "
          f"Inner s: `seconds` of summary.json. TSTT in veh·{unit}.")
    print()
    print("### The TNTP problem (BPR costs)")
    print()
    print("| tool | method | lanes / gap | wall s | inner s | TSTT (BPR) | rel. gap (BPR) | note |")
    print("|---|---|---|---|---|---|---|---|")
    for entry in results["sandan"]:
        if entry["problem"] != "tntp":
            continue
        inner = entry["summary_seconds"]["median"] if entry["summary_seconds"] else None
        note = f"iterations {fmt(entry['summary_iterations'], '.0f')}"
        if entry["summary_tstt"] is not None:
            note += f", summary TSTT {entry['summary_tstt']:,.0f}"
        print(f"| sandan assign | algorithm {entry['algorithm']}, threads {entry['threads']} | "
              f"gap {entry['gap']} | "
              f"{entry['wall']['median']:.3f} | {fmt(inner, '.4f')} | {entry['bpr']['tstt']:,.0f} | "
              f"{entry['bpr']['relative_gap']:.2e} | {note} |")
    for entry in results["marouter"]:
        method = entry["method"] + (" (runs SUE)" if entry["method"] == "UE" else "")
        print(f"| marouter | {method} | {entry['lanes']} | {entry['wall']['median']:.3f} | n/a | "
              f"{entry['bpr']['tstt']:,.0f} | {entry['bpr']['relative_gap']:.2e} | "
              f"solves its own cost, not BPR |")
    if "best_known" in results:
        b = results["best_known"]
        print(f"| best known (*_flow.tntp) | | | | | {b['tstt']:,.0f} | {b['relative_gap']:.2e} | |")

    print()
    print("### The same problem as marouter (its own link cost t = t0 (1 + k x / C))")
    print()
    print("| tool | method | lanes / gap | wall s | inner s | TSTT (marouter cost) | rel. gap | C per lane, k |")
    print("|---|---|---|---|---|---|---|---|")
    for entry in results["marouter"]:
        if not entry["own_cost"]:
            continue
        method = entry["method"] + (" (runs SUE)" if entry["method"] == "UE" else "")
        cf = entry["cost_function"]
        print(f"| marouter | {method} | {entry['lanes']} | {entry['wall']['median']:.3f} | n/a | "
              f"{entry['own_cost']['tstt']:,.0f} | {entry['own_cost']['relative_gap']:.2e} | "
              f"{cf['capacity_per_lane_min']:.0f}, {cf['slope_min']:.3f} |")
    for entry in results["sandan"]:
        if entry["problem"] == "tntp" or not entry["own_cost"]:
            continue
        inner = entry["summary_seconds"]["median"] if entry["summary_seconds"] else None
        print(f"| sandan assign | algorithm {entry['algorithm']}, threads {entry['threads']} | "
              f"{entry['problem'].replace('marouter_', '')}, gap {entry['gap']} | "
              f"{entry['wall']['median']:.3f} | {fmt(inner, '.4f')} | {entry['own_cost']['tstt']:,.0f} | "
              f"{entry['own_cost']['relative_gap']:.2e} | same, as b = k, power 1 |")

    ff = results["free_flow"]
    print()
    print("### Free-flow travel time of the same OD pairs")
    print()
    print(f"duarouter on the empty network minus Dijkstra on the TNTP free-flow times, in {unit}:")
    print()
    print("| pairs | max abs diff | mean abs diff | mean diff | same route | "
          "SUMO route re-costed: max abs diff | duarouter wall s |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {ff['compared']} of {ff['pairs']} | {fmt(ff['max_abs_diff'], '.2e')} | "
          f"{fmt(ff['mean_abs_diff'], '.2e')} | {fmt(ff['mean_diff'], '.2e')} | "
          f"{ff['same_route']} | {fmt(ff['max_abs_diff_tntp_cost_of_sumo_route'], '.2e')} | "
          f"{ff['duarouter_seconds']:.3f} |")
    print()
    print(f"Files and logs: {results['workdir']} (results.json, commands.log)")


if __name__ == "__main__":
    sys.exit(main())
