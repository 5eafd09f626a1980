// energy/loads: the archetype file reader and the hourly load model (docs/energy-model.md, "Loads").
#include "energy/loads.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-load-archetypes";
constexpr int kVersion = 1;
constexpr int kHoursPerDay = 24;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

using config::as_number;
using config::check_range;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_figure;
using config::read_text;

// Unlike the other readers, a confidence of the wrong type is reported against the allowed words.
void check_confidence(const MapView& map, Problems& problems) {
  const auto node = map.get("confidence");
  if (!node) return;
  if (!node->IsScalar() ||
      (node->Scalar() != "verified" && node->Scalar() != "secondary" && node->Scalar() != "estimate")) {
    problems.add(*node, map.path("confidence"),
                 "must be verified, secondary or estimate, got " + describe(*node));
  }
}

void assign(double& target, std::optional<double> value) {
  if (value) target = *value;
}

// {values: [24 numbers >= 0], source, confidence}.
std::vector<double> read_day_profile(const MapView& parent, const std::string& key, Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return {};
  const MapView map(*node, parent.path(key), problems, {"values", "source", "confidence"}, {},
                    parent.key_line(key));
  if (!map.ok()) return {};
  (void)read_text(map, "source", problems);
  check_confidence(map, problems);
  const auto values = map.get("values");
  if (!values) return {};
  const std::string path = map.path("values");
  if (!values->IsSequence() || values->size() != kHoursPerDay) {
    problems.add(
        *values, path,
        "must be a list of 24 numbers (hours 0-23), got " +
            (values->IsSequence() ? "a list of " + std::to_string(values->size()) : describe(*values)));
    return {};
  }
  std::vector<double> profile;
  bool ok = true;
  for (std::size_t i = 0; i < values->size(); ++i) {
    const YAML::Node item = (*values)[i];
    const std::string item_path = indexed(path, i);
    const auto value = as_number(item, item_path, problems);
    if (!value) {
      ok = false;
      continue;
    }
    if (*value < 0.0) {
      check_range(item, item_path, *value, 0.0, kInfinity, problems);
      ok = false;
    }
    profile.push_back(*value);
  }
  return ok ? profile : std::vector<double>{};
}

std::optional<ShiftProfile> read_shift(const MapView& shifts, const std::string& key, Problems& problems) {
  const auto node = shifts.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, shifts.path(key), problems, {"weekday", "saturday", "sunday", "shutdown"}, {},
                    shifts.key_line(key));
  if (!map.ok()) return std::nullopt;
  ShiftProfile shift;
  shift.weekday = read_day_profile(map, "weekday", problems);
  shift.saturday = read_day_profile(map, "saturday", problems);
  shift.sunday = read_day_profile(map, "sunday", problems);
  shift.shutdown = read_day_profile(map, "shutdown", problems);
  if (!shift.weekday.empty() && *std::max_element(shift.weekday.begin(), shift.weekday.end()) <= 0.0) {
    problems.add(*map.get("weekday"), map.path("weekday.values"), "must not be all 0");
    return std::nullopt;
  }
  if (shift.weekday.empty() || shift.saturday.empty() || shift.sunday.empty() || shift.shutdown.empty()) {
    return std::nullopt;
  }
  return shift;
}

