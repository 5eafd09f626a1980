#include "io/results_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "io/hdf5_handle.hpp"
#include "io/hdf5_heap_check.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = "sandan-results";
constexpr long long kSchemaVersion = 1;

[[noreturn]] void bad_input(const std::string& message) { throw Error(ErrorCode::kBadInput, message); }

// Text of a string attribute or dataset read with its own (fixed-length) type: up to the first NUL,
// without the space padding of H5T_STR_SPACEPAD.
std::string trim_fixed(const char* data, std::size_t size) {
  std::string text(data, size);
  text.resize(std::min(text.find('\0'), text.size()));
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// A variable-length string type in the character set of `file_type`.
hid_t variable_string_type(hid_t file_type) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5Tget_cset(file_type));
  return type;
}

// The value of a scalar string attribute; empty if there is no such attribute or it is not a string.
std::optional<std::string> string_attribute_of(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return std::nullopt;
  const Handle attribute(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return std::nullopt;
  const Handle file_type(H5Aget_type(attribute.get()), H5Tclose);
  if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(file_type.get()) > 0) {
    const Handle memory_type(variable_string_type(file_type.get()), H5Tclose);
    char* data = nullptr;
    if (H5Aread(attribute.get(), memory_type.get(), static_cast<void*>(&data)) < 0) return std::nullopt;
    std::string text = data != nullptr ? data : "";
    H5free_memory(data);
    return text;
  }
  std::string buffer(H5Tget_size(file_type.get()), '\0');
  if (H5Aread(attribute.get(), file_type.get(), buffer.data()) < 0) return std::nullopt;
  return trim_fixed(buffer.data(), buffer.size());
}

// The value of a scalar integer attribute; empty if there is none.
std::optional<long long> integer_attribute_of(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return std::nullopt;
  const Handle attribute(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return std::nullopt;
  const Handle file_type(H5Aget_type(attribute.get()), H5Tclose);
  if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_INTEGER) return std::nullopt;
  long long value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_LLONG, &value) < 0) return std::nullopt;
  return value;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// The run ids of a file for a message: the first few of a large batch.
std::string listed(const std::vector<std::string>& runs) {
  constexpr std::size_t kMaxListed = 20;
  if (runs.size() <= kMaxListed) return joined(runs, ", ");
  const std::vector<std::string> first(runs.begin(), runs.begin() + kMaxListed);
  return joined(first, ", ") + " and " + std::to_string(runs.size() - kMaxListed) + " more";
}

hid_t open_file(const std::string& path) {
  // HDF5 prints its own error stack on failures; sandan reports failures itself.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!fs::exists(path, ec)) bad_input(path + ": no such results file");
  if (fs::is_directory(path, ec)) bad_input(path + ": a folder, not a results file");
  if (!fs::is_regular_file(path, ec)) bad_input(path + ": not a regular file, so not a results file");
  if (!std::ifstream(path, std::ios::binary)) bad_input(path + ": cannot be read (permissions?)");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) bad_input(path + ": not a sandan results file (not an HDF5 file)");
  try {
    refuse_damaged_global_heap(path, file, "results file");
  } catch (...) {
    H5Fclose(file);
    throw;
  }
  return file;
}

}  // namespace

struct ResultsReader::Impl {
  std::string path;
  Handle file;

  explicit Impl(std::string file_path) : path(std::move(file_path)), file(open_file(path), H5Fclose) {}

  [[noreturn]] void fail(const std::string& message) const { bad_input(path + ": " + message); }

  void check_schema() const {
    const std::optional<std::string> schema = string_attribute_of(file.get(), "schema");
    if (!schema) {
      fail(std::string("not a sandan results file (an HDF5 file without the root attribute schema = \"") +
           kSchema + "\")");
    }
    if (*schema != kSchema) {
      fail("not a sandan results file (its root attribute schema is \"" + *schema + "\", not \"" + kSchema +
           "\")");
    }
    if (H5Aexists(file.get(), "schema_version") > 0 && !integer_attribute_of(file.get(), "schema_version")) {
      const std::optional<std::string> text = string_attribute_of(file.get(), "schema_version");
      fail("the root attribute schema_version is " +
           (text ? "text (\"" + *text + "\")" : std::string("not a number")) + ", not the integer " +
           std::to_string(kSchemaVersion) + ": the file was edited or written by another program");
    }
    const std::optional<long long> version = integer_attribute_of(file.get(), "schema_version");
    if (version && *version != kSchemaVersion) {
      fail("results schema version " + std::to_string(*version) + "; this sandan reads version " +
           std::to_string(kSchemaVersion));
    }
  }

