// meter/units: the units meter data may be in. Energy per interval (Wh, kWh, MWh) is summed as it is;
// power (W, kW, MW) is a mean over the interval, so energy = power × interval. Case is ignored
// ("KWH", "kwh"): no meter reports milliwatt-hours, so "mwh" is MWh.
#pragma once

#include <optional>
#include <string_view>

namespace sandan::meter {

struct UnitInfo {
  bool power = false;    // W, kW, MW
  double to_kilo = 1.0;  // factor to kWh (energy) or kW (power)
};

[[nodiscard]] std::optional<UnitInfo> parse_unit(std::string_view text);
[[nodiscard]] const char* accepted_units();

}  // namespace sandan::meter
