#include "twin/measured.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "io/hdf5_handle.hpp"
#include "io/hdf5_heap_check.hpp"
#include "meter/meter_map.hpp"

#ifndef SANDAN_VERSION
#define SANDAN_VERSION "unknown"
#endif

namespace sandan {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = "sandan-measured";
constexpr long long kSchemaVersion = 1;
// The hourly axis is local Korean Standard Time (core/calendar.hpp); CF units carry no zone here, as in
// the results files, so that xarray decodes the stamps as the local times users read.
constexpr const char* kTimeZone = "Asia/Seoul (KST, UTC+09:00, no daylight saving)";

// A meter id names a group under /measured/native: it must be a valid HDF5 link name.
bool valid_link_name(const std::string& id) {
  return !id.empty() && id != "." && id != ".." && id.find('/') == std::string::npos &&
         id.find('\0') == std::string::npos;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The few HDF5 calls writing a measured file needs, each failure an Error(kIo) naming the file.
class Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  hid_t check(hid_t id, const std::string& what) const {
    if (id < 0) throw Error(ErrorCode::kIo, path_ + ": HDF5 could not " + what + " (disk full?)");
    return id;
  }

  static Handle utf8_string_type() {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return {type, H5Tclose};
  }

  Handle group(hid_t loc, const std::string& name) const {
    return {
        check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create group " + name),
        H5Gclose};
  }

  void attr(hid_t loc, const std::string& name, const std::string& value) const {
    Handle type = utf8_string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    const char* data = value.c_str();
    check(H5Awrite(a.get(), type.get(), &data), "write attribute " + name);
  }

  void attr(hid_t loc, const std::string& name, long long value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), H5T_NATIVE_LLONG, &value), "write attribute " + name);
  }

  Handle strings(hid_t loc, const std::string& name, const std::vector<std::string>& values) const {
    Handle type = utf8_string_type();
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
      check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "write " + name);
    return ds;
  }

  // A float64 or int64 dataset of any shape; large ones chunked (whole rows) and compressed.
  template <typename T>
  Handle numbers(hid_t loc, const std::string& name, const std::vector<T>& values,
                 const std::vector<hsize_t>& dims) const {
    const bool is_double = std::is_same_v<T, double>;
    const hid_t file_type = is_double ? H5T_IEEE_F64LE : H5T_STD_I64LE;
    const hid_t mem_type = is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_LLONG;
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create a property list"), H5Pclose);
    if (is_double) {
      // Missing values read as NaN, also from chunks never written.
      const double nan = std::numeric_limits<double>::quiet_NaN();
      check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "set a fill value");
    }
    if (values.size() > 4096) {
      // Chunks of whole rows, about a megabyte each; shuffle + deflate level 1 as the results files.
      std::vector<hsize_t> chunk(dims);
      const hsize_t row = dims.back();
      chunk.back() = row;
      if (dims.size() == 2) chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], (1U << 17) / row));
      if (dims.size() == 1) chunk[0] = std::min<hsize_t>(dims[0], 1U << 17);
      H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), 1);
    }
    Handle ds(
        check(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
              "create dataset " + name),
        H5Dclose);
    if (!values.empty())
      check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name);
    return ds;
  }

  void make_scale(const Handle& ds, const std::string& dimension) const {
    check(H5DSset_scale(ds.get(), dimension.c_str()), "make " + dimension + " a dimension scale");
  }
  void attach(const Handle& var, const Handle& scale, unsigned index) const {
    check(H5DSattach_scale(var.get(), scale.get(), index), "attach a dimension scale");
  }

 private:
  std::string path_;
};

