// The forecast file (docs/results-schema.md, "Forecast files"): one group `/forecast` with dimension
// scales time, facility, complex, forecaster (and pv_facility); not `method`, which
// xarray's sel() takes as a keyword, so that xarray opens it directly.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "core/error.hpp"
#include "core/files.hpp"
#include "io/hdf5_handle.hpp"
#include "twin/forecast.hpp"

#ifndef SANDAN_VERSION
#define SANDAN_VERSION "unknown"
#endif

namespace sandan {
namespace {

namespace fs = std::filesystem;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

class Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  hid_t check(hid_t id, const std::string& what) const {
    if (id < 0) throw Error(ErrorCode::kIo, path_ + ": HDF5 could not " + what);
    return id;
  }
  void check_status(herr_t status, const std::string& what) const {
    if (status < 0) throw Error(ErrorCode::kIo, path_ + ": HDF5 could not " + what);
  }

  void attr(hid_t loc, const std::string& name, const std::string& value) const {
    Handle type = string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    const char* data = value.c_str();
    check_status(H5Awrite(a.get(), type.get(), &data), "write attribute " + name);
  }
  void attr(hid_t loc, const std::string& name, double value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check_status(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), "write attribute " + name);
  }
  void attr(hid_t loc, const std::string& name, long long value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check_status(H5Awrite(a.get(), H5T_NATIVE_LLONG, &value), "write attribute " + name);
  }

  Handle strings(hid_t loc, const std::string& name, const std::vector<std::string>& values) const {
    Handle type = string_type();
    const std::array<hsize_t, 1> dims{values.size()};
    Handle space(H5Screate_simple(1, dims.data(), nullptr), H5Sclose);
    Handle ds(
        check(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "create dataset " + name),
        H5Dclose);
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    if (!values.empty())
      check_status(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                   "write " + name);
    return ds;
  }

  // float64 of any shape; compressed (shuffle + deflate 1, chunks of whole rows) when large.
  Handle numbers(hid_t loc, const std::string& name, const std::vector<double>& values,
                 const std::vector<hsize_t>& dims, const std::string& units) const {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create a property list"), H5Pclose);
    if (values.size() > 4096 && dims.size() == 2) {
      // About a megabyte of rows a chunk.
      const hsize_t rows =
          std::max<hsize_t>(1, std::min<hsize_t>(dims[0], (1U << 17) / std::max<hsize_t>(1, dims[1])));
      const std::array<hsize_t, 2> chunk{rows, dims[1]};
      check_status(H5Pset_chunk(dcpl.get(), 2, chunk.data()), "set chunks of " + name);
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), 1);
    }
    Handle ds(check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(),
                               H5P_DEFAULT),
                    "create dataset " + name),
              H5Dclose);
    if (!values.empty())
      check_status(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                   "write " + name);
    if (!units.empty()) attr(ds.get(), "units", units);
    return ds;
  }

  void make_scale(const Handle& ds, const std::string& dimension) const {
    check_status(H5DSset_scale(ds.get(), dimension.c_str()), "make " + dimension + " a dimension scale");
  }
  void attach(const Handle& var, const Handle& scale, unsigned index) const {
    check_status(H5DSattach_scale(var.get(), scale.get(), index), "attach a dimension scale");
  }

 private:
  static Handle string_type() {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return {type, H5Tclose};
  }
  std::string path_;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The start of an hour of `year` in ISO 8601 with the KST offset, e.g. "2026-03-10T23:00:00+09:00".
std::string iso_kst(int year, int hour) {
  const Date date = add_days(Date{year, 1, 1}, hour / 24);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "T%02d:00:00+09:00", hour % 24);
  return to_string(date) + buffer;
}

// One [entity × time] (or [entity]) column per series of a set of ForecastSeries.
std::vector<double> stack(const std::vector<ForecastSeries>& series,
                          std::vector<double> ForecastSeries::*member, std::size_t hours) {
  std::vector<double> values;
  values.reserve(series.size() * hours);
  for (const ForecastSeries& s : series) values.insert(values.end(), (s.*member).begin(), (s.*member).end());
  return values;
}