std::optional<SectorArchetype> read_sector(const YAML::Node& node, const std::string& path, int line,
                                           Problems& problems) {
  const MapView map(node, path, problems,
                    {"name", "elec_kwh_per_m2", "fuel_kwh_per_m2", "cooling_share", "heating_share",
                     "fuel_space_heating_share"},
                    {"power_factor"}, line);
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "name", problems);
  SectorArchetype sector;
  if (const auto name = map.get("name"); name && name->IsScalar()) sector.name = name->Scalar();
  const auto elec = read_figure(map, "elec_kwh_per_m2", 0.0, kInfinity, problems);
  const auto fuel = read_figure(map, "fuel_kwh_per_m2", 0.0, kInfinity, problems);
  const auto cooling = read_figure(map, "cooling_share", 0.0, 1.0, problems);
  const auto heating = read_figure(map, "heating_share", 0.0, 1.0, problems);
  const auto space_heating = read_figure(map, "fuel_space_heating_share", 0.0, 1.0, problems);
  if (cooling && heating && *cooling + *heating > 1.0) {
    problems.add(*map.get("heating_share"), map.path("heating_share"),
                 "cooling_share + heating_share must be <= 1, got " + format_number(*cooling + *heating));
  }
  if (!elec || !fuel || !cooling || !heating || !space_heating) return std::nullopt;
  sector.elec_kwh_per_m2 = *elec;
  sector.fuel_kwh_per_m2 = *fuel;
  sector.cooling_share = *cooling;
  sector.heating_share = *heating;
  sector.fuel_space_heating_share = *space_heating;
  if (map.get("power_factor")) {
    const auto pf = read_figure(map, "power_factor", 0.5, 1.0, problems);
    if (!pf) return std::nullopt;
    sector.power_factor = *pf;
  }
  return sector;
}

// A KSIC division as gis_data/complexes.yaml writes it: one capital letter and two digits.
bool is_ksic_division(const std::string& code) {
  return code.size() == 3 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= '0' && code[1] <= '9' &&
         code[2] >= '0' && code[2] <= '9';
}

void read_sectors(const MapView& top, LoadLibrary& library, Problems& problems) {
  const auto node = top.get("sectors");
  if (!node) return;
  if (!node->IsMap()) {
    problems.add(*node, "sectors", "must be a map of KSIC divisions, got " + describe(*node));
    return;
  }
  for (const auto& entry : *node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar() || !is_ksic_division(key.Scalar())) {
      problems.add(key, "sectors",
                   "keys must be KSIC divisions (a letter and two digits, e.g. C29), got " + describe(key));
      continue;
    }
    const std::string path = "sectors." + key.Scalar();
    if (library.sectors.count(key.Scalar()) != 0) {
      problems.add(key, path, "repeated key");
      continue;
    }
    if (auto sector = read_sector(entry.second, path, key.Mark().line + 1, problems))
      library.sectors.emplace(key.Scalar(), *sector);
  }
}

const std::vector<double>& day_profile(const ShiftProfile& shift, DayType type) {
  switch (type) {
    case DayType::kWeekday:
      return shift.weekday;
    case DayType::kSaturday:
      return shift.saturday;
    case DayType::kSunday:
    case DayType::kHoliday:
      return shift.sunday;
    case DayType::kShutdown:
      return shift.shutdown;
  }
  return shift.weekday;
}

double profile_value(const std::vector<double>& profile, int hour_of_day) {
  return static_cast<std::size_t>(hour_of_day) < profile.size()
             ? profile[static_cast<std::size_t>(hour_of_day)]
             : 0.0;
}

double max_of(const std::vector<double>& values) {
  double best = 0.0;
  for (double v : values) best = std::max(best, v);
  return best;
}

// Hourly shapes of one (sector, shift) pair for the year, each summing to 1, before noise.
struct Shapes {
  std::vector<double> elec;
  std::vector<double> fuel;
};

// share · series / Σ series, added to out; a series that is 0 all year (no hour warm enough for
// cooling, say) hands its share to the fallback series, so the annual total still holds.
void add_share(std::vector<double>& out, double share, const std::vector<double>& series, double series_sum,
               const std::vector<double>& fallback, double fallback_sum) {
  if (share <= 0.0) return;
  const bool use_series = series_sum > 0.0;
  const std::vector<double>& chosen = use_series ? series : fallback;
  const double sum = use_series ? series_sum : fallback_sum;
  if (sum <= 0.0) return;
  const double factor = share / sum;
  for (std::size_t h = 0; h < out.size(); ++h) out[h] += factor * chosen[h];
}

