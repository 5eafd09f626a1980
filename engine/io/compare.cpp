#include "io/compare.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "core/error.hpp"
#include "io/results_reader.hpp"
#include "scenario/kpi_catalogue.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

const std::string kAll(kAllComplexes);
// Columns of the comparison table: key, complex, unit, A, B, B - A, change %.
constexpr std::size_t kColumns = 7;

[[noreturn]] void bad_input(const std::string& message) { throw Error(ErrorCode::kBadInput, message); }

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
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
  for (const auto& w : c.warnings) out += "  warning: " + w + "\n";
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
  j["warnings"] = c.warnings;
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
  for (const auto& w : c.warnings) out += "> **Warning**: " + w + "\n\n";
  for (const auto& l : headline_lines(c.headline)) out += "- " + l.label + ": " + headline_value(l) + "\n";
  return out;
}

}  // namespace

std::vector<std::string> list_runs(const std::string& path) { return ResultsReader(path).runs(); }

std::vector<KpiRow> read_run_kpis(const std::string& path, std::string& run) {
  const ResultsReader reader(path);
  run = reader.select_run(run);
  return reader.kpis(run);
}

std::vector<std::vector<KpiRow>> read_kpis_of_runs(const std::string& path,
                                                   const std::vector<std::string>& runs) {
  const ResultsReader reader(path);
  const std::vector<std::string> listed = reader.runs();
  const std::set<std::string> known(listed.begin(), listed.end());
  const std::vector<std::string>& ids = runs.empty() ? listed : runs;
  std::vector<std::vector<KpiRow>> tables;
  tables.reserve(ids.size());
  for (const std::string& id : ids) {
    // select_run lists the file's runs again: only for the message of a run that is not there.
    if (id.empty() || known.count(id) == 0) (void)reader.select_run(id.empty() ? " " : id);
    tables.push_back(reader.kpis(id));
  }
  return tables;
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

  Comparison c{a, b, {}, {}, {}, {}, {}};
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

  auto delta_of = [&](KpiId id) -> std::optional<double> {
    const std::string key = kpi_key(id);
    const auto in_a = a_index.find({key, kAll});
    const auto in_b = b_index.find({key, kAll});
    if (in_a == a_index.end() || in_b == b_index.end()) return std::nullopt;
    return in_b->second->value - in_a->second->value;
  };
  // car_km for "all" is there exactly when the run modelled traffic (docs/results-schema.md).
  const bool a_traffic = a_index.count({kpi_key(KpiId::kCarKm), kAll}) != 0;
  const bool b_traffic = b_index.count({kpi_key(KpiId::kCarKm), kAll}) != 0;
  if (a_traffic != b_traffic) {
    const auto transport = a_index.find({kpi_key(KpiId::kTco2eTransport), kAll});
    const auto other_transport = b_index.find({kpi_key(KpiId::kTco2eTransport), kAll});
    const auto& with = a_traffic ? transport : other_transport;
    const auto& with_end = a_traffic ? a_index.end() : b_index.end();
    std::string amount;
    if (with != with_end) {
      char text[64];
      std::snprintf(text, sizeof text, " (%.0f tCO2eq)", with->second->value);
      amount = text;
    }
    c.warnings.push_back(std::string(a_traffic ? "B" : "A") + " did not model road traffic and " +
                         (a_traffic ? "A" : "B") + " did: the road transport of " + (a_traffic ? "A" : "B") +
                         amount + " counts as " + (a_traffic ? "abated" : "added") +
                         "; compare runs of the same models");
  }
  std::set<std::string> a_complexes, b_complexes;
  for (const auto& row : a_kpis) a_complexes.insert(row.complex);
  for (const auto& row : b_kpis) b_complexes.insert(row.complex);
  if (a_complexes != b_complexes) {
    c.warnings.emplace_back(
        "the runs simulated different complexes: totals (complex all) cover different areas");
  }

  ComparisonHeadline& h = c.headline;
  if (const auto delta_total = delta_of(KpiId::kTco2eTotal)) h.tco2e_abated = -*delta_total;
  h.delta_annualised_cost_krw = delta_of(KpiId::kAnnualisedCostKrw);
  h.delta_bill_krw = delta_of(KpiId::kBillKrw);
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
