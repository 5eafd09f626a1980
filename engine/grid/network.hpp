// grid/network: an electrical network in per unit on a system base, as MATPOWER describes one
// (Zimmerman, Murillo-Sánchez & Thomas 2011, "MATPOWER", IEEE Trans. Power Systems 26(1); the case
// format of the MATPOWER manual, appendix B). Loads are in MW/MVAr, impedances in per unit.
#pragma once

#include <string>
#include <vector>

namespace sandan {

enum class BusType { kPq = 1, kPv = 2, kSlack = 3, kIsolated = 4 };

struct Bus {
  std::string id;  // the case's bus number as text, or the layout's bus id
  BusType type = BusType::kPq;
  double pd_mw = 0.0;  // demand
  double qd_mvar = 0.0;
  double gs_mw = 0.0;    // shunt conductance, MW demanded at 1.0 p.u.
  double bs_mvar = 0.0;  // shunt susceptance, MVAr injected at 1.0 p.u.
  double vm_pu = 1.0;    // initial (and, at PV and slack buses, set) magnitude
  double va_deg = 0.0;
  double base_kv = 0.0;
  double vmax_pu = 1.05;
  double vmin_pu = 0.95;
};

struct Branch {
  std::string id;
  int from = -1;  // bus indices
  int to = -1;
  double r_pu = 0.0;
  double x_pu = 0.0;
  double b_pu = 0.0;        // total line charging susceptance
  double rate_a_mva = 0.0;  // long-term rating; 0: unlimited
  double tap = 0.0;         // off-nominal turns ratio at the from side; 0 means 1
  double shift_deg = 0.0;   // phase shift
  bool in_service = true;
};

struct Generator {
  int bus = -1;
  double pg_mw = 0.0;
  double qg_mvar = 0.0;
  double vg_pu = 1.0;  // voltage set point of its bus
  double qmax_mvar = 0.0;
  double qmin_mvar = 0.0;
  bool in_service = true;
};

struct Network {
  std::string name;
  double base_mva = 100.0;
  std::vector<Bus> buses;
  std::vector<Branch> branches;
  std::vector<Generator> generators;
};

}  // namespace sandan
