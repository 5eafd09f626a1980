#include "scenario/kpi_catalogue.hpp"

#include <array>

namespace sandan {

namespace {

using enum KpiId;
using enum KpiModel;
using enum KpiAggregation;

// docs/results-schema.md describes each KPI with the same words; keep them in step.
constexpr std::array kCatalogue{
    KpiInfo{kFacilities, "facilities", "count", kEnergy, kSum, true, false, "facilities simulated"},
    KpiInfo{kAnnualLoadMwh, "annual_load_mwh", "MWh", kEnergy, kSum, true, true,
            "electricity demand of the year, after efficiency and fuel switching"},
    KpiInfo{kAnnualFuelMwh, "annual_fuel_mwh", "MWh", kEnergy, kSum, true, true,
            "fuel burned for process heat in the year (net calorific value)"},
    KpiInfo{kPvCapacityKwp, "pv_capacity_kwp", "kWp", kEnergy, kSum, true, false, "rooftop PV installed"},
    KpiInfo{kAnnualPvMwh, "annual_pv_mwh", "MWh", kEnergy, kSum, true, true, "PV output of the year (AC)"},
    KpiInfo{kPvYieldKwhPerKwp, "pv_yield_kwh_per_kwp", "kWh/kWp", kEnergy, kRatioOfSums, true, false,
            "PV output per kWp installed (0 without PV)"},
    KpiInfo{kCurtailedMwh, "curtailed_mwh", "MWh", kEnergy, kSum, true, false,
            "PV output curtailed by export limits"},
    KpiInfo{kAnnualImportMwh, "annual_import_mwh", "MWh", kEnergy, kSum, true, false,
            "electricity drawn at the complexes' grid connections, after shared batteries"},
    KpiInfo{kAnnualExportMwh, "annual_export_mwh", "MWh", kEnergy, kSum, true, false,
            "electricity fed back at the complexes' grid connections"},
    KpiInfo{kPeakImportKw, "peak_import_kw", "kW", kEnergy, kPeakOfSum, true, true,
            "highest hourly import of the year"},
    KpiInfo{kSelfSufficiency, "self_sufficiency", "share", kEnergy, kRatioOfSums, true, true,
            "1 − import / load"},
    KpiInfo{kBillKrw, "bill_krw", "KRW", kEnergy, kSum, true, true,
            "the facilities' electricity bills of the year (KEPCO tariff), less shared batteries' savings"},
    KpiInfo{kFuelCostKrw, "fuel_cost_krw", "KRW", kEnergy, kSum, true, false,
            "the fuel the facilities burn, at the scenario's fuel prices (0 without prices.fuel)"},
    KpiInfo{kExportCreditKrw, "export_credit_krw", "KRW", kEnergy, kSum, true, false,
            "what PV exported earns, at the scenario's export prices (0 without prices.pv_export)"},
    KpiInfo{kEnergyCostKrw, "energy_cost_krw", "KRW", kEnergy, kSum, true, true,
            "bill_krw without VAT + fuel_cost_krw − export_credit_krw: what energy costs the facilities a "
            "year (VAT, which a firm deducts, left out of all three)"},
    KpiInfo{kWorstFeederUndervoltageHours, "worst_feeder_undervoltage_hours", "h", kGrid, kWorst, true, false,
            "hours with a bus below vmin, on the worst feeder"},
    KpiInfo{kWorstFeederOvervoltageHours, "worst_feeder_overvoltage_hours", "h", kGrid, kWorst, true, false,
            "hours with a bus above vmax, on the worst feeder"},
    KpiInfo{kWorstFeederOverloadHours, "worst_feeder_overload_hours", "h", kGrid, kWorst, true, false,
            "hours with a segment over its rating, on the worst feeder"},
    KpiInfo{kPvHostingCapacityKwp, "pv_hosting_capacity_kwp", "kWp", kGrid, kSum, true, false,
            "PV the feeders can host without a voltage or loading violation (grid.hosting_capacity)"},
    KpiInfo{kCarKm, "car_km", "km", kTraffic, kWholeRun, true, true,
            "car vehicle-km of the year on the roads"},
    KpiInfo{kTruckKm, "truck_km", "km", kTraffic, kWholeRun, true, true,
            "light and heavy truck vehicle-km of the year on the roads"},
    KpiInfo{kLightTruckKm, "light_truck_km", "km", kTraffic, kWholeRun, true, false,
            "light truck vehicle-km of the year"},
    KpiInfo{kHeavyTruckKm, "heavy_truck_km", "km", kTraffic, kWholeRun, true, false,
            "heavy truck vehicle-km of the year"},
    KpiInfo{kElectricTruckKm, "electric_truck_km", "km", kTraffic, kWholeRun, true, false,
            "truck vehicle-km run on electricity (ev_trucks)"},
    KpiInfo{kVehicleHours, "vehicle_hours", "h", kTraffic, kWholeRun, true, true,
            "vehicle-hours of the year on the roads, every class"},
    KpiInfo{kTco2eScope1, "tco2e_scope1", "tCO2eq", kEmissions, kSum, true, false,
            "fuel burned in the facilities"},
    KpiInfo{kTco2eScope2, "tco2e_scope2", "tCO2eq", kEmissions, kSum, true, false,
            "grid electricity imported at the complexes' connections"},
    KpiInfo{kTco2eTransport, "tco2e_transport", "tCO2eq", kEmissions, kWholeRun, true, false,
            "road traffic on the roads (electric vehicles through grid electricity)"},
    KpiInfo{kTco2eTotal, "tco2e_total", "tCO2eq", kEmissions, kWholeRun, true, true,
            "scope 1 + scope 2 + transport"},
    KpiInfo{kInvestmentKrw, "investment_krw", "KRW", kCosts, kSum, false, false,
            "the interventions' investment"},
    KpiInfo{kAnnualisedCostKrw, "annualised_cost_krw", "KRW/year", kCosts, kSum, false, false,
            "the investment as an annuity over each intervention's lifetime at the discount rate, plus "
            "operation and maintenance"},
    KpiInfo{kOmCostKrw, "om_cost_krw", "KRW/year", kCosts, kSum, false, false,
            "the interventions' operation and maintenance a year (in annualised_cost_krw)"},
};

constexpr bool catalogue_in_id_order() {
  for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<std::size_t>(kCatalogue[i].id) != i) return false;
  }
  return true;
}
static_assert(catalogue_in_id_order(), "kCatalogue must list the KPIs in KpiId order");

}  // namespace

