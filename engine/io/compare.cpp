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
#include "economics/cash_flows.hpp"
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

std::vector<HeadlineLine> headline_lines(const Comparison& c) {
  const ComparisonHeadline& h = c.headline;
  const bool attributed = c.attribution.status == AttributionStatus::kAttributed;
  const std::string no_emissions = "n/a (tco2e_total is not in both runs)";
  const std::string no_costs = "n/a (annualised_cost_krw is not in both runs)";
  const std::string no_bill = "n/a (bill_krw is not in both runs)";
  const std::string nothing_abated = h.tco2e_abated ? "n/a (nothing abated)" : no_emissions;
  // Attributed, every figure is of the interventions alone: B against the counterfactual C.
  const std::string vs = attributed ? "C" : "A";
  std::vector<HeadlineLine> lines;
  if (attributed) {
    lines.push_back(
        {"tCO2eq change, total (B - A)", h.tco2e_change_total, "tCO2eq/year", no_emissions, true});
    lines.push_back(
        {"  of which background (C - A)", h.tco2e_change_background, "tCO2eq/year", no_emissions, true});
  }
  const std::vector<HeadlineLine> figures{
      {attributed ? "tCO2eq abated by the interventions (C - B)" : "tCO2eq abated (A - B)", h.tco2e_abated,
       "tCO2eq/year", no_emissions, false},
      {"annualised intervention cost (B - " + vs + ")", h.delta_annualised_cost_krw, "KRW/year", no_costs,
       true},
      {"annual electricity bill (B - " + vs + ")", h.delta_bill_krw, "KRW/year", no_bill, true},
      {"annual energy cost: bill without VAT + fuel - export credit (B - " + vs + ")",
       h.delta_energy_cost_krw, "KRW/year", "n/a (energy_cost_krw is not in both runs)", true},
      {"net annual cost (B - " + vs + ")", h.net_annual_cost_krw, "KRW/year",
       h.delta_annualised_cost_krw ? no_bill : no_costs, true},
      {"KRW per tCO2eq abated, gross", h.krw_per_tco2e_gross, "KRW/tCO2eq",
       h.delta_annualised_cost_krw ? nothing_abated : no_costs, false},
      {"KRW per tCO2eq abated, net", h.krw_per_tco2e_net, "KRW/tCO2eq",
       h.net_annual_cost_krw ? nothing_abated : (h.delta_annualised_cost_krw ? no_bill : no_costs), false},
  };
  lines.insert(lines.end(), figures.begin(), figures.end());
  if (h.analysis_years > 0) {
    char period[96];
    std::snprintf(period, sizeof period, " (%d years at %.1f %%)", h.analysis_years, 100.0 * h.discount_rate);
    const std::string no_cash = "n/a (no cost lines or energy costs in the runs)";
    lines.push_back({std::string("net present value") + period, h.npv_krw, "KRW", no_cash, true});
    lines.push_back({"simple payback", h.payback_years, "years", "n/a (never repaid)", false});
    lines.push_back({std::string("levelised cost per tCO2eq abated") + period, h.levelised_krw_per_tco2e,
                     "KRW/tCO2eq", "n/a (nothing abated)", false});
  }
  return lines;
}