// The entity series, metrics table and correction of facilities or complexes, with `prefix` ("" or
// "complex_") on every name.
void write_entities(const Writer& w, hid_t group, const std::vector<ForecastSeries>& series,
                    const std::string& prefix, const Handle& entity, const Handle& time, const Handle& method,
                    std::size_t hours) {
  const hsize_t n = series.size();
  struct Matrix {
    const char* name;
    std::vector<double> ForecastSeries::*member;
    const char* long_name;
  };
  for (const Matrix& m :
       {Matrix{"forecast_kw", &ForecastSeries::forecast_kw,
               "forecast: model corrected by the latest measurements"},
        Matrix{"model_kw", &ForecastSeries::model_kw, "calibrated model alone"},
        Matrix{"measured_kw", &ForecastSeries::measured_kw, "measured (NaN where none)"},
        Matrix{"persistence_day_kw", &ForecastSeries::persistence_day_kw,
               "seasonal naive, season one day: the same hour of the last day before the forecast"},
        Matrix{"persistence_week_kw", &ForecastSeries::persistence_week_kw,
               "seasonal naive, season one week: the same hour of the last week before the forecast"}}) {
    Handle ds = w.numbers(group, prefix + m.name, stack(series, m.member, hours), {n, hours}, "kW");
    w.attr(ds.get(), "long_name", std::string(m.long_name));
    w.attach(ds, entity, 0);
    w.attach(ds, time, 1);
  }
  struct Metric {
    const char* name;
    double ForecastMetrics::*member;
    const char* units;
  };
  for (const Metric& m : {Metric{"mape_pct", &ForecastMetrics::mape_pct, "%"},
                          Metric{"cv_rmse_pct", &ForecastMetrics::cv_rmse_pct, "%"},
                          Metric{"peak_error_kw", &ForecastMetrics::peak_error_kw, "kW"},
                          Metric{"peak_error_pct", &ForecastMetrics::peak_error_pct, "%"},
                          Metric{"peak_timing_h", &ForecastMetrics::peak_timing_h, "h"}}) {
    std::vector<double> values;
    for (const ForecastSeries& s : series)
      for (const ForecastMetrics& metrics : s.metrics) values.push_back(metrics.*(m.member));
    Handle ds = w.numbers(group, prefix + m.name, values, {n, kForecastMethods}, m.units);
    w.attach(ds, entity, 0);
    w.attach(ds, method, 1);
  }
  std::vector<double> scored;
  for (const ForecastSeries& s : series)
    for (const ForecastMetrics& metrics : s.metrics) scored.push_back(metrics.hours);
  Handle scored_ds = w.numbers(group, prefix + "scored_hours", scored, {n, kForecastMethods}, "h");
  w.attach(scored_ds, entity, 0);
  w.attach(scored_ds, method, 1);
}

