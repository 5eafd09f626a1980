// sandan_solvers: the light door of the facade, for programs that solve cases without a layout or a
// results file: the AC power flow of a MATPOWER case, the traffic assignment of a TNTP case and the
// dynamic network loading of a DNL case. Its
// target (sandan::solvers) links neither GDAL, PROJ nor HDF5, so the `sandan` command starts in a few
// milliseconds for `powerflow` and `assign` (docs/architecture.md). sandan.hpp includes it.
#pragma once

#include <functional>
#include <string>

#include "core/error.hpp"
#include "grid/case_io.hpp"
#include "grid/network.hpp"
#include "grid/powerflow.hpp"
#include "traffic/assignment.hpp"
#include "traffic/dnl_case.hpp"
#include "traffic/dynamic.hpp"
#include "traffic/tntp.hpp"

namespace sandan {

// The library's version, e.g. "0.1.0".
[[nodiscard]] const char* version();

// A MATPOWER case in CSV form (bus.csv, gen.csv, branch.csv, case.json) and its power flow.
struct CaseSolution {
  Network network;
  PowerFlowResult result;
  double solve_ms = 0.0;  // wall time of the solve alone
};

// Reads and solves a case; when it converges and out_dir is not empty, writes solution_bus.csv,
// solution_branch.csv and summary.json there. Throws ConfigError for a bad case, Error(kIo) for an
// unwritable out_dir. A case that does not converge is returned as such (result.converged false).
[[nodiscard]] CaseSolution solve_case(const std::string& case_dir, const PowerFlowOptions& options,
                                      const std::string& out_dir = "");

// A TNTP case (*_net.tntp, *_trips.tntp) and its user-equilibrium assignment.
struct CaseAssignment {
  TntpCase tntp;
  AssignmentResult result;
};

// Reads a TNTP case (first_thru_node 0 keeps the file's), calls on_read with it before solving, and
// assigns its demand; writes flows.csv and summary.json to out_dir when not empty. Throws ConfigError
// for a bad case, Error(kIo) for an unwritable out_dir.
[[nodiscard]] CaseAssignment assign_case(const std::string& tntp_dir, int first_thru_node,
                                         const AssignmentOptions& options,
                                         const std::function<void(const TntpCase&)>& on_read = {},
                                         const std::function<void(const IterationRecord&)>& on_iteration = {},
                                         const std::string& out_dir = "");

// A dynamic network loading case folder (schema sandan-dnl-case v1) and its simulation by the link
// transmission model. Writes vehicles.csv, links.csv and summary.json to out_dir when not empty.
// Throws ConfigError for a bad case, Error(kIo) for an unwritable out_dir.
struct DnlCaseRun {
  DnlCase dnl;
  DnlResult result;
  DnlSummary summary;
};
[[nodiscard]] DnlCaseRun simulate_dnl_case(const std::string& case_dir, const std::string& out_dir = "");

}  // namespace sandan