void write_body(const Writer& w, hid_t root, const MeasuredData& data) {
  w.attr(root, "schema", std::string(kSchema));
  w.attr(root, "schema_version", kSchemaVersion);
  w.attr(root, "sandan_version", std::string(SANDAN_VERSION));
  w.attr(root, "created", utc_now());

  Handle g = w.group(root, "measured");
  w.attr(g.get(), "start_year", static_cast<long long>(data.start_year));
  w.attr(g.get(), "first_hour", static_cast<long long>(data.first_hour));
  w.attr(g.get(), "time_zone", std::string(kTimeZone));

  const std::size_t m = data.meters.size();
  const auto hours = static_cast<std::size_t>(data.hours);
  std::vector<std::string> ids, targets, target_ids, quantities, units, sources;
  std::vector<long long> intervals;
  std::vector<double> scales, capacities;
  for (const MeterInfo& info : data.meters) {
    ids.push_back(info.meter_id);
    targets.emplace_back(meter::to_string(info.target));
    target_ids.push_back(info.target_id);
    quantities.emplace_back(meter::to_string(info.quantity));
    units.push_back(info.unit);
    sources.push_back(info.source);
    intervals.push_back(info.interval_minutes);
    scales.push_back(info.scale_applied);
    capacities.push_back(info.capacity_kwp);
  }
  Handle meter = w.strings(g.get(), "meter", ids);
  w.make_scale(meter, "meter");
  std::vector<double> time_h(hours);
  for (std::size_t h = 0; h < hours; ++h)
    time_h[h] = static_cast<double>(data.first_hour) + static_cast<double>(h);
  Handle time = w.numbers(g.get(), "time", time_h, {hours});
  w.make_scale(time, "time");
  w.attr(time.get(), "units", "hours since " + std::to_string(data.start_year) + "-01-01 00:00:00");
  w.attr(time.get(), "calendar", std::string("standard"));
  w.attr(time.get(), "long_name", std::string("start of the hour, Korean standard time"));
  w.attr(time.get(), "time_zone", std::string(kTimeZone));

  Handle energy = w.numbers(g.get(), "energy_kwh", data.energy_kwh, {m, hours});
  w.attach(energy, meter, 0);
  w.attach(energy, time, 1);
  w.attr(energy.get(), "units", std::string("kWh"));
  w.attr(energy.get(), "long_name",
         std::string(
             "measured energy of the hour (the hour's mean kW); NaN where not every interval is present"));

  for (const auto& [name, values] :
       std::vector<std::pair<const char*, const std::vector<std::string>*>>{{"target", &targets},
                                                                            {"target_id", &target_ids},
                                                                            {"quantity", &quantities},
                                                                            {"unit", &units},
                                                                            {"source", &sources}}) {
    Handle ds = w.strings(g.get(), name, *values);
    w.attach(ds, meter, 0);
  }
  Handle interval = w.numbers(g.get(), "interval_minutes", intervals, {m});
  w.attach(interval, meter, 0);
  w.attr(interval.get(), "units", std::string("min"));
  Handle scale = w.numbers(g.get(), "scale_applied", scales, {m});
  w.attach(scale, meter, 0);
  w.attr(scale.get(), "units", std::string("1"));
  Handle capacity = w.numbers(g.get(), "capacity_kwp", capacities, {m});
  w.attach(capacity, meter, 0);
  w.attr(capacity.get(), "units", std::string("kWp"));

  Handle source_list = w.strings(g.get(), "sources", data.sources);
  w.make_scale(source_list, "sources");

  // The findings as a table along a `finding` dimension.
  Handle quality = w.group(g.get(), "quality");
  const std::size_t f = data.findings.size();
  std::vector<long long> rows(f), counts(f);
  std::vector<std::string> meter_ids, checks, firsts, actions, details;
  for (std::size_t i = 0; i < f; ++i) {
    const QualityFinding& q = data.findings[i];
    rows[i] = static_cast<long long>(i);
    counts[i] = q.count;
    meter_ids.push_back(q.meter_id);
    checks.push_back(q.check);
    firsts.push_back(q.first);
    actions.push_back(q.action);
    details.push_back(q.detail);
  }
  Handle finding = w.numbers(quality.get(), "finding", rows, {f});
  w.make_scale(finding, "finding");
  for (const auto& [name, values] :
       std::vector<std::pair<const char*, const std::vector<std::string>*>>{{"meter_id", &meter_ids},
                                                                            {"check", &checks},
                                                                            {"first", &firsts},
                                                                            {"action", &actions},
                                                                            {"detail", &details}}) {
    Handle ds = w.strings(quality.get(), name, *values);
    w.attach(ds, finding, 0);
  }
  Handle count = w.numbers(quality.get(), "count", counts, {f});
  w.attach(count, finding, 0);

  if (data.native.empty()) return;
  Handle native = w.group(g.get(), "native");
  for (std::size_t i = 0; i < m; ++i) {
    const NativeSeries& s = data.native[i];
    Handle mg = w.group(native.get(), data.meters[i].meter_id);
    w.attr(mg.get(), "interval_minutes", static_cast<long long>(s.interval_minutes));
    std::vector<double> minutes(s.energy_kwh.size());
    for (std::size_t k = 0; k < minutes.size(); ++k)
      minutes[k] = static_cast<double>(s.first_minute) + static_cast<double>(k) * s.interval_minutes;
    Handle t = w.numbers(mg.get(), "time", minutes, {minutes.size()});
    w.make_scale(t, "time");
    w.attr(t.get(), "units", "minutes since " + std::to_string(data.start_year) + "-01-01 00:00:00");
    w.attr(t.get(), "calendar", std::string("standard"));
    w.attr(t.get(), "long_name", std::string("start of the interval, Korean standard time"));
    Handle e = w.numbers(mg.get(), "energy_kwh", s.energy_kwh, {s.energy_kwh.size()});
    w.attach(e, t, 0);
    w.attr(e.get(), "units", std::string("kWh"));
    w.attr(e.get(), "long_name", std::string("measured energy of the interval after repairs; NaN: missing"));
  }
}

