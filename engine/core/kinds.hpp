// core/kinds: the vehicle classes and fuels that several modules speak of (traffic demand, emission
// factors, results), as types rather than bare indices, so that `vkt[1] + vkt[2]` becomes a sum over
// the truck classes that says so.
#pragma once

#include <array>
#include <cstddef>

namespace sandan {

// Vehicle classes of the complexes' traffic, in this order everywhere (results' `class` dimension).
enum class VehicleClass { kCar = 0, kLightTruck = 1, kHeavyTruck = 2 };
inline constexpr int kVehicleClassCount = 3;
inline constexpr std::array<VehicleClass, kVehicleClassCount> kVehicleClasses{
    VehicleClass::kCar, VehicleClass::kLightTruck, VehicleClass::kHeavyTruck};
// Position of a class in per-class arrays.
[[nodiscard]] constexpr std::size_t index_of(VehicleClass c) { return static_cast<std::size_t>(c); }
[[nodiscard]] constexpr bool is_truck(VehicleClass c) { return c != VehicleClass::kCar; }
[[nodiscard]] const char* to_string(VehicleClass vehicle_class);  // "car", "light_truck", "heavy_truck"

// Fuels a facility burns for process heat; kNone for a facility that burns none.
enum class Fuel { kNone, kLng, kLpg, kDiesel, kFuelOil };
// The fuels that are burned (Fuel without kNone), in this order in per-fuel arrays.
inline constexpr int kFuelCount = 4;
inline constexpr std::array<Fuel, kFuelCount> kBurnedFuels{Fuel::kLng, Fuel::kLpg, Fuel::kDiesel,
                                                           Fuel::kFuelOil};
// Position of a burned fuel in per-fuel arrays (not for kNone).
[[nodiscard]] constexpr std::size_t index_of(Fuel f) { return static_cast<std::size_t>(f) - 1; }

}  // namespace sandan
