#include "io/compare.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = "sandan-results";
constexpr long long kSchemaVersion = 1;
constexpr const char* kAll = "all";
// Columns of the comparison table: key, complex, unit, A, B, B - A, change %.
constexpr std::size_t kColumns = 7;

// Owns an HDF5 identifier and closes it with the right function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&&) = delete;
  Handle& operator=(Handle&&) = delete;
  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

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
std::optional<std::string> string_attribute(hid_t loc, const char* name) {
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
std::optional<long long> integer_attribute(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return std::nullopt;
  const Handle attribute(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return std::nullopt;
  const Handle file_type(H5Aget_type(attribute.get()), H5Tclose);
  if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_INTEGER) return std::nullopt;
  long long value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_LLONG, &value) < 0) return std::nullopt;
  return value;
}

// Reads one results file. Every failure is bad input naming the file: the user passed it.
class ResultsReader {
 public:
  explicit ResultsReader(std::string path) : path_(std::move(path)), file_(open(path_), H5Fclose) {
    check_schema();
  }

  [[nodiscard]] std::vector<std::string> runs() const {
    if (H5Lexists(file_.get(), "runs", H5P_DEFAULT) <= 0) return {};
    const Handle group(H5Gopen2(file_.get(), "runs", H5P_DEFAULT), H5Gclose);
    H5G_info_t info{};
    if (!group.ok() || H5Gget_info(group.get(), &info) < 0) fail("cannot read the group runs");
    std::vector<std::string> ids;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t length =
          H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (length < 0) fail("cannot read the names in the group runs");
      std::string name(static_cast<std::size_t>(length) + 1, '\0');
      H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                         H5P_DEFAULT);
      name.resize(static_cast<std::size_t>(length));
      ids.push_back(name);
    }
    return ids;
  }

  [[nodiscard]] std::vector<KpiRow> kpis(const std::string& run) const {
    const std::string group_path = "runs/" + run + "/kpi";
    if (H5Lexists(file_.get(), ("runs/" + run).c_str(), H5P_DEFAULT) <= 0 ||
        H5Lexists(file_.get(), group_path.c_str(), H5P_DEFAULT) <= 0) {
      fail("run '" + run + "' has no KPI table (" + group_path + ")");
    }
    const Handle group(H5Gopen2(file_.get(), group_path.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.ok()) fail("cannot open " + group_path);
    const std::vector<std::string> keys = strings(group.get(), group_path, "key");
    const std::vector<std::string> complexes = strings(group.get(), group_path, "complex");
    const std::vector<std::string> units = strings(group.get(), group_path, "unit");
    const std::vector<double> values = numbers(group.get(), group_path, "value");
    if (complexes.size() != keys.size() || units.size() != keys.size() || values.size() != keys.size()) {
      fail(group_path + ": the columns key, complex, value and unit differ in length");
    }
    std::vector<KpiRow> rows(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) rows[i] = {keys[i], complexes[i], values[i], units[i]};
    return rows;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { bad_input(path_ + ": " + message); }

  static hid_t open(const std::string& path) {
    // HDF5 prints its own error stack on failures; sandan reports failures itself.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    std::error_code ec;
    if (!fs::exists(path, ec)) bad_input(path + ": no such results file");
    if (fs::is_directory(path, ec)) bad_input(path + ": a folder, not a results file");
    if (!fs::is_regular_file(path, ec)) bad_input(path + ": not a regular file, so not a results file");
    if (!std::ifstream(path, std::ios::binary)) bad_input(path + ": cannot be read (permissions?)");
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) bad_input(path + ": not a sandan results file (not an HDF5 file)");
    return file;
  }

  void check_schema() const {
    const std::optional<std::string> schema = string_attribute(file_.get(), "schema");
    if (!schema) {
      fail(std::string("not a sandan results file (an HDF5 file without the root attribute schema = \"") +
           kSchema + "\")");
    }
    if (*schema != kSchema) {
      fail("not a sandan results file (its root attribute schema is \"" + *schema + "\", not \"" + kSchema +
           "\")");
    }
    const std::optional<long long> version = integer_attribute(file_.get(), "schema_version");
    if (version && *version != kSchemaVersion) {
      fail("results schema version " + std::to_string(*version) + "; this sandan reads version " +
           std::to_string(kSchemaVersion));
    }
  }

  // Opens a one-dimensional dataset of a KPI table; its length in `rows`.
  [[nodiscard]] hid_t column(hid_t group, const std::string& group_path, const char* name,
                             std::size_t& rows) const {
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) fail(group_path + ": no column " + name);
    const hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
    if (dataset < 0) fail(group_path + ": cannot open the column " + name);
    const Handle space(H5Dget_space(dataset), H5Sclose);
    if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1) {
      H5Dclose(dataset);
      fail(group_path + ": the column " + std::string(name) + " is not one-dimensional");
    }
    rows = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    return dataset;
  }

  [[nodiscard]] std::vector<std::string> strings(hid_t group, const std::string& group_path,
                                                 const char* name) const {
    std::size_t rows = 0;
    const Handle dataset(column(group, group_path, name, rows), H5Dclose);
    const Handle file_type(H5Dget_type(dataset.get()), H5Tclose);
    if (!file_type.ok() || H5Tget_class(file_type.get()) != H5T_STRING)
      fail(group_path + ": the column " + std::string(name) + " does not hold strings");
    std::vector<std::string> values;
    values.reserve(rows);
    if (rows == 0) return values;
    if (H5Tis_variable_str(file_type.get()) > 0) {
      const Handle memory_type(variable_string_type(file_type.get()), H5Tclose);
      std::vector<char*> data(rows, nullptr);
      if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
        fail(group_path + ": cannot read the column " + name);
      for (char* text : data) {
        values.emplace_back(text != nullptr ? text : "");
        H5free_memory(text);
      }
      return values;
    }
    const std::size_t size = H5Tget_size(file_type.get());
    std::vector<char> buffer(size * rows);
    if (H5Dread(dataset.get(), file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
      fail(group_path + ": cannot read the column " + name);
    for (std::size_t i = 0; i < rows; ++i) values.push_back(trim_fixed(buffer.data() + i * size, size));
    return values;
  }

  [[nodiscard]] std::vector<double> numbers(hid_t group, const std::string& group_path,
                                            const char* name) const {
    std::size_t rows = 0;
    const Handle dataset(column(group, group_path, name, rows), H5Dclose);
    const Handle file_type(H5Dget_type(dataset.get()), H5Tclose);
    const H5T_class_t type_class = file_type.ok() ? H5Tget_class(file_type.get()) : H5T_NO_CLASS;
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
      fail(group_path + ": the column " + std::string(name) + " does not hold numbers");
    std::vector<double> values(rows);
    if (rows > 0 &&
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
      fail(group_path + ": cannot read the column " + name);
    return values;
  }

  std::string path_;
  Handle file_;
};

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

// ---- formatting ----

// Shortest text that reads back as the same double ("nan", "inf" for those): CSV.
std::string exact(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// Decimals for people: none for 0 and from 100 up, two from 1, four below.
int decimals_for(double magnitude) {
  constexpr double kWhole = 100.0;
  constexpr int kSmallDecimals = 4;
  if (magnitude == 0.0 || magnitude >= kWhole) return 0;
  if (magnitude >= 1.0) return 2;
  return kSmallDecimals;
}

// Digits in a group of thousands.
constexpr std::size_t kThousands = 3;
// Decimals of a percent change.
constexpr int kPercentDecimals = 2;

// A number for people: thousands grouped by ',', a sign if asked, "n/a" if not finite.
std::string human(double value, int decimals, bool plus = false) {
  if (!std::isfinite(value)) return "n/a";
  // Room for the largest double (309 digits) and the decimals asked for here.
  std::array<char, 400> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, std::fabs(value));
  std::string digits(buffer.data());
  const std::size_t point = std::min(digits.find('.'), digits.size());
  std::string grouped;
  for (std::size_t i = 0; i < point; ++i) {
    if (i > 0 && (point - i) % kThousands == 0) grouped += ',';
    grouped += digits[i];
  }
  grouped += digits.substr(point);
  // No sign for a value that rounds to zero.
  const bool zero = grouped.find_first_not_of("0.,") == std::string::npos;
  if (zero) return grouped;
  if (value < 0.0) return "-" + grouped;
  return plus ? "+" + grouped : grouped;
}

struct KpiCells {
  std::string a, b, delta, pct;
};

KpiCells cells(const KpiDelta& k) {
  const int decimals = decimals_for(std::max(std::fabs(k.a), std::fabs(k.b)));
  KpiCells c{human(k.a, decimals), human(k.b, decimals), human(k.delta, decimals, true), ""};
  if (k.delta_pct) c.pct = human(*k.delta_pct, kPercentDecimals, true);
  return c;
}

// The headline's lines: label, value (or why there is none), unit.
struct HeadlineLine {
  std::string label;
  std::optional<double> value;
  std::string unit;
  std::string missing;  // shown instead of a value
  bool signed_value;    // a difference: shown with its sign
};

std::vector<HeadlineLine> headline_lines(const ComparisonHeadline& h) {
  const std::string no_emissions = "n/a (tco2e_total is not in both runs)";
  const std::string no_costs = "n/a (annualised_cost_krw is not in both runs)";
  const std::string no_bill = "n/a (bill_krw is not in both runs)";
  const std::string nothing_abated = h.tco2e_abated ? "n/a (nothing abated)" : no_emissions;
  return {
      {"tCO2eq abated (A - B)", h.tco2e_abated, "tCO2eq/year", no_emissions, false},
      {"annualised intervention cost (B - A)", h.delta_annualised_cost_krw, "KRW/year", no_costs, true},
      {"annual electricity bill (B - A)", h.delta_bill_krw, "KRW/year", no_bill, true},
      {"net annual cost (B - A)", h.net_annual_cost_krw, "KRW/year",
       h.delta_annualised_cost_krw ? no_bill : no_costs, true},
      {"KRW per tCO2eq abated, gross", h.krw_per_tco2e_gross, "KRW/tCO2eq",
       h.delta_annualised_cost_krw ? nothing_abated : no_costs, false},
      {"KRW per tCO2eq abated, net", h.krw_per_tco2e_net, "KRW/tCO2eq",
       h.net_annual_cost_krw ? nothing_abated : (h.delta_annualised_cost_krw ? no_bill : no_costs), false},
  };
}

std::string headline_value(const HeadlineLine& line) {
  if (!line.value) return line.missing;
  return human(*line.value, decimals_for(std::fabs(*line.value)), line.signed_value) + " " + line.unit;
}

std::string describe(const RunRef& ref) { return ref.run + " in " + ref.file; }

std::string unmatched(const std::vector<KpiRow>& rows) {
  std::vector<std::string> names;
  names.reserve(rows.size());
  for (const auto& r : rows) names.push_back(r.key + "/" + r.complex);
  return joined(names, ", ");
}

std::string pad(const std::string& text, std::size_t width, bool right) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

std::string format_table(const Comparison& c) {
  std::string out = "A (reference):   " + describe(c.a) + "\nB (alternative): " + describe(c.b) + "\n\n";
  const std::array<const char*, kColumns> header{"key", "complex", "unit", "A", "B", "B - A", "change %"};
  const std::array<bool, kColumns> right{false, false, false, true, true, true, true};
  std::vector<std::array<std::string, kColumns>> rows;
  rows.reserve(c.kpis.size());
  for (const auto& k : c.kpis) {
    const KpiCells v = cells(k);
    rows.push_back({k.key, k.complex, k.unit, v.a, v.b, v.delta, v.pct});
  }
  std::array<std::size_t, kColumns> width{};
  for (std::size_t col = 0; col < header.size(); ++col) {
    width[col] = std::string(header[col]).size();
    for (const auto& row : rows) width[col] = std::max(width[col], row[col].size());
  }
  auto line = [&](const std::array<std::string, kColumns>& row) {
    std::string text;
    for (std::size_t col = 0; col < row.size(); ++col)
      text += (col > 0 ? "  " : "") + pad(row[col], width[col], right[col]);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  out += line({header[0], header[1], header[2], header[3], header[4], header[5], header[6]});
  for (const auto& row : rows) out += line(row);
  if (!c.only_in_a.empty()) out += "\nOnly in A (not compared): " + unmatched(c.only_in_a) + "\n";
  if (!c.only_in_b.empty()) out += "\nOnly in B (not compared): " + unmatched(c.only_in_b) + "\n";

  out += "\nHeadline (complex all; B against A)\n";
  const std::vector<HeadlineLine> lines = headline_lines(c.headline);
  std::size_t label_width = 0;
  for (const auto& l : lines) label_width = std::max(label_width, l.label.size());
  for (const auto& l : lines)
    out += "  " + pad(l.label, label_width, false) + "  " + headline_value(l) + "\n";
  return out;
}

// RFC 4180: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string format_csv(const Comparison& c) {
  std::string out = "key,complex,unit,a,b,delta,delta_pct\n";
  for (const auto& k : c.kpis) {
    out += csv_field(k.key) + "," + csv_field(k.complex) + "," + csv_field(k.unit) + "," + exact(k.a) + "," +
           exact(k.b) + "," + exact(k.delta) + "," + (k.delta_pct ? exact(*k.delta_pct) : "") + "\n";
  }
  return out;
}

nlohmann::ordered_json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::string format_json(const Comparison& c) {
  nlohmann::ordered_json j;
  j["a"] = {{"file", c.a.file}, {"run", c.a.run}};
  j["b"] = {{"file", c.b.file}, {"run", c.b.run}};
  const ComparisonHeadline& h = c.headline;
  j["headline"] = {{"tco2e_abated", optional_json(h.tco2e_abated)},
                   {"delta_annualised_cost_krw", optional_json(h.delta_annualised_cost_krw)},
                   {"delta_bill_krw", optional_json(h.delta_bill_krw)},
                   {"net_annual_cost_krw", optional_json(h.net_annual_cost_krw)},
                   {"krw_per_tco2e_gross", optional_json(h.krw_per_tco2e_gross)},
                   {"krw_per_tco2e_net", optional_json(h.krw_per_tco2e_net)}};
  j["kpis"] = nlohmann::ordered_json::array();
  for (const auto& k : c.kpis) {
    j["kpis"].push_back({{"key", k.key},
                         {"complex", k.complex},
                         {"unit", k.unit},
                         {"a", k.a},
                         {"b", k.b},
                         {"delta", k.delta},
                         {"delta_pct", optional_json(k.delta_pct)}});
  }
  for (const auto& [name, rows] : std::array<std::pair<const char*, const std::vector<KpiRow>*>, 2>{
           {{"only_in_a", &c.only_in_a}, {"only_in_b", &c.only_in_b}}}) {
    j[name] = nlohmann::ordered_json::array();
    for (const auto& r : *rows) j[name].push_back({{"key", r.key}, {"complex", r.complex}});
  }
  return j.dump(2) + "\n";
}

std::string markdown_cell(const std::string& text) {
  std::string escaped;
  for (const char ch : text) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return escaped;
}

std::string format_markdown(const Comparison& c) {
  std::string out = "A (reference): `" + c.a.run + "` in `" + c.a.file + "`; B (alternative): `" + c.b.run +
                    "` in `" + c.b.file + "`\n\n";
  out += "| key | complex | unit | A | B | B − A | change % |\n|:---|:---|:---|---:|---:|---:|---:|\n";
  for (const auto& k : c.kpis) {
    const KpiCells v = cells(k);
    out += "| " + markdown_cell(k.key) + " | " + markdown_cell(k.complex) + " | " + markdown_cell(k.unit) +
           " | " + v.a + " | " + v.b + " | " + v.delta + " | " + v.pct + " |\n";
  }
  if (!c.only_in_a.empty()) out += "\nOnly in A (not compared): " + unmatched(c.only_in_a) + "\n";
  if (!c.only_in_b.empty()) out += "\nOnly in B (not compared): " + unmatched(c.only_in_b) + "\n";
  out += "\nHeadline (complex all; B against A):\n\n";
  for (const auto& l : headline_lines(c.headline)) out += "- " + l.label + ": " + headline_value(l) + "\n";
  return out;
}

}  // namespace

std::vector<std::string> list_runs(const std::string& path) { return ResultsReader(path).runs(); }

std::vector<KpiRow> read_run_kpis(const std::string& path, std::string& run) {
  const ResultsReader reader(path);
  const std::vector<std::string> runs = reader.runs();
  if (runs.empty()) bad_input(path + ": the file holds no runs");
  if (run.empty()) {
    if (runs.size() > 1) {
      bad_input(path + ": the file holds " + std::to_string(runs.size()) + " runs (" + listed(runs) +
                "); name one as " + path + ":RUN");
    }
    run = runs.front();
  } else if (std::find(runs.begin(), runs.end(), run) == runs.end()) {
    bad_input(path + ": no run '" + run + "'; the file holds: " + listed(runs));
  }
  return reader.kpis(run);
}

RunRef parse_run_ref(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  std::error_code ec;
  if (colon == std::string::npos || fs::exists(text, ec) || text.find('/', colon) != std::string::npos) {
    return {text, ""};
  }
  return {text.substr(0, colon), text.substr(colon + 1)};
}

Comparison compare_kpis(const RunRef& a, const std::vector<KpiRow>& a_kpis, const RunRef& b,
                        const std::vector<KpiRow>& b_kpis) {
  using Key = std::pair<std::string, std::string>;  // key, complex
  auto index = [](const RunRef& ref, const std::vector<KpiRow>& rows) {
    std::map<Key, const KpiRow*> by_key;
    for (const auto& row : rows) {
      if (!by_key.emplace(Key{row.key, row.complex}, &row).second) {
        bad_input(ref.file + ": run '" + ref.run + "': the KPI " + row.key + "/" + row.complex +
                  " appears twice");
      }
    }
    return by_key;
  };
  const std::map<Key, const KpiRow*> a_index = index(a, a_kpis);
  const std::map<Key, const KpiRow*> b_index = index(b, b_kpis);

  Comparison c{a, b, {}, {}, {}, {}};
  for (const auto& row : a_kpis) {
    const auto found = b_index.find({row.key, row.complex});
    if (found == b_index.end()) {
      c.only_in_a.push_back(row);
      continue;
    }
    const KpiRow& other = *found->second;
    if (other.unit != row.unit) {
      bad_input("the KPI " + row.key + "/" + row.complex + " is in " + row.unit + " in " + describe(a) +
                " but in " + other.unit + " in " + describe(b));
    }
    KpiDelta d{row.key, row.complex, row.unit, row.value, other.value, other.value - row.value, std::nullopt};
    if (row.value != 0.0) d.delta_pct = 100.0 * d.delta / std::fabs(row.value);
    c.kpis.push_back(d);
  }
  for (const auto& row : b_kpis) {
    if (a_index.find({row.key, row.complex}) == a_index.end()) c.only_in_b.push_back(row);
  }

  auto delta_of = [&](const std::string& key) -> std::optional<double> {
    const auto in_a = a_index.find({key, kAll});
    const auto in_b = b_index.find({key, kAll});
    if (in_a == a_index.end() || in_b == b_index.end()) return std::nullopt;
    return in_b->second->value - in_a->second->value;
  };
  ComparisonHeadline& h = c.headline;
  if (const auto delta_total = delta_of("tco2e_total")) h.tco2e_abated = -*delta_total;
  h.delta_annualised_cost_krw = delta_of("annualised_cost_krw");
  h.delta_bill_krw = delta_of("bill_krw");
  if (h.delta_annualised_cost_krw && h.delta_bill_krw)
    h.net_annual_cost_krw = *h.delta_annualised_cost_krw + *h.delta_bill_krw;
  if (h.tco2e_abated && *h.tco2e_abated > 0.0) {
    if (h.delta_annualised_cost_krw) h.krw_per_tco2e_gross = *h.delta_annualised_cost_krw / *h.tco2e_abated;
    if (h.net_annual_cost_krw) h.krw_per_tco2e_net = *h.net_annual_cost_krw / *h.tco2e_abated;
  }
  return c;
}

Comparison compare_runs(const RunRef& a, const RunRef& b) {
  RunRef a_read = a;
  RunRef b_read = b;
  const std::vector<KpiRow> a_kpis = read_run_kpis(a_read.file, a_read.run);
  const std::vector<KpiRow> b_kpis = read_run_kpis(b_read.file, b_read.run);
  return compare_kpis(a_read, a_kpis, b_read, b_kpis);
}

std::string format_comparison(const Comparison& comparison, const std::string& format) {
  if (format == "table") return format_table(comparison);
  if (format == "csv") return format_csv(comparison);
  if (format == "json") return format_json(comparison);
  if (format == "markdown") return format_markdown(comparison);
  bad_input("unknown comparison format '" + format + "' (table, csv, json or markdown)");
}

std::string run_kpis_json(const std::string& scenario, const std::vector<RunKpis>& runs,
                          const std::string& output) {
  nlohmann::ordered_json j;
  j["scenario"] = scenario;
  j["runs"] = nlohmann::ordered_json::array();
  for (const auto& run : runs) {
    nlohmann::ordered_json kpis = nlohmann::ordered_json::array();
    for (const auto& k : run.kpis)
      kpis.push_back({{"key", k.key}, {"complex", k.complex}, {"value", k.value}, {"unit", k.unit}});
    j["runs"].push_back({{"run_id", run.run_id}, {"kpis", kpis}});
  }
  j["output"] = output.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(output);
  return j.dump(2) + "\n";
}

}  // namespace sandan
