#include "meter/units.hpp"

#include <cctype>
#include <string>

namespace sandan::meter {

std::optional<UnitInfo> parse_unit(std::string_view text) {
  std::string unit;
  for (const char c : text) unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (unit == "wh") return UnitInfo{false, 1e-3};
  if (unit == "kwh") return UnitInfo{false, 1.0};
  if (unit == "mwh") return UnitInfo{false, 1e3};
  if (unit == "w") return UnitInfo{true, 1e-3};
  if (unit == "kw") return UnitInfo{true, 1.0};
  if (unit == "mw") return UnitInfo{true, 1e3};
  return std::nullopt;
}

const char* accepted_units() {
  return "energy per interval Wh, kWh or MWh, or mean power W, kW or MW (reactive energy kVarh, current A "
         "or temperatures are not meter energy)";
}

}  // namespace sandan::meter
