// grid/case_io: power flow cases in MATPOWER's CSV form and their solutions.
//
// A case folder holds case.json (baseMVA, units), bus.csv, gen.csv and branch.csv whose columns are
// MATPOWER's (manual, appendix B, tables B-1 to B-3) under MATPOWER's names: bus_i, type, Pd, Qd, Gs,
// Bs, area, Vm, Va, baseKV, zone, Vmax, Vmin; bus, Pg, Qg, Qmax, Qmin, Vg, mBase, status, Pmax, Pmin;
// fbus, tbus, r, x, b, rateA, rateB, rateC, ratio, angle, status. Per unit on baseMVA, loads in MW and
// MVAr, angles in degrees. Columns may come in any order; MATPOWER's further columns are ignored.
#pragma once

#include <string>

#include "grid/network.hpp"
#include "grid/powerflow.hpp"

namespace sandan {

// Reads the case in folder `dir`. Throws ConfigError listing every problem as "file:line: field:
// message": a missing file or column, a field that is not a number, a duplicate bus, a generator or
// branch at an unknown bus, no slack bus, a branch in service with r < 0 or r = x = 0, a bus that no
// in-service branch connects to a slack bus (type 4 isolated buses excepted).
Network read_case(const std::string& dir);

// Writes dir/solution_bus.csv (bus_i,Vm,Va), dir/solution_branch.csv (fbus,tbus,status,Pf,Qf,Pt,Qt in
// MW and MVAr) and dir/summary.json (converged, iterations, method, total_loss_mw, max_mismatch_pu,
// vmin_pu, vmin_bus, vmax_pu, vmax_bus), creating the folder. Each file is written to a temporary
// name and renamed once all are complete. Throws Error(kBadInput) and writes nothing when the power
// flow did not converge, Error(kIo) when a file cannot be written.
void write_solution(const Network& network, const PowerFlowResult& result, const std::string& dir);

}  // namespace sandan