// Everything of the file, written to `temp_path` and closed (`path` names it in messages).
void write_file(const Writer& w, const std::string& temp_path, const std::string& path, const Forecast& f,
                const std::string& command) {
  {
    Handle file(H5Fcreate(temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.ok())
      throw Error(ErrorCode::kIo, path + ": cannot create the forecast file (is the folder writable?)");
    const hid_t root = file.get();
    w.attr(root, "schema", std::string("sandan-forecast"));
    w.attr(root, "schema_version", 1LL);
    w.attr(root, "sandan_version", std::string(SANDAN_VERSION));
    w.attr(root, "created", utc_now());
    w.attr(root, "command", command);

    Handle group(
        w.check(H5Gcreate2(root, "forecast", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create group forecast"),
        H5Gclose);
    const hid_t g = group.get();
    const std::string units = "hours since " + std::to_string(f.year) + "-01-01 00:00:00";
    w.attr(g, "year", static_cast<long long>(f.year));
    w.attr(g, "from", iso_kst(f.year, f.from_hour));
    w.attr(g, "horizon_h", static_cast<long long>(f.hours));
    w.attr(g, "issued_at", f.issued_at_hour >= 0 ? iso_kst(f.year, f.issued_at_hour) : std::string());
    w.attr(g, "issued_at_hour", f.issued_at_hour >= 0 ? static_cast<double>(f.issued_at_hour) : kNan);
    w.attr(g, "correction_age_h", static_cast<long long>(f.correction_age_h));
    w.attr(g, "calibration", f.provenance.calibration_file);
    w.attr(g, "measured", f.provenance.measured_file);
    w.attr(g, "weather", f.provenance.weather_file);
    w.attr(g, "holidays", f.provenance.holidays_file);
    std::string notes;
    for (const auto& note : f.notes) notes += (notes.empty() ? "" : "\n") + note;
    w.attr(g, "notes", notes);

    const auto hours = static_cast<std::size_t>(f.hours);
    std::vector<double> time_h(hours);
    for (std::size_t h = 0; h < hours; ++h)
      time_h[h] = static_cast<double>(f.from_hour) + static_cast<double>(h);
    Handle time = w.numbers(g, "time", time_h, {hours}, units);
    w.make_scale(time, "time");
    w.attr(time.get(), "calendar", std::string("standard"));
    w.attr(time.get(), "long_name", std::string("start of the hour, local time"));
    w.attr(time.get(), "time_zone",
           std::string("KST (UTC+9), local standard time; each value is the mean of the hour"));
    const std::vector<std::string> method_names{
        to_string(ForecastMethod::kForecast), to_string(ForecastMethod::kModel),
        to_string(ForecastMethod::kPersistenceDay), to_string(ForecastMethod::kPersistenceWeek)};
    Handle method = w.strings(g, "forecaster", method_names);
    w.make_scale(method, "forecaster");

    std::vector<std::string> ids, complexes, meters;
    std::vector<double> last, level, last_residual, phi, residual_hours;
    for (const ForecastSeries& s : f.facilities) {
      ids.push_back(s.id);
      complexes.push_back(s.complex_id);
      meters.push_back(s.meter_id);
      last.push_back(s.last_measured_hour >= 0 ? static_cast<double>(s.last_measured_hour) : kNan);
      level.push_back(s.residual_level_kw);
      last_residual.push_back(s.residual_last_kw);
      phi.push_back(s.noise_autocorrelation);
      residual_hours.push_back(s.residual_hours);
    }
    Handle facility = w.strings(g, "facility", ids);
    w.make_scale(facility, "facility");
    for (const auto& [name, values] :
         {std::pair{"facility_complex", &complexes}, std::pair{"facility_meter", &meters}}) {
      Handle ds = w.strings(g, name, *values);
      w.attach(ds, facility, 0);
    }
    const hsize_t n_fac = ids.size();
    struct Column {
      const char* name;
      const std::vector<double>* values;
      std::string units;
    };
    for (const Column& c :
         {Column{"last_measured", &last, units}, Column{"residual_level_kw", &level, "kW"},
          Column{"residual_last_kw", &last_residual, "kW"}, Column{"noise_autocorrelation", &phi, "1"},
          Column{"residual_hours", &residual_hours, "h"}}) {
      Handle ds = w.numbers(g, c.name, *c.values, {n_fac}, c.units);
      w.attach(ds, facility, 0);
    }
    write_entities(w, g, f.facilities, "", facility, time, method, hours);

    std::vector<std::string> complex_ids, complex_meters;
    for (const ForecastSeries& s : f.complexes) {
      complex_ids.push_back(s.id);
      complex_meters.push_back(s.meter_id);
    }
    Handle complex = w.strings(g, "complex", complex_ids);
    w.make_scale(complex, "complex");
    Handle complex_meter = w.strings(g, "complex_meter", complex_meters);
    w.attach(complex_meter, complex, 0);
    write_entities(w, g, f.complexes, "complex_", complex, time, method, hours);
    Handle meter_kw = w.numbers(g, "complex_meter_kw", f.complex_meter_kw, {complex_ids.size(), hours}, "kW");
    w.attr(meter_kw.get(), "long_name",
           std::string(
               "the complex meter's measurement (NaN without one); it also counts unmetered facilities"));
    w.attach(meter_kw, complex, 0);
    w.attach(meter_kw, time, 1);

    std::vector<std::string> pv_ids, pv_meters;
    std::vector<double> capacity, yield, pv_forecast, pv_measured;
    std::vector<double> pv_mape, pv_cv, pv_peak, pv_peak_pct, pv_timing;
    for (const PvForecastSeries& s : f.pv) {
      pv_ids.push_back(s.facility_id);
      pv_meters.push_back(s.meter_id);
      capacity.push_back(s.capacity_kwp);
      yield.push_back(s.yield_factor);
      pv_forecast.insert(pv_forecast.end(), s.forecast_kw.begin(), s.forecast_kw.end());
      pv_measured.insert(pv_measured.end(), s.measured_kw.begin(), s.measured_kw.end());
      pv_mape.push_back(s.metrics.mape_pct);
      pv_cv.push_back(s.metrics.cv_rmse_pct);
      pv_peak.push_back(s.metrics.peak_error_kw);
      pv_peak_pct.push_back(s.metrics.peak_error_pct);
      pv_timing.push_back(s.metrics.peak_timing_h);
    }
    Handle pv = w.strings(g, "pv_facility", pv_ids);
    w.make_scale(pv, "pv_facility");
    Handle pv_meter = w.strings(g, "pv_meter", pv_meters);
    w.attach(pv_meter, pv, 0);
    const hsize_t n_pv = pv_ids.size();
    for (const Column& c :
         {Column{"pv_capacity_kwp", &capacity, "kWp"}, Column{"pv_yield_factor", &yield, "1"},
          Column{"pv_mape_pct", &pv_mape, "%"}, Column{"pv_cv_rmse_pct", &pv_cv, "%"},
          Column{"pv_peak_error_kw", &pv_peak, "kW"}, Column{"pv_peak_error_pct", &pv_peak_pct, "%"},
          Column{"pv_peak_timing_h", &pv_timing, "h"}}) {
      Handle ds = w.numbers(g, c.name, *c.values, {n_pv}, c.units);
      w.attach(ds, pv, 0);
    }
    for (const auto& [name, values] :
         {std::pair{"pv_forecast_kw", &pv_forecast}, std::pair{"pv_measured_kw", &pv_measured}}) {
      Handle ds = w.numbers(g, name, *values, {n_pv, hours}, "kW");
      w.attach(ds, pv, 0);
      w.attach(ds, time, 1);
    }
    // Every dataset is closed before the file, then flushed and renamed.
    pv.reset();
    complex.reset();
    facility.reset();
    method.reset();
    time.reset();
    group.reset();
    if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0)
      throw Error(ErrorCode::kIo, path + ": cannot flush the forecast file (disk full?)");
  }
}

}  // namespace

void write_forecast(const std::string& path, const Forecast& f, const std::string& command) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  remove_stale_temporaries(path);  // what a killed forecast left beside the output
  const fs::path final_path(path);
  const std::string temp_path =
      (final_path.parent_path() / (final_path.filename().string() + ".tmp-" + std::to_string(::getpid())))
          .string();
  const Writer w(path);
  try {
    write_file(w, temp_path, path, f, command);
    rename_onto_file(temp_path, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp_path, ec);
    throw;
  }
}

}  // namespace sandan
