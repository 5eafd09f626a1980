// cli/solver_commands: `sandan powerflow`, `sandan assign` and `sandan dnl CASE`, which solve a case without
// a layout or a results file. Both programs of the CLI have them; `sandan` runs them itself (sandan::solvers
// only).
#pragma once

#include "app.hpp"

namespace sandan::cli {

// Each prints its summary on stdout and returns the exit code; throws sandan::Error for bad input.
int run_powerflow(const PowerflowArgs& args);
int run_assign(const AssignArgs& args);
// `sandan dnl CASE`: the case folder's dynamic loading (the --scenario form is sandan-full's).
int run_dnl(const DnlArgs& args);

}  // namespace sandan::cli