// --- reading ---

[[noreturn]] void bad(const std::string& path, const std::string& where, const std::string& message) {
  throw Error(ErrorCode::kBadInput, path + ": " + where + ": " + message);
}

class Reader {
 public:
  Reader(std::string path, hid_t file) : path_(std::move(path)), file_(file) {}

  Handle open_group(const std::string& name) const {
    if (H5Lexists(file_, name.c_str(), H5P_DEFAULT) <= 0)
      bad(path_, name, "missing (not a measured file written by sandan ingest?)");
    Handle g(H5Gopen2(file_, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) bad(path_, name, "not a group");
    return g;
  }

  Handle open_dataset(const std::string& name, int rank, H5T_class_t type_class) const {
    if (H5Lexists(file_, name.c_str(), H5P_DEFAULT) <= 0) bad(path_, name, "missing");
    Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) bad(path_, name, "not a dataset");
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    if (H5Sget_simple_extent_ndims(space.get()) != rank)
      bad(path_, name,
          "has " + std::to_string(H5Sget_simple_extent_ndims(space.get())) + " dimensions, expected " +
              std::to_string(rank));
    Handle type(H5Dget_type(ds.get()), H5Tclose);
    if (H5Tget_class(type.get()) != type_class) bad(path_, name, "has the wrong type");
    return ds;
  }

