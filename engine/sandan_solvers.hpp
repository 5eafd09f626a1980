// sandan_solvers: the light door of the facade, for programs that solve cases without a layout or a
// results file: the AC power flow of a MATPOWER case and the traffic assignment of a TNTP case. Its
// target (sandan::solvers) links neither GDAL, PROJ nor HDF5, so the `sandan` command starts in a few
// milliseconds for `powerflow` and `assign` (docs/architecture.md). sandan.hpp includes it.
#pragma once

#include "core/error.hpp"
#include "grid/case_io.hpp"
#include "grid/network.hpp"
#include "grid/powerflow.hpp"
#include "traffic/assignment.hpp"
#include "traffic/tntp.hpp"

namespace sandan {

// The library's version, e.g. "0.1.0".
[[nodiscard]] const char* version();

}  // namespace sandan
