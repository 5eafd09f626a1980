#include "site/site.hpp"

#include <array>

namespace sandan {
namespace {
template <typename Enum, std::size_t N>
std::optional<Enum> parse_word(const std::array<std::pair<const char*, Enum>, N>& words,
                               const std::string& text) {
  for (const auto& [word, value] : words) {
    if (text == word) return value;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<const char*, ComplexRole>, 2> kRoles{
    {{"hub", ComplexRole::kHub}, {"linked", ComplexRole::kLinked}}};
constexpr std::array<std::pair<const char*, Shift>, 3> kShifts{
    {{"day", Shift::kDay}, {"two", Shift::kTwo}, {"continuous", Shift::kContinuous}}};
constexpr std::array<std::pair<const char*, Fuel>, 5> kFuels{{{"", Fuel::kNone},
                                                              {"lng", Fuel::kLng},
                                                              {"lpg", Fuel::kLpg},
                                                              {"diesel", Fuel::kDiesel},
                                                              {"fuel_oil", Fuel::kFuelOil}}};
constexpr std::array<std::pair<const char*, GateKind>, 3> kGateKinds{
    {{"expressway", GateKind::kExpressway}, {"port", GateKind::kPort}, {"city", GateKind::kCity}}};
constexpr std::array<std::pair<const char*, RoadClass>, 4> kRoadClasses{{{"arterial", RoadClass::kArterial},
                                                                         {"collector", RoadClass::kCollector},
                                                                         {"local", RoadClass::kLocal},
                                                                         {"external", RoadClass::kExternal}}};

template <typename Enum, std::size_t N>
const char* word_of(const std::array<std::pair<const char*, Enum>, N>& words, Enum value) {
  for (const auto& [word, v] : words) {
    if (v == value) return word;
  }
  return "";
}
}  // namespace

const char* to_string(ComplexRole role) { return word_of(kRoles, role); }
const char* to_string(Shift shift) { return word_of(kShifts, shift); }
const char* to_string(Fuel fuel) { return word_of(kFuels, fuel); }
const char* to_string(GateKind kind) { return word_of(kGateKinds, kind); }
const char* to_string(RoadClass road_class) { return word_of(kRoadClasses, road_class); }
std::optional<ComplexRole> parse_complex_role(const std::string& text) { return parse_word(kRoles, text); }
std::optional<Shift> parse_shift(const std::string& text) { return parse_word(kShifts, text); }
std::optional<Fuel> parse_fuel(const std::string& text) { return parse_word(kFuels, text); }
std::optional<GateKind> parse_gate_kind(const std::string& text) { return parse_word(kGateKinds, text); }
std::optional<RoadClass> parse_road_class(const std::string& text) { return parse_word(kRoadClasses, text); }

}  // namespace sandan