  // Opens a dataset that must exist.
  [[nodiscard]] hid_t open_dataset(const std::string& name) const {
    if (H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0) fail("no dataset " + name);
    const hid_t dataset = H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT);
    if (dataset < 0) fail("cannot open the dataset " + name);
    return dataset;
  }

  [[nodiscard]] std::vector<std::size_t> shape(hid_t dataset) const {
    const Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 0) fail("cannot read the shape of a dataset");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
  }

  // The bytes reading `elements` values of `element_size` bytes each needs. Refuses (Error) a size
  // that overflows, or that the file cannot hold even at zlib's best ratio (about 1032:1): a damaged
  // dataset header, which would otherwise ask for memory no machine has.
  [[nodiscard]] std::size_t checked_bytes(const std::string& name, const std::vector<std::size_t>& extent,
                                          std::size_t element_size) const {
    constexpr std::size_t kMaxCompression = 1100;
    std::size_t elements = 1;
    bool overflow = false;
    for (const std::size_t d : extent) {
      if (d != 0 && elements > std::numeric_limits<std::size_t>::max() / d) overflow = true;
      elements *= d;
    }
    hsize_t file_size = 0;
    if (H5Fget_filesize(file.get(), &file_size) < 0) file_size = 0;
    const std::size_t limit = static_cast<std::size_t>(file_size) * kMaxCompression;
    if (overflow || (element_size != 0 && elements > limit / element_size)) {
      fail("the dataset " + name + " declares more values than the file can hold (a damaged file?)");
    }
    return elements * element_size;
  }

  [[nodiscard]] bool numeric(hid_t dataset) const {
    const Handle file_type(H5Dget_type(dataset), H5Tclose);
    const H5T_class_t type_class = file_type.ok() ? H5Tget_class(file_type.get()) : H5T_NO_CLASS;
    return type_class == H5T_FLOAT || type_class == H5T_INTEGER;
  }

  template <typename T>
  std::vector<T> read_numbers(const std::string& name, hid_t memory_type,
                              std::vector<std::size_t>* dims) const {
    const Handle dataset(open_dataset(name), H5Dclose);
    if (!numeric(dataset.get())) fail("the dataset " + name + " does not hold numbers");
    const std::vector<std::size_t> extent = shape(dataset.get());
    const std::size_t count = checked_bytes(name, extent, sizeof(T)) / sizeof(T);
    std::vector<T> values(count);
    if (count > 0 && H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      fail("cannot read the dataset " + name);
    }
    if (dims != nullptr) *dims = extent;
    return values;
  }
};

ResultsReader::ResultsReader(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
  impl_->check_schema();
}

ResultsReader::~ResultsReader() = default;

const std::string& ResultsReader::path() const { return impl_->path; }

std::vector<std::string> ResultsReader::runs() const {
  if (H5Lexists(impl_->file.get(), "runs", H5P_DEFAULT) <= 0) return {};
  return members("runs");
}

std::vector<std::string> ResultsReader::members(const std::string& group_name) const {
  const Handle group(H5Gopen2(impl_->file.get(), group_name.c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info{};
  if (!group.ok() || H5Gget_info(group.get(), &info) < 0) impl_->fail("cannot read the group " + group_name);
  std::vector<std::string> ids;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length =
        H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) impl_->fail("cannot read the names in the group " + group_name);
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(length));
    ids.push_back(name);
  }
  return ids;
}

std::vector<std::size_t> ResultsReader::shape(const std::string& name) const {
  const Handle dataset(impl_->open_dataset(name), H5Dclose);
  return impl_->shape(dataset.get());
}