std::span<const KpiInfo> kpi_catalogue() { return kCatalogue; }

const KpiInfo& kpi_info(KpiId id) { return kCatalogue[static_cast<std::size_t>(id)]; }

std::string kpi_key(KpiId id) { return std::string(kpi_info(id).key); }

std::optional<KpiId> find_kpi(std::string_view key) {
  for (const KpiInfo& k : kCatalogue) {
    if (k.key == key) return k.id;
  }
  return std::nullopt;
}

const char* to_string(KpiModel model) {
  switch (model) {
    case kEnergy:
      return "energy";
    case kGrid:
      return "grid";
    case kTraffic:
      return "traffic";
    case kEmissions:
      return "emissions";
    case kCosts:
      return "costs";
  }
  return "energy";
}

const char* to_string(KpiAggregation aggregation) {
  switch (aggregation) {
    case kSum:
      return "sum";
    case kPeakOfSum:
      return "peak_of_sum";
    case kRatioOfSums:
      return "ratio_of_sums";
    case kWorst:
      return "worst";
    case kWholeRun:
      return "whole_run";
  }
  return "sum";
}

Kpi make_kpi(KpiId id, std::string complex, double value) {
  const KpiInfo& info = kpi_info(id);
  return {std::string(info.key), std::move(complex), value, std::string(info.unit)};
}

std::optional<double> kpi_value(const std::vector<Kpi>& rows, KpiId id, std::string_view complex) {
  const std::string_view key = kpi_info(id).key;
  for (const Kpi& k : rows) {
    if (k.key == key && k.complex == complex) return k.value;
  }
  return std::nullopt;
}

}  // namespace sandan
