#include "sandan_solvers.hpp"

namespace sandan {

const char* version() { return SANDAN_VERSION; }

}  // namespace sandan