void ResultsReader::check_run(const std::string& run) const {
  const std::string base = "runs/" + run;
  const auto fail = [&](const std::string& message) {
    bad_input(impl_->path + ": run '" + run + "': " + message);
  };
  if (!exists(base)) fail("no group " + base);
  if (H5Aexists_by_name(impl_->file.get(), base.c_str(), "scenario", H5P_DEFAULT) > 0) {
    const std::optional<std::string> yaml = string_attribute(base, "scenario");
    if (!yaml) fail(base + ": the attribute scenario is not text");
    try {
      (void)YAML::Load(*yaml);
    } catch (const YAML::Exception& e) {
      fail(base + ": the attribute scenario is not YAML (" + e.msg + " at line " +
           std::to_string(e.mark.line + 1) + "): the file was edited or damaged");
    }
  }
  (void)kpis(run);
  const std::string energy = base + "/energy";
  if (!exists(energy))
    fail("no energy group " + energy + ": every run has one; the file was edited or damaged");
  const auto length_of = [&](const std::string& coordinate, bool text) {
    const std::string name = energy + "/" + coordinate;
    if (!exists(name)) fail("no coordinate " + name);
    const std::vector<std::size_t> dims = shape(name);
    if (dims.size() != 1) fail(name + " is not one-dimensional");
    const Handle dataset(impl_->open_dataset(name), H5Dclose);
    const Handle type(H5Dget_type(dataset.get()), H5Tclose);
    const bool is_text = type.ok() && H5Tget_class(type.get()) == H5T_STRING;
    if (text != is_text) fail(name + (text ? " does not hold text" : " does not hold numbers"));
    return dims.front();
  };
  const std::size_t hours = length_of("time", false);
  const std::size_t facilities = length_of("facility", true);
  const std::size_t complexes = length_of("complex", true);
  const std::size_t batteries = exists(energy + "/battery") ? length_of("battery", true) : 0;
  for (const std::string& member : members(energy)) {
    if (member == "time" || member == "facility" || member == "complex" || member == "battery") continue;
    const std::string name = energy + "/" + member;
    const Handle object(H5Oopen(impl_->file.get(), name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.ok() || H5Iget_type(object.get()) != H5I_DATASET) continue;
    const bool of_complex = member.starts_with("complex_");
    const bool of_battery = member.starts_with("shared_battery") || member == "battery_complex";
    const std::size_t rows = of_complex ? complexes : (of_battery ? batteries : facilities);
    const char* entity = of_complex ? "complex" : (of_battery ? "battery" : "facility");
    const std::vector<std::size_t> dims = shape(name);
    const auto describe = [](const std::vector<std::size_t>& d) {
      std::string text;
      for (const std::size_t n : d) text += (text.empty() ? "" : " × ") + std::to_string(n);
      return "[" + text + "]";
    };
    const std::vector<std::size_t> want =
        dims.size() == 2 ? std::vector<std::size_t>{rows, hours} : std::vector<std::size_t>{rows};
    if (dims != want) {
      fail(name + " has the shape " + describe(dims) + " where its coordinates give " + describe(want) +
           " (" + entity + (dims.size() == 2 ? " × time" : "") + ": " + std::to_string(rows) + " ids in " +
           energy + "/" + entity +
           (dims.size() == 2 ? ", " + std::to_string(hours) + " hours in " + energy + "/time" : "") +
           "): the file was edited or damaged");
    }
  }
}

std::string ResultsReader::select_run(const std::string& run) const {
  const std::string& path = impl_->path;
  const std::vector<std::string> ids = runs();
  if (ids.empty()) bad_input(path + ": the file holds no runs");
  if (run.empty()) {
    if (ids.size() > 1) {
      bad_input(path + ": the file holds " + std::to_string(ids.size()) + " runs (" + listed(ids) +
                "); name one as " + path + ":RUN");
    }
    return ids.front();
  }
  if (std::find(ids.begin(), ids.end(), run) == ids.end())
    bad_input(path + ": no run '" + run + "'; the file holds: " + listed(ids));
  return run;
}

std::vector<KpiRow> ResultsReader::kpis(const std::string& run) const {
  const std::string group_path = "runs/" + run + "/kpi";
  if (!exists("runs/" + run) || !exists(group_path))
    impl_->fail("run '" + run + "' has no KPI table (" + group_path + ")");
  for (const char* column : {"key", "complex", "unit", "value"}) {
    const Handle dataset(impl_->open_dataset(group_path + "/" + column), H5Dclose);
    if (impl_->shape(dataset.get()).size() != 1)
      impl_->fail(group_path + ": the column " + std::string(column) + " is not one-dimensional");
  }
  const std::vector<std::string> keys = strings(group_path + "/key");
  const std::vector<std::string> complexes = strings(group_path + "/complex");
  const std::vector<std::string> units = strings(group_path + "/unit");
  const std::vector<double> values = numbers(group_path + "/value");
  if (complexes.size() != keys.size() || units.size() != keys.size() || values.size() != keys.size())
    impl_->fail(group_path + ": the columns key, complex, value and unit differ in length");
  std::vector<KpiRow> rows(keys.size());
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [first, added] = seen.emplace(std::pair{keys[i], complexes[i]}, i);
    if (!added) {
      impl_->fail("run '" + run + "': " + group_path + ": the KPI " + keys[i] + " of complex " +
                  complexes[i] + " appears twice (rows " + std::to_string(first->second) + " and " +
                  std::to_string(i) + "): the file was edited or damaged");
    }
    rows[i] = {keys[i], complexes[i], values[i], units[i]};
  }
  return rows;
}

