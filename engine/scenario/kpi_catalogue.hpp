// scenario/kpi_catalogue: every key performance indicator a run reports, in one table: its key (as
// stored in results files), unit, the model that produces it, how the "all" row is formed from the
// complexes, and what it means. The runner, the results file, `sandan compare`, the command line's
// tables and Python (sandan.KPI) all take keys from here; no other code spells a KPI key, so a
// renamed key fails to compile (C++) or raises (Python) instead of silently reading 0.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/results.hpp"

namespace sandan {

enum class KpiId {
  // energy
  kFacilities,
  kAnnualLoadMwh,
  kAnnualFuelMwh,
  kPvCapacityKwp,
  kAnnualPvMwh,
  kPvYieldKwhPerKwp,
  kCurtailedMwh,
  kAnnualImportMwh,
  kAnnualExportMwh,
  kPeakImportKw,
  kSelfSufficiency,
  kBillKrw,
  kFuelCostKrw,
  kExportCreditKrw,
  kEnergyCostKrw,
  // grid
  kWorstFeederUndervoltageHours,
  kWorstFeederOvervoltageHours,
  kWorstFeederOverloadHours,
  kPvHostingCapacityKwp,
  // traffic
  kCarKm,
  kTruckKm,
  kLightTruckKm,
  kHeavyTruckKm,
  kElectricTruckKm,
  kVehicleHours,
  // emissions
  kTco2eScope1,
  kTco2eScope2,
  kTco2eTransport,
  kTco2eTotal,
  // costs
  kInvestmentKrw,
  kAnnualisedCostKrw,
  kOmCostKrw,
};

// The model whose results a KPI summarises; a run reports a KPI only when its model ran.
enum class KpiModel { kEnergy, kGrid, kTraffic, kEmissions, kCosts };

// How the "all" row is formed.
enum class KpiAggregation {
  kSum,          // the sum of the complexes' values
  kPeakOfSum,    // the peak of the summed hourly series (not the sum of peaks)
  kRatioOfSums,  // the ratio recomputed from the summed numerator and denominator
  kWorst,        // the worst feeder of all (a maximum)
  kWholeRun,     // counted over the whole run, roads outside the complexes included
};

struct KpiInfo {
  KpiId id;
  std::string_view key;  // as stored in results files, e.g. "annual_load_mwh"
  std::string_view unit;
  KpiModel model;
  KpiAggregation aggregation;
  bool per_complex;  // a row for each complex and "all"; false: "all" only
  bool in_index;     // a headline: its "all" value is a column of a results file's /index
  std::string_view description;
};

// The complex id of the row that covers every simulated complex.
inline constexpr std::string_view kAllComplexes = "all";

// Every KPI in the order runs report them.
[[nodiscard]] std::span<const KpiInfo> kpi_catalogue();
[[nodiscard]] const KpiInfo& kpi_info(KpiId id);
[[nodiscard]] std::string kpi_key(KpiId id);
[[nodiscard]] std::optional<KpiId> find_kpi(std::string_view key);
[[nodiscard]] const char* to_string(KpiModel model);              // "energy", "grid", ...
[[nodiscard]] const char* to_string(KpiAggregation aggregation);  // "sum", "peak_of_sum", ...

// A row of a run's KPIs with the catalogue's key and unit.
[[nodiscard]] Kpi make_kpi(KpiId id, std::string complex, double value);

// The value of a KPI for a complex (or "all") among a run's rows; nullopt when the run has none.
[[nodiscard]] std::optional<double> kpi_value(const std::vector<Kpi>& rows, KpiId id,
                                              std::string_view complex = kAllComplexes);

}  // namespace sandan