// What the attribution section says before its rows.
std::vector<std::string> attribution_notes(const Attribution& at) {
  std::vector<std::string> notes;
  switch (at.status) {
    case AttributionStatus::kSameBackground:
      notes.emplace_back("A and B share their background: all of B - A is the interventions'.");
      break;
    case AttributionStatus::kAttributed:
      notes.push_back("The backgrounds differ: " + joined(at.background, "; ") + ".");
      notes.push_back("Counterfactual C (B's background, A's interventions): " + at.counterfactual + ".");
      notes.emplace_back(
          "B - A = interventions (B - C) + grid factor (C - C_g) + other background (C_g - A).");
      break;
    case AttributionStatus::kCounterfactualNeeded:
      notes.push_back("The backgrounds differ: " + joined(at.background, "; ") + ".");
      notes.push_back(at.message);
      break;
    case AttributionStatus::kNotAttributed:
      if (!at.message.empty()) notes.push_back(at.message);
      break;
  }
  return notes;
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

// The attribution rows of complex "all", aligned.
std::string attribution_table(const Attribution& at) {
  constexpr std::size_t kCols = 6;
  const std::array<std::string, kCols> header{"key",           "unit",        "B - A",
                                              "interventions", "grid factor", "other background"};
  std::vector<std::array<std::string, kCols>> rows{header};
  for (const auto& r : at.rows) {
    if (r.complex != kAll) continue;
    const int d = decimals_for(std::fabs(r.total));
    rows.push_back({r.key, r.unit, human(r.total, d, true), human(r.interventions, d, true),
                    human(r.grid_factor, d, true), human(r.other_background, d, true)});
  }
  std::array<std::size_t, kCols> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < kCols; ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string text = " ";
    for (std::size_t i = 0; i < kCols; ++i) text += " " + pad(row[i], width[i], i >= 2);
    out += text + "\n";
  }
  return out;
}

// The percentile rows as aligned text.
std::string percentile_table(const Comparison& c) {
  std::string out = "Uncertainty of B: " + c.uncertainty_note + "\n\n";
  std::size_t w = 6;
  for (const auto& r : c.percentiles) w = std::max(w, r.output.size());
  out += "  " + pad("output", w, false) + "  " + pad("P10", 18, true) + "  " + pad("P50", 18, true) + "  " +
         pad("P90", 18, true) + "  unit\n";
  for (const auto& r : c.percentiles) {
    const int d = decimals_for(std::fabs(r.p50));
    out += "  " + pad(r.output, w, false) + "  " + pad(human(r.p10, d), 18, true) + "  " +
           pad(human(r.p50, d), 18, true) + "  " + pad(human(r.p90, d), 18, true) + "  " + r.unit + "\n";
  }
  return out;
}