bool ResultsReader::exists(const std::string& object) const {
  // H5Lexists checks one link: every group on the way must exist first.
  std::size_t slash = 0;
  while ((slash = object.find('/', slash + 1)) != std::string::npos) {
    if (H5Lexists(impl_->file.get(), object.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(impl_->file.get(), object.c_str(), H5P_DEFAULT) > 0;
}

std::optional<std::string> ResultsReader::string_attribute(const std::string& object,
                                                           const std::string& name) const {
  if (!exists(object)) return std::nullopt;
  const Handle handle(H5Oopen(impl_->file.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!handle.ok()) return std::nullopt;
  return string_attribute_of(handle.get(), name.c_str());
}

std::optional<double> ResultsReader::number_attribute(const std::string& object,
                                                      const std::string& name) const {
  if (!exists(object)) return std::nullopt;
  const Handle handle(H5Oopen(impl_->file.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!handle.ok() || H5Aexists(handle.get(), name.c_str()) <= 0) return std::nullopt;
  const Handle attribute(H5Aopen(handle.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return std::nullopt;
  const Handle file_type(H5Aget_type(attribute.get()), H5Tclose);
  const H5T_class_t type_class = file_type.ok() ? H5Tget_class(file_type.get()) : H5T_NO_CLASS;
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) return std::nullopt;
  double value = 0.0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) return std::nullopt;
  return value;
}

std::vector<std::string> ResultsReader::strings(const std::string& name) const {
  const Handle dataset(impl_->open_dataset(name), H5Dclose);
  const std::vector<std::size_t> extent = impl_->shape(dataset.get());
  if (extent.size() != 1) impl_->fail("the dataset " + name + " is not one-dimensional");
  const std::size_t rows = extent.front();
  const Handle file_type(H5Dget_type(dataset.get()), H5Tclose);
  if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_STRING)
    impl_->fail("the dataset " + name + " does not hold strings");
  (void)impl_->checked_bytes(name, {rows, std::max<std::size_t>(H5Tget_size(file_type.get()), 1)}, 1);
  std::vector<std::string> values;
  values.reserve(rows);
  if (rows == 0) return values;
  if (H5Tis_variable_str(file_type.get()) > 0) {
    const Handle memory_type(variable_string_type(file_type.get()), H5Tclose);
    std::vector<char*> data(rows, nullptr);
    if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
      impl_->fail("cannot read the dataset " + name);
    for (char* text : data) {
      values.emplace_back(text != nullptr ? text : "");
      H5free_memory(text);
    }
    return values;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  std::vector<char> buffer(size * rows);
  if (H5Dread(dataset.get(), file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    impl_->fail("cannot read the dataset " + name);
  for (std::size_t i = 0; i < rows; ++i) values.push_back(trim_fixed(buffer.data() + i * size, size));
  return values;
}

std::vector<double> ResultsReader::numbers(const std::string& name, std::vector<std::size_t>* dims) const {
  return impl_->read_numbers<double>(name, H5T_NATIVE_DOUBLE, dims);
}

std::vector<float> ResultsReader::floats(const std::string& name, std::vector<std::size_t>* dims) const {
  return impl_->read_numbers<float>(name, H5T_NATIVE_FLOAT, dims);
}

std::vector<float> ResultsReader::float_rows(const std::string& name, std::size_t first_row, std::size_t rows,
                                             std::size_t& columns) const {
  const Handle dataset(impl_->open_dataset(name), H5Dclose);
  if (!impl_->numeric(dataset.get())) impl_->fail("the dataset " + name + " does not hold numbers");
  const std::vector<std::size_t> extent = impl_->shape(dataset.get());
  if (extent.size() != 2) impl_->fail("the dataset " + name + " is not two-dimensional");
  if (first_row + rows > extent[0]) impl_->fail("the dataset " + name + " has fewer rows than expected");
  (void)impl_->checked_bytes(name, extent, sizeof(float));
  columns = extent[1];
  std::vector<float> values(rows * columns);
  if (values.empty()) return values;
  const Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
  const std::array<hsize_t, 2> start{first_row, 0};
  const std::array<hsize_t, 2> count{rows, columns};
  const Handle memory_space(H5Screate_simple(2, count.data(), nullptr), H5Sclose);
  if (!file_space.ok() || !memory_space.ok() ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) <
          0 ||
      H5Dread(dataset.get(), H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT,
              values.data()) < 0) {
    impl_->fail("cannot read rows of the dataset " + name);
  }
  return values;
}

}  // namespace sandan