  std::vector<hsize_t> dims(const Handle& ds) const {
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    std::vector<hsize_t> d(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
    H5Sget_simple_extent_dims(space.get(), d.data(), nullptr);
    return d;
  }

  std::vector<std::string> strings(const std::string& name, std::size_t expected,
                                   bool check_size = true) const {
    Handle ds = open_dataset(name, 1, H5T_STRING);
    const hsize_t n = dims(ds)[0];
    if (check_size && n != expected)
      bad(path_, name, std::to_string(n) + " values, expected " + std::to_string(expected));
    Handle type(H5Dget_type(ds.get()), H5Tclose);
    std::vector<std::string> out;
    out.reserve(n);
    if (n == 0) return out;
    if (H5Tis_variable_str(type.get()) <= 0) bad(path_, name, "not variable-length strings");
    Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    std::vector<char*> data(n, nullptr);
    if (H5Dread(ds.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
      bad(path_, name, "cannot be read");
    for (char* s : data) {
      out.emplace_back(s != nullptr ? s : "");
      H5free_memory(s);
    }
    return out;
  }

  template <typename T>
  std::vector<T> numbers(const std::string& name, const std::vector<hsize_t>& expected) const {
    const bool is_double = std::is_same_v<T, double>;
    Handle ds = open_dataset(name, static_cast<int>(expected.size()), is_double ? H5T_FLOAT : H5T_INTEGER);
    if (dims(ds) != expected) {
      std::string want;
      for (const hsize_t e : expected) want += (want.empty() ? "" : " × ") + std::to_string(e);
      bad(path_, name, "has the wrong shape, expected " + want);
    }
    std::size_t n = 1;
    for (const hsize_t e : expected) n *= e;
    std::vector<T> out(n);
    if (n > 0 && H5Dread(ds.get(), is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL,
                         H5P_DEFAULT, out.data()) < 0)
      bad(path_, name, "cannot be read");
    return out;
  }

  std::optional<std::string> string_attr(hid_t loc, const char* name) const {
    if (H5Aexists(loc, name) <= 0) return std::nullopt;
    Handle a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(a.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(memory.get(), H5T_VARIABLE);
      H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
      char* data = nullptr;
      if (H5Aread(a.get(), memory.get(), static_cast<void*>(&data)) < 0) return std::nullopt;
      std::string text = data != nullptr ? data : "";
      H5free_memory(data);
      return text;
    }
    std::string buffer(H5Tget_size(type.get()), '\0');
    if (H5Aread(a.get(), type.get(), buffer.data()) < 0) return std::nullopt;
    buffer.resize(std::min(buffer.find('\0'), buffer.size()));
    return buffer;
  }

  std::optional<long long> integer_attr(hid_t loc, const char* name) const {
    if (H5Aexists(loc, name) <= 0) return std::nullopt;
    Handle a(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(a.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_INTEGER) return std::nullopt;
    long long value = 0;
    if (H5Aread(a.get(), H5T_NATIVE_LLONG, &value) < 0) return std::nullopt;
    return value;
  }

  long long require_integer(hid_t loc, const std::string& where, const char* name) const {
    const auto v = integer_attr(loc, name);
    if (!v) bad(path_, where, std::string("missing the integer attribute ") + name);
    return *v;
  }

 private:
  std::string path_;
  hid_t file_;
};

MeterTarget parse_target(const std::string& path, const std::string& word) {
  if (word == "facility") return MeterTarget::kFacility;
  if (word == "feeder") return MeterTarget::kFeeder;
  if (word == "substation") return MeterTarget::kSubstation;
  if (word == "complex") return MeterTarget::kComplex;
  bad(path, "/measured/target", "unknown target \"" + word + "\" (facility, feeder, substation or complex)");
}

MeterQuantity parse_quantity(const std::string& path, const std::string& word) {
  if (word == "load") return MeterQuantity::kLoad;
  if (word == "pv") return MeterQuantity::kPv;
  bad(path, "/measured/quantity", "unknown quantity \"" + word + "\" (load or pv)");
}

}  // namespace

void write_measured(const std::string& path, const MeasuredData& data) {
  // Checked before anything is created: a bug upstream must not leave a file that read_measured refuses.
  const std::size_t m = data.meters.size();
  if (data.hours < 0 || data.energy_kwh.size() != m * static_cast<std::size_t>(data.hours) ||
      (!data.native.empty() && data.native.size() != m)) {
    throw Error(ErrorCode::kInternal, path + ": measured data of inconsistent sizes");
  }
  std::set<std::string> seen;
  for (const MeterInfo& info : data.meters) {
    if (!valid_link_name(info.meter_id) || !seen.insert(info.meter_id).second) {
      throw Error(ErrorCode::kBadInput,
                  path + ": meter id \"" + info.meter_id +
                      "\" is empty, repeated, or holds a '/': rename it in the data and "
                      "the mapping");
    }
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  remove_stale_temporaries(path);  // what a killed ingest left beside the output
  const fs::path final_path(path);
  const std::string temp_path =
      (final_path.parent_path() / (final_path.filename().string() + ".tmp-" + std::to_string(::getpid())))
          .string();
  const Writer w(path);
  try {
    {
      Handle file(H5Fcreate(temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      if (!file.ok())
        throw Error(ErrorCode::kIo, path + ": cannot create the measured file (is the folder writable?)");
      write_body(w, file.get(), data);
      if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0)
        throw Error(ErrorCode::kIo, path + ": cannot flush the measured file (disk full?)");
    }
    rename_onto_file(temp_path, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp_path, ec);
    throw;
  }
}

MeasuredData read_measured(const std::string& path, const std::function<bool()>& cancelled) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(ErrorCode::kBadInput, path + ": no such measured file");
  if (!std::ifstream(path, std::ios::binary))
    throw Error(ErrorCode::kBadInput, path + ": cannot be read (permissions?)");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw Error(ErrorCode::kBadInput, path + ": not a measured file (not an HDF5 file)");
  refuse_damaged_global_heap(path, file.get(), "measured file");
  const Reader r(path, file.get());

  const auto schema = r.string_attr(file.get(), "schema");
  if (!schema || *schema != kSchema) {
    bad(path, "/",
        std::string("not a measured file (the root attribute schema is ") +
            (schema ? "\"" + *schema + "\"" : std::string("missing")) + ", not \"" + kSchema +
            "\"; write one with sandan ingest)");
  }
  const long long version = r.require_integer(file.get(), "/", "schema_version");
  if (version != kSchemaVersion) {
    bad(path, "/",
        "schema_version " + std::to_string(version) + ", this sandan reads version " +
            std::to_string(kSchemaVersion) + " (use a matching sandan)");
  }

  MeasuredData data;
  Handle g = r.open_group("/measured");
  data.start_year = static_cast<int>(r.require_integer(g.get(), "/measured", "start_year"));
  data.first_hour = static_cast<int>(r.require_integer(g.get(), "/measured", "first_hour"));

  const std::vector<std::string> ids = r.strings("/measured/meter", 0, false);
  const std::size_t m = ids.size();
  std::set<std::string> unique(ids.begin(), ids.end());
  if (unique.size() != m) bad(path, "/measured/meter", "meter ids repeat");
  {
    Handle time = r.open_dataset("/measured/time", 1, H5T_FLOAT);
    data.hours = static_cast<int>(r.dims(time)[0]);
  }
  const auto hours = static_cast<hsize_t>(data.hours);
  const std::vector<double> time_h = r.numbers<double>("/measured/time", {hours});
  for (std::size_t h = 0; h < time_h.size(); ++h) {
    if (time_h[h] != static_cast<double>(data.first_hour) + static_cast<double>(h))
      bad(path, "/measured/time", "not consecutive hours from first_hour (value " + std::to_string(h) + ")");
  }
  data.energy_kwh = r.numbers<double>("/measured/energy_kwh", {m, hours});

  const auto targets = r.strings("/measured/target", m);
  const auto target_ids = r.strings("/measured/target_id", m);
  const auto quantities = r.strings("/measured/quantity", m);
  const auto units = r.strings("/measured/unit", m);
  const auto sources = r.strings("/measured/source", m);
  const auto intervals = r.numbers<long long>("/measured/interval_minutes", {m});
  const auto scales = r.numbers<double>("/measured/scale_applied", {m});
  const auto capacities = r.numbers<double>("/measured/capacity_kwp", {m});
  for (std::size_t i = 0; i < m; ++i) {
    MeterInfo info;
    info.meter_id = ids[i];
    info.target = parse_target(path, targets[i]);
    info.target_id = target_ids[i];
    info.quantity = parse_quantity(path, quantities[i]);
    info.interval_minutes = static_cast<int>(intervals[i]);
    if (info.interval_minutes != 5 && info.interval_minutes != 15 && info.interval_minutes != 30 &&
        info.interval_minutes != 60)
      bad(path, "/measured/interval_minutes", "meter " + ids[i] + ": interval not 5, 15, 30 or 60 minutes");
    info.unit = units[i];
    info.scale_applied = scales[i];
    info.capacity_kwp = capacities[i];
    info.source = sources[i];
    data.meters.push_back(info);
  }
  data.sources = r.strings("/measured/sources", 0, false);

  const std::vector<long long> rows = [&] {
    Handle finding = r.open_dataset("/measured/quality/finding", 1, H5T_INTEGER);
    return r.numbers<long long>("/measured/quality/finding", {r.dims(finding)[0]});
  }();
  const std::size_t f = rows.size();
  const auto meter_ids = r.strings("/measured/quality/meter_id", f);
  const auto checks = r.strings("/measured/quality/check", f);
  const auto firsts = r.strings("/measured/quality/first", f);
  const auto actions = r.strings("/measured/quality/action", f);
  const auto details = r.strings("/measured/quality/detail", f);
  const auto counts = r.numbers<long long>("/measured/quality/count", {f});
  for (std::size_t i = 0; i < f; ++i) {
    if (!meter_ids[i].empty() && unique.count(meter_ids[i]) == 0)
      bad(path, "/measured/quality/meter_id",
          "finding " + std::to_string(i) + " names meter \"" + meter_ids[i] +
              "\", which is not in /measured/meter");
    data.findings.push_back({meter_ids[i], checks[i], counts[i], firsts[i], actions[i], details[i]});
  }

  if (H5Lexists(file.get(), "/measured/native", H5P_DEFAULT) > 0) {
    for (const std::string& id : ids) {
      stop_if_asked(cancelled, "while reading " + path + "; nothing was written");
      const std::string base = "/measured/native/" + id;
      Handle mg = r.open_group(base);
      NativeSeries s;
      s.interval_minutes = static_cast<int>(r.require_integer(mg.get(), base, "interval_minutes"));
      Handle t = r.open_dataset(base + "/time", 1, H5T_FLOAT);
      const hsize_t n = r.dims(t)[0];
      const auto minutes = r.numbers<double>(base + "/time", {n});
      s.energy_kwh = r.numbers<double>(base + "/energy_kwh", {n});
      s.first_minute = n > 0 ? static_cast<std::int64_t>(std::llround(minutes[0])) : 0;
      data.native.push_back(std::move(s));
    }
  }
  return data;
}

}  // namespace sandan