std::string format_table(const Comparison& c) {
  if (!c.percentiles.empty()) return "A (reference):   " + describe(c.a) + "\n" + percentile_table(c);
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

  out += c.attribution.status == AttributionStatus::kAttributed
             ? "\nHeadline (complex all; B against the counterfactual C: the interventions' share)\n"
             : "\nHeadline (complex all; B against A)\n";
  for (const auto& w : c.warnings) out += "  warning: " + w + "\n";
  const std::vector<HeadlineLine> lines = headline_lines(c);
  std::size_t label_width = 0;
  for (const auto& l : lines) label_width = std::max(label_width, l.label.size());
  for (const auto& l : lines)
    out += "  " + pad(l.label, label_width, false) + "  " + headline_value(l) + "\n";
  const std::vector<std::string> notes = attribution_notes(c.attribution);
  if (!notes.empty()) out += "\nAttribution\n";
  for (const auto& note : notes) out += "  " + note + "\n";
  if (!c.attribution.rows.empty()) out += "\n" + attribution_table(c.attribution);
  if (!c.attribution.counterfactual_yaml.empty()) {
    out += "\n  The counterfactual's scenario (save as counterfactual.yaml):\n\n";
    std::size_t start = 0;
    const std::string& yaml = c.attribution.counterfactual_yaml;
    while (start < yaml.size()) {
      const std::size_t end = std::min(yaml.find('\n', start), yaml.size());
      out += "    " + yaml.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
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
  if (!c.percentiles.empty()) {
    std::string out = "output,unit,p10,p50,p90\n";
    for (const auto& r : c.percentiles) {
      out += csv_field(r.output) + "," + csv_field(r.unit) + "," + exact(r.p10) + "," + exact(r.p50) + "," +
             exact(r.p90) + "\n";
    }
    return out;
  }
  std::map<std::pair<std::string, std::string>, const AttributionRow*> split;
  for (const auto& r : c.attribution.rows) split[{r.key, r.complex}] = &r;
  std::string out = "key,complex,unit,a,b,delta,delta_pct,interventions,grid_factor,other_background\n";
  for (const auto& k : c.kpis) {
    out += csv_field(k.key) + "," + csv_field(k.complex) + "," + csv_field(k.unit) + "," + exact(k.a) + "," +
           exact(k.b) + "," + exact(k.delta) + "," + (k.delta_pct ? exact(*k.delta_pct) : "");
    const auto it = split.find({k.key, k.complex});
    if (it != split.end()) {
      out += "," + exact(it->second->interventions) + "," + exact(it->second->grid_factor) + "," +
             exact(it->second->other_background);
    } else if (c.attribution.status == AttributionStatus::kSameBackground) {
      out += "," + exact(k.delta) + ",0,0";
    } else {
      out += ",,,";
    }
    out += "\n";
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
                   {"tco2e_change_total", optional_json(h.tco2e_change_total)},
                   {"tco2e_change_background", optional_json(h.tco2e_change_background)},
                   {"delta_annualised_cost_krw", optional_json(h.delta_annualised_cost_krw)},
                   {"delta_bill_krw", optional_json(h.delta_bill_krw)},
                   {"delta_energy_cost_krw", optional_json(h.delta_energy_cost_krw)},
                   {"npv_krw", optional_json(h.npv_krw)},
                   {"payback_years", optional_json(h.payback_years)},
                   {"levelised_krw_per_tco2e", optional_json(h.levelised_krw_per_tco2e)},
                   {"discount_rate", h.discount_rate},
                   {"analysis_years", h.analysis_years},
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
  const Attribution& at = c.attribution;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& r : at.rows) {
    rows.push_back({{"key", r.key},
                    {"complex", r.complex},
                    {"unit", r.unit},
                    {"total", r.total},
                    {"interventions", r.interventions},
                    {"grid_factor", r.grid_factor},
                    {"other_background", r.other_background}});
  }
  j["attribution"] = {{"status", to_string(at.status)},
                      {"background", at.background},
                      {"counterfactual", at.counterfactual},
                      {"counterfactual_yaml", at.counterfactual_yaml},
                      {"message", at.message},
                      {"rows", rows}};
  nlohmann::ordered_json percentiles = nlohmann::ordered_json::array();
  for (const auto& r : c.percentiles) {
    percentiles.push_back(
        {{"output", r.output}, {"unit", r.unit}, {"p10", r.p10}, {"p50", r.p50}, {"p90", r.p90}});
  }
  j["percentiles"] = percentiles;
  j["uncertainty"] = c.uncertainty_note;
  j["warnings"] = c.warnings;
  return j.dump(2) + "\n";
}

std::string markdown_cell(const std::string& text) {
  std::string escaped;
  for (const char ch : text) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return escaped;
}

std::string format_markdown(const Comparison& c) {
  if (!c.percentiles.empty()) {
    std::string out = "A (reference): `" + c.a.run + "` in `" + c.a.file + "`; B: " + c.uncertainty_note +
                      "\n\n| output | unit | P10 | P50 | P90 |\n|:---|:---|---:|---:|---:|\n";
    for (const auto& r : c.percentiles) {
      const int d = decimals_for(std::fabs(r.p50));
      out += "| " + markdown_cell(r.output) + " | " + markdown_cell(r.unit) + " | " + human(r.p10, d) +
             " | " + human(r.p50, d) + " | " + human(r.p90, d) + " |\n";
    }
    return out;
  }
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
  for (const auto& l : headline_lines(c)) out += "- " + l.label + ": " + headline_value(l) + "\n";
  const std::vector<std::string> notes = attribution_notes(c.attribution);
  if (!notes.empty()) out += "\nAttribution:\n\n";
  for (const auto& note : notes) out += note + "\n\n";
  if (!c.attribution.rows.empty()) {
    out +=
        "| key | complex | unit | B − A | interventions | grid factor | other background |\n"
        "|:---|:---|:---|---:|---:|---:|---:|\n";
    for (const auto& r : c.attribution.rows) {
      const int d = decimals_for(std::fabs(r.total));
      out += "| " + markdown_cell(r.key) + " | " + markdown_cell(r.complex) + " | " + markdown_cell(r.unit) +
             " | " + human(r.total, d, true) + " | " + human(r.interventions, d, true) + " | " +
             human(r.grid_factor, d, true) + " | " + human(r.other_background, d, true) + " |\n";
    }
  }
  if (!c.attribution.counterfactual_yaml.empty())
    out += "\n```yaml\n" + c.attribution.counterfactual_yaml + "```\n";
  return out;
}

}  // namespace

std::vector<std::string> list_runs(const std::string& path) { return ResultsReader(path).runs(); }

std::vector<KpiRow> read_run_kpis(const std::string& path, std::string& run) {
  const ResultsReader reader(path);
  run = reader.select_run(run);
  reader.check_run(run);
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
    reader.check_run(id);
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

  Comparison c{a, b, {}, {}, {}, {}, {}, {}, {}, {}};
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
  if (const auto delta_total = delta_of(KpiId::kTco2eTotal)) {
    h.tco2e_abated = -*delta_total;
    h.tco2e_change_total = *delta_total;
  }
  h.delta_annualised_cost_krw = delta_of(KpiId::kAnnualisedCostKrw);
  h.delta_bill_krw = delta_of(KpiId::kBillKrw);
  h.delta_energy_cost_krw = delta_of(KpiId::kEnergyCostKrw);
  const std::optional<double> energy = h.delta_energy_cost_krw ? h.delta_energy_cost_krw : h.delta_bill_krw;
  if (h.delta_annualised_cost_krw && energy) h.net_annual_cost_krw = *h.delta_annualised_cost_krw + *energy;
  if (h.tco2e_abated && *h.tco2e_abated > 0.0) {
    if (h.delta_annualised_cost_krw) h.krw_per_tco2e_gross = *h.delta_annualised_cost_krw / *h.tco2e_abated;
    if (h.net_annual_cost_krw) h.krw_per_tco2e_net = *h.net_annual_cost_krw / *h.tco2e_abated;
  }
  return c;
}

RunCosts read_run_costs(const std::string& path, const std::string& run) {
  const ResultsReader reader(path);
  const std::string group = "runs/" + run + "/costs";
  RunCosts out;
  if (!reader.exists(group)) return out;
  out.present = true;
  const std::vector<std::string> names = reader.strings(group + "/intervention");
  const std::vector<std::string> kinds = reader.strings(group + "/kind");
  const std::vector<double> investment = reader.numbers(group + "/investment_krw");
  const std::vector<double> om = reader.numbers(group + "/om_krw_per_year");
  const std::vector<double> lifetime = reader.numbers(group + "/lifetime_years");
  const std::vector<double> annualised = reader.numbers(group + "/annualised_krw");
  for (std::size_t i = 0; i < names.size(); ++i) {
    out.items.push_back({names[i], i < kinds.size() ? kinds[i] : "", investment.at(i), om.at(i),
                         lifetime.at(i), annualised.at(i)});
  }
  out.discount_rate = reader.number_attribute(group, "discount_rate").value_or(0.0);
  out.analysis_years = static_cast<int>(reader.number_attribute(group, "analysis_years").value_or(0.0));
  return out;
}

void add_cash_flows(ComparisonHeadline& h, const RunCosts& reference, const RunCosts& alternative) {
  if (!reference.present || !alternative.present) return;
  const double r = alternative.discount_rate;
  const int years = alternative.analysis_years;
  if (years <= 0) return;
  h.discount_rate = r;
  h.analysis_years = years;
  // The alternative's lines count as costs; the reference's as costs avoided.
  double pv_costs = 0.0;
  double investment = 0.0;
  double om = 0.0;
  for (const auto& [lines, sign] : {std::pair{&alternative.items, 1.0}, std::pair{&reference.items, -1.0}}) {
    for (const CostLine& line : *lines) {
      const CostItem item{line.investment_krw, line.om_krw_per_year,
                          std::max(1, static_cast<int>(std::lround(line.lifetime_years)))};
      pv_costs += sign * present_value_of_costs(item, r, years).total;
      investment += sign * line.investment_krw;
      om += sign * line.om_krw_per_year;
    }
  }
  const std::optional<double> energy = h.delta_energy_cost_krw ? h.delta_energy_cost_krw : h.delta_bill_krw;
  if (!energy) return;
  const double savings = -*energy;  // a year, from year 1
  h.npv_krw = savings * annuity_factor(r, years) - pv_costs;
  h.payback_years = simple_payback_years(std::max(investment, 0.0), savings - om);
  if (h.tco2e_abated)
    h.levelised_krw_per_tco2e = levelised_cost_krw_per_tco2e(-*h.npv_krw, *h.tco2e_abated, r, years);
}

std::vector<PercentileRow> read_percentiles(const std::string& path, std::string& note) {
  const ResultsReader reader(path);
  if (!reader.exists("uncertainty")) return {};
  const std::vector<std::string> outputs = reader.strings("uncertainty/output");
  const std::vector<std::string> units = reader.strings("uncertainty/output_unit");
  const std::vector<double> p10 = reader.numbers("uncertainty/p10");
  const std::vector<double> p50 = reader.numbers("uncertainty/p50");
  const std::vector<double> p90 = reader.numbers("uncertainty/p90");
  std::vector<PercentileRow> rows;
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    rows.push_back({outputs[o], o < units.size() ? units[o] : "", p10.at(o), p50.at(o), p90.at(o)});
  }
  const std::string method = reader.string_attribute("uncertainty", "method").value_or("");
  const std::string reference = reader.string_attribute("uncertainty", "reference").value_or("");
  note = std::to_string(reader.strings("uncertainty/sample").size()) + " samples (" + method + ") of " +
         path +
         (reference.empty() ? "; no reference, so no abatement or cost per tonne"
                            : "; abatement and costs of each sample against its counterfactual (the same "
                              "sampled background with the interventions of " +
                                  reference + ")");
  return rows;
}