Shapes make_shapes(const SectorArchetype& sector, const ShiftProfile& shift, const Calendar& calendar,
                   const std::vector<double>& dry_bulb_c, const LoadLibrary& library) {
  const auto hours = static_cast<std::size_t>(calendar.hours());
  std::vector<double> occupancy(hours);
  std::vector<double> cooling(hours);
  std::vector<double> heating(hours);
  const double peak =
      std::max({max_of(shift.weekday), max_of(shift.saturday), max_of(shift.sunday), max_of(shift.shutdown)});
  const double unoccupied = std::clamp(library.hvac_unoccupied_weight, 0.0, 1.0);
  double occupancy_sum = 0.0;
  double cooling_sum = 0.0;
  double heating_sum = 0.0;
  for (std::size_t h = 0; h < hours; ++h) {
    const int hour = static_cast<int>(h);
    const double load =
        std::max(0.0, profile_value(day_profile(shift, calendar.day_type(hour)), calendar.hour_of_day(hour)));
    occupancy[h] = load;
    occupancy_sum += load;
    // Degree-hours weighted by how busy the factory is: HVAC is set back, not off, outside working hours.
    const double weight = peak > 0.0 ? unoccupied + (1.0 - unoccupied) * load / peak : 1.0;
    const double t = h < dry_bulb_c.size() ? dry_bulb_c[h] : std::numeric_limits<double>::quiet_NaN();
    // A NaN temperature fails both comparisons and counts as neutral.
    cooling[h] = t > library.cooling_balance_c ? (t - library.cooling_balance_c) * weight : 0.0;
    heating[h] = t < library.heating_balance_c ? (library.heating_balance_c - t) * weight : 0.0;
    cooling_sum += cooling[h];
    heating_sum += heating[h];
  }
  // A profile that is 0 all year (possible only in a library built in code) becomes flat.
  if (occupancy_sum <= 0.0) {
    std::fill(occupancy.begin(), occupancy.end(), 1.0);
    occupancy_sum = static_cast<double>(hours);
  }

  const double cooling_share = std::clamp(sector.cooling_share, 0.0, 1.0);
  const double heating_share = std::clamp(sector.heating_share, 0.0, 1.0 - cooling_share);
  const double space_heating_share = std::clamp(sector.fuel_space_heating_share, 0.0, 1.0);
  Shapes shapes;
  shapes.elec.assign(hours, 0.0);
  add_share(shapes.elec, 1.0 - cooling_share - heating_share, occupancy, occupancy_sum, occupancy,
            occupancy_sum);
  add_share(shapes.elec, cooling_share, cooling, cooling_sum, occupancy, occupancy_sum);
  add_share(shapes.elec, heating_share, heating, heating_sum, occupancy, occupancy_sum);
  shapes.fuel.assign(hours, 0.0);
  add_share(shapes.fuel, 1.0 - space_heating_share, occupancy, occupancy_sum, occupancy, occupancy_sum);
  add_share(shapes.fuel, space_heating_share, heating, heating_sum, occupancy, occupancy_sum);
  return shapes;
}

// An approximately standard normal number from one 64-bit draw: the sum of its four 16-bit parts
// (Irwin-Hall with n = 4, variance 4 · N²/12 for N = 2^16) centred and scaled to unit variance. Its
// tails end at ±√12 ≈ 3.5, which is what meter noise needs, at a fraction of Box-Muller's cost.
double approx_normal(Rng& rng) {
  constexpr double kParts = 65536.0;
  constexpr double kMean = 4.0 * (kParts - 1.0) / 2.0;
  const double scale = std::sqrt(3.0) / kParts;
  const std::uint64_t bits = rng.next();
  const double sum = static_cast<double>(bits & 0xFFFFU) + static_cast<double>((bits >> 16U) & 0xFFFFU) +
                     static_cast<double>((bits >> 32U) & 0xFFFFU) + static_cast<double>(bits >> 48U);
  return (sum - kMean) * scale;
}

