// gis/topology: moved to site/topology.hpp (the road graph and feeder trees need no GDAL). Kept for
// sources not yet moved to the new path; include site/topology.hpp in new code.
#pragma once

#include "site/topology.hpp"