const char* to_string(AttributionStatus status) {
  switch (status) {
    case AttributionStatus::kSameBackground:
      return "same_background";
    case AttributionStatus::kAttributed:
      return "attributed";
    case AttributionStatus::kCounterfactualNeeded:
      return "counterfactual_needed";
    case AttributionStatus::kNotAttributed:
      return "not_attributed";
  }
  return "not_attributed";
}

void attribute(Comparison& c, const RunRef& counterfactual, const std::vector<KpiRow>& c_kpis,
               const std::vector<KpiRow>& grid_step_kpis) {
  using Key = std::pair<std::string, std::string>;
  const auto by_key = [](const std::vector<KpiRow>& rows) {
    std::map<Key, double> index;
    for (const auto& row : rows) index[{row.key, row.complex}] = row.value;
    return index;
  };
  const std::map<Key, double> cf = by_key(c_kpis);
  const std::map<Key, double> step = by_key(grid_step_kpis);
  c.attribution.status = AttributionStatus::kAttributed;
  c.attribution.counterfactual = describe(counterfactual);
  c.attribution.rows.clear();
  for (const KpiDelta& k : c.kpis) {
    const auto in_c = cf.find({k.key, k.complex});
    const auto in_step = step.find({k.key, k.complex});
    if (in_c == cf.end() || in_step == step.end()) continue;
    // Three telescoping differences: they add up to B − A by construction.
    c.attribution.rows.push_back({k.key, k.complex, k.unit, k.delta, k.b - in_c->second,
                                  in_c->second - in_step->second, in_step->second - k.a});
  }
  // The headline of the interventions alone: B against C, same background.
  std::vector<KpiRow> b_kpis;
  for (const KpiDelta& k : c.kpis) b_kpis.push_back({k.key, k.complex, k.b, k.unit});
  for (const KpiRow& row : c.only_in_b) b_kpis.push_back(row);
  const Comparison own = compare_kpis(counterfactual, c_kpis, c.b, b_kpis);
  const std::optional<double> total = c.headline.tco2e_change_total;
  c.headline = own.headline;
  c.headline.tco2e_change_total = total;
  const auto a_total = std::find_if(c.kpis.begin(), c.kpis.end(), [](const KpiDelta& k) {
    return k.key == kpi_key(KpiId::kTco2eTotal) && k.complex == kAll;
  });
  const auto c_total = cf.find({kpi_key(KpiId::kTco2eTotal), kAll});
  if (a_total != c.kpis.end() && c_total != cf.end())
    c.headline.tco2e_change_background = c_total->second - a_total->a;
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