// Hourly multipliers (1 + σz/2)² of a stationary AR(1) process z with unit variance: never negative, mean
// ≈ 1, relative standard deviation ≈ σ; a cheap second-order stand-in for the lognormal exp(σz).
void fill_noise(std::vector<double>& multiplier, double sd, double autocorrelation, Rng& rng) {
  const double phi = std::clamp(autocorrelation, 0.0, 0.99);
  const double innovation = std::sqrt(1.0 - phi * phi);
  const double half_sd = 0.5 * std::max(0.0, sd);
  double z = approx_normal(rng);
  for (std::size_t h = 0; h < multiplier.size(); ++h) {
    if (h > 0) z = phi * z + innovation * approx_normal(rng);
    const double root = 1.0 + half_sd * z;
    multiplier[h] = root * root;
  }
}

// Writes total_kwh · shape · multiplier / Σ(shape · multiplier) and returns the sum of what was written.
double write_scaled(const std::vector<double>& shape, const std::vector<double>& multiplier, double total_kwh,
                    float* out) {
  if (!(total_kwh > 0.0)) return 0.0;
  double sum = 0.0;
  for (std::size_t h = 0; h < shape.size(); ++h) sum += shape[h] * multiplier[h];
  if (!(sum > 0.0)) return 0.0;
  const double scale = total_kwh / sum;
  double written = 0.0;
  for (std::size_t h = 0; h < shape.size(); ++h) {
    const auto value = static_cast<float>(shape[h] * multiplier[h] * scale);
    out[h] = value;
    written += static_cast<double>(value);
  }
  return written;
}

double finite_or_zero(double value) { return std::isfinite(value) && value > 0.0 ? value : 0.0; }

}  // namespace

