#include "core/kinds.hpp"

namespace sandan {

const char* to_string(VehicleClass vehicle_class) {
  switch (vehicle_class) {
    case VehicleClass::kCar:
      return "car";
    case VehicleClass::kLightTruck:
      return "light_truck";
    case VehicleClass::kHeavyTruck:
      return "heavy_truck";
  }
  return "car";
}

}  // namespace sandan