LoadLibrary read_load_library(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "load archetypes file");

  Problems problems(path, "(top level)");
  LoadLibrary library;
  const MapView top(root, "", problems,
                    {"schema", "version", "cooling_balance_c", "heating_balance_c", "hvac_unoccupied_weight",
                     "noise_sd", "noise_autocorrelation", "shifts", "sectors", "fallback"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    const auto cooling = read_figure(top, "cooling_balance_c", -30.0, 40.0, problems);
    const auto heating = read_figure(top, "heating_balance_c", -30.0, 40.0, problems);
    if (cooling && heating && *heating > *cooling) {
      problems.add(
          *top.get("heating_balance_c"), "heating_balance_c.value",
          "must be <= cooling_balance_c (" + format_number(*cooling) + "), got " + format_number(*heating));
    }
    assign(library.cooling_balance_c, cooling);
    assign(library.heating_balance_c, heating);
    assign(library.hvac_unoccupied_weight, read_figure(top, "hvac_unoccupied_weight", 0.0, 1.0, problems));
    assign(library.noise_sd, read_figure(top, "noise_sd", 0.0, 1.0, problems));
    assign(library.noise_autocorrelation, read_figure(top, "noise_autocorrelation", 0.0, 0.99, problems));

    if (const auto shifts_node = top.get("shifts")) {
      const MapView shifts(*shifts_node, "shifts", problems, {"day", "two", "continuous"}, {},
                           top.key_line("shifts"));
      if (shifts.ok()) {
        for (const Shift shift : {Shift::kDay, Shift::kTwo, Shift::kContinuous}) {
          if (auto profile = read_shift(shifts, to_string(shift), problems)) library.shifts[shift] = *profile;
        }
      }
    }
    read_sectors(top, library, problems);
    if (const auto fallback = top.get("fallback")) {
      if (auto sector = read_sector(*fallback, "fallback", top.key_line("fallback"), problems))
        library.fallback = *sector;
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid load archetypes file", problems.list());
  return library;
}

struct LoadModel::Impl {
  const Site& site;
  const LoadLibrary& library;
  std::uint64_t seed = 0;
  std::size_t hours = 0;
  std::map<std::pair<const SectorArchetype*, Shift>, Shapes> shapes;
  // Per facility, its calibration (nullptr: none); and what a kModel facility's hours need.
  std::vector<const LoadCalibration*> calibrated;
  std::size_t calibrated_count = 0;
  std::vector<DayType> day_type;   // per hour
  std::vector<double> dry_bulb_c;  // per hour (NaN: neutral)

  const SectorArchetype& sector_of(const Facility& facility) const {
    const auto it = library.sectors.find(facility.ksic);
    return it == library.sectors.end() ? library.fallback : it->second;
  }
};

LoadModel::LoadModel(const Site& site, const Calendar& calendar, const std::vector<double>& dry_bulb_c,
                     const LoadLibrary& library, std::uint64_t seed, const Calibration* calibration)
    : impl_(std::make_unique<Impl>(
          Impl{site, library, seed, static_cast<std::size_t>(calendar.hours()), {}, {}, 0, {}, {}})) {
  if (calibration != nullptr && !calibration->loads.empty()) {
    std::map<std::string, const LoadCalibration*> by_id;
    for (const LoadCalibration& c : calibration->loads) by_id.emplace(c.facility_id, &c);
    impl_->calibrated.assign(site.facilities.size(), nullptr);
    bool any_model = false;
    for (std::size_t f = 0; f < site.facilities.size(); ++f) {
      const auto it = by_id.find(site.facilities[f].facility_id);
      if (it == by_id.end()) continue;
      impl_->calibrated[f] = it->second;
      ++impl_->calibrated_count;
      any_model = any_model || it->second->method == CalibrationMethod::kModel;
    }
    if (any_model) {
      impl_->day_type.resize(impl_->hours);
      impl_->dry_bulb_c.assign(impl_->hours, std::numeric_limits<double>::quiet_NaN());
      for (std::size_t h = 0; h < impl_->hours; ++h) {
        impl_->day_type[h] = calendar.day_type(static_cast<int>(h));
        if (h < dry_bulb_c.size()) impl_->dry_bulb_c[h] = dry_bulb_c[h];
      }
    }
  }
  // The shapes depend only on (sector, shift): a few dozen pairs for thousands of facilities, so each
  // is built once and a facility costs only its noise and a scaling.
  const ShiftProfile flat{std::vector<double>(kHoursPerDay, 1.0), std::vector<double>(kHoursPerDay, 1.0),
                          std::vector<double>(kHoursPerDay, 1.0), std::vector<double>(kHoursPerDay, 1.0)};
  for (const Facility& facility : site.facilities) {
    const SectorArchetype& sector = impl_->sector_of(facility);
    const auto key = std::make_pair(&sector, facility.shift);
    if (impl_->shapes.count(key) > 0) continue;
    const auto shift_it = library.shifts.find(facility.shift);
    const ShiftProfile& shift = shift_it == library.shifts.end() ? flat : shift_it->second;
    impl_->shapes.emplace(key, make_shapes(sector, shift, calendar, dry_bulb_c, library));
  }
}

LoadModel::~LoadModel() = default;

int LoadModel::hours() const { return static_cast<int>(impl_->hours); }

std::size_t LoadModel::calibrated_facilities() const { return impl_->calibrated_count; }

LoadModel::Annual LoadModel::facility(std::size_t f, float* elec_kw, float* fuel_kw) const {
  const Facility& facility = impl_->site.facilities[f];
  const LoadLibrary& library = impl_->library;
  const SectorArchetype& sector = impl_->sector_of(facility);
  const Shapes& shapes = impl_->shapes.at({&sector, facility.shift});
  const double floor_m2 = finite_or_zero(facility.floor_area_m2);
  const double elec_kwh = facility.annual_elec_mwh ? 1000.0 * finite_or_zero(*facility.annual_elec_mwh)
                                                   : floor_m2 * finite_or_zero(sector.elec_kwh_per_m2);
  double fuel_kwh = 0.0;
  if (facility.annual_fuel_mwh) {
    fuel_kwh = 1000.0 * finite_or_zero(*facility.annual_fuel_mwh);
  } else if (facility.fuel != Fuel::kNone) {
    fuel_kwh = floor_m2 * finite_or_zero(sector.fuel_kwh_per_m2);
  }
  const LoadCalibration* calibration = impl_->calibrated.empty() ? nullptr : impl_->calibrated[f];
  // One scratch series a thread: facility() runs in parallel loops.
  thread_local std::vector<double> multiplier;
  multiplier.assign(impl_->hours, 1.0);
  if (library.noise_sd > 0.0) {
    // Keyed by the facility's id, not its position: a facility's noise does not change when other
    // complexes join or leave the run.
    Rng rng(impl_->seed, stream_of(facility.facility_id));
    fill_noise(multiplier, library.noise_sd, library.noise_autocorrelation, rng);
  }
  // Production drives both carriers, so one noise series serves electricity and fuel.
  Annual annual;
  if (calibration != nullptr && calibration->method == CalibrationMethod::kModel) {
    annual.elec_mwh = calibrated_year(*calibration, f, elec_kw) / 1000.0;
  } else {
    const double scale = calibration != nullptr ? finite_or_zero(calibration->elec_scale) : 1.0;
    annual.elec_mwh = write_scaled(shapes.elec, multiplier, elec_kwh * scale, elec_kw) / 1000.0;
  }
  annual.fuel_mwh = write_scaled(shapes.fuel, multiplier, fuel_kwh, fuel_kw) / 1000.0;
  return annual;
}

double LoadModel::calibrated_year(const LoadCalibration& calibration, std::size_t f, float* elec_kw) const {
  const std::size_t hours = impl_->hours;
  thread_local std::vector<double> shape;
  thread_local std::vector<double> noise;
  shape.resize(hours);
  double total_kwh = 0.0;
  for (std::size_t h = 0; h < hours; ++h) {
    shape[h] = calibrated_kw(calibration, impl_->day_type[h], static_cast<int>(h % kHoursPerDay),
                             impl_->dry_bulb_c[h]);
    total_kwh += shape[h];
  }
  noise.assign(hours, 1.0);
  if (calibration.noise_sd > 0.0) {
    // Its own stream, not the archetype's: the fitted noise replaces the library's.
    Rng rng(impl_->seed, stream_of(impl_->site.facilities[f].facility_id + "#calibrated"));
    fill_noise(noise, calibration.noise_sd, calibration.noise_autocorrelation, rng);
  }
  return write_scaled(shape, noise, total_kwh, elec_kw);
}

FacilityLoads model_loads(const Site& site, const Calendar& calendar, const std::vector<double>& dry_bulb_c,
                          const LoadLibrary& library, std::uint64_t seed, const Calibration* calibration) {
  const LoadModel model(site, calendar, dry_bulb_c, library, seed, calibration);
  const auto hours = static_cast<std::size_t>(calendar.hours());
  const std::size_t count = site.facilities.size();
  FacilityLoads loads;
  loads.hours = calendar.hours();
  loads.elec_kw.assign(count * hours, 0.0F);
  loads.fuel_kw.assign(count * hours, 0.0F);
  loads.annual_elec_mwh.assign(count, 0.0);
  loads.annual_fuel_mwh.assign(count, 0.0);
  for (std::size_t f = 0; f < count; ++f) {
    const LoadModel::Annual annual =
        model.facility(f, loads.elec_kw.data() + f * hours, loads.fuel_kw.data() + f * hours);
    loads.annual_elec_mwh[f] = annual.elec_mwh;
    loads.annual_fuel_mwh[f] = annual.fuel_mwh;
  }
  return loads;
}

}  // namespace sandan
