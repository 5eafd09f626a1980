#include "view/describe.hpp"

#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace sandan {

namespace {

enum class Format { kShare, kNumber, kText, kList };

struct KeyWords {
  const char* key;
  const char* en;
  const char* ko;
  const char* unit;  // after the number ("" for none)
  Format format;
};

// The settings a person recognises, as docs/scenarios.md names them; any other key is shown as it is.
constexpr std::array<KeyWords, 27> kKeys{{
    {"roof_share", "roof share", "지붕 활용률", "", Format::kShare},
    {"min_roof_m2", "roofs of at least", "최소 지붕 면적", "m²", Format::kNumber},
    {"m2_per_kwp", "area per kWp", "kWp당 면적", "m²", Format::kNumber},
    {"tilt_deg", "tilt", "경사각", "°", Format::kNumber},
    {"azimuth_deg", "azimuth", "방위각", "°", Format::kNumber},
    {"at", "at", "설치 위치", "", Format::kText},
    {"energy_kwh", "energy", "용량", "kWh", Format::kNumber},
    {"power_kw", "power", "출력", "kW", Format::kNumber},
    {"energy_kwh_per_kwp", "energy per kWp of PV", "태양광 kWp당 용량", "kWh", Format::kNumber},
    {"power_kw_per_kwp", "power per kWp of PV", "태양광 kWp당 출력", "kW", Format::kNumber},
    {"strategy", "strategy", "운전 전략", "", Format::kText},
    {"electricity_saving", "electricity saved", "전력 절감", "", Format::kShare},
    {"fuel_saving", "fuel saved", "연료 절감", "", Format::kShare},
    {"share", "share", "비율", "", Format::kShare},
    {"cop", "COP", "성능계수(COP)", "", Format::kNumber},
    {"trip_reduction", "fewer truck trips", "화물차 통행 감소", "", Format::kShare},
    {"light_truck_share", "electric light trucks", "전기 소형 화물차", "", Format::kShare},
    {"heavy_truck_share", "electric heavy trucks", "전기 대형 화물차", "", Format::kShare},
    {"complexes", "complexes", "대상 단지", "", Format::kList},
    {"sectors", "sectors", "업종", "", Format::kList},
    {"cost_krw", "cost", "비용", "KRW", Format::kNumber},
    {"cost_krw_per_kwp", "cost", "비용", "KRW/kWp", Format::kNumber},
    {"cost_krw_per_kwh", "cost", "비용", "KRW/kWh", Format::kNumber},
    {"cost_krw_per_kw", "cost", "비용", "KRW/kW", Format::kNumber},
    {"lifetime_years", "lifetime", "수명", "years", Format::kNumber},
    {"boiler_efficiency", "boiler efficiency", "보일러 효율", "", Format::kShare},
    {"om_share_per_year", "O&M a year", "연간 운영유지비", "", Format::kShare},
}};

constexpr std::array<std::string_view, 11> kTechnical{
    "dc_ac_ratio", "inverter_efficiency",   "gamma_per_c", "system_losses_pct",
    "albedo",      "round_trip_efficiency", "soc_min",     "soc_max",
    "soc_initial", "om_share_per_year",     "module_type"};

struct KindWords {
  const char* kind;
  const char* en;
  const char* ko;
};

constexpr std::array<KindWords, 6> kKinds{{
    {"rooftop_pv", "Rooftop PV", "지붕 태양광"},
    {"battery", "Battery", "배터리(ESS)"},
    {"efficiency", "Energy efficiency", "에너지 효율 개선"},
    {"fuel_switch", "Fuel switch to heat pumps", "히트펌프 연료 전환"},
    {"logistics_hub", "Shared logistics hub", "공동 물류 거점"},
    {"ev_trucks", "Electric trucks", "전기 화물차"},
}};

// 1234567.8 → "1,234,568"; small numbers keep up to three significant decimals.
std::string number_text(double v) {
  std::array<char, 64> buffer{};
  if (std::fabs(v) >= 1000 || v == std::floor(v)) {
    std::snprintf(buffer.data(), buffer.size(), "%.0f", v);
    std::string digits = buffer.data();
    const std::size_t start = digits[0] == '-' ? 1 : 0;
    for (std::size_t i = digits.size(); i > start + 3; i -= 3) digits.insert(i - 3, ",");
    return digits;
  }
  std::snprintf(buffer.data(), buffer.size(), "%.3g", v);
  return buffer.data();
}

std::string scalar_text(const YAML::Node& node, Format format, const char* unit, bool korean) {
  if (format == Format::kList && node.IsSequence()) {
    if (node.size() == 0) return korean ? "전체" : "all";  // an empty list: every complex or sector
    std::string out;
    for (const auto& item : node) out += (out.empty() ? "" : ", ") + item.as<std::string>("?");
    return out;
  }
  if (!node.IsScalar()) return YAML::Dump(node);
  std::string text = node.as<std::string>();
  if (korean) {
    static const std::array<std::pair<std::string_view, std::string_view>, 5> kValues{{
        {"peak_shaving", "최대 수요 저감(피크 셰이빙)"},
        {"self_consumption", "자가소비"},
        {"tou_arbitrage", "시간대별 요금 차익"},
        {"facilities", "각 공장"},
        {"all", "전체"},
    }};
    for (const auto& [word, ko] : kValues)
      if (text == word) return std::string(ko);
    if (text.rfind("complex:", 0) == 0) return "단지 " + text.substr(8);
  }
  double value = 0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    return text;
  }
  // The resolved scenario writes doubles in full (0.20000000000000001): as a person writes them.
  if (format == Format::kText || format == Format::kList) return number_text(value);
  if (format == Format::kShare)
    return number_text(value * 100.0) + " %" + (*unit ? std::string(" ") + unit : "");
  std::string u = unit;
  if (korean && u == "years") u = "년";
  if (korean && u == "KRW") u = "원";
  if (korean && u.rfind("KRW/", 0) == 0) u = "원/" + u.substr(4);
  const bool attached = u == "°" || u == "년";  // 15°, 20년: no space before these
  return number_text(value) + (u.empty() ? "" : (attached ? u : " " + u));
}

Words intervention_words(const std::string& kind, const YAML::Node& settings) {
  Words w;
  w.en = kind;
  w.ko = kind;
  for (const KindWords& k : kKinds) {
    if (kind == k.kind) {
      w.en = k.en;
      w.ko = k.ko;
    }
  }
  if (!settings.IsMap() || settings.size() == 0) return w;
  std::string en;
  std::string ko;
  for (const auto& item : settings) {
    const std::string key = item.first.as<std::string>("?");
    // The PV and battery models' technical parameters (their documented defaults unless a scenario
    // sets them) make the sentence long and say little to a planner; docs/scenarios.md lists them.
    if (std::find(kTechnical.begin(), kTechnical.end(), key) != kTechnical.end()) continue;
    // A cost of 0 is a cost not stated (the scenario's default), not a free intervention.
    if (key.rfind("cost_krw", 0) == 0 && item.second.IsScalar() && item.second.as<std::string>() == "0")
      continue;
    const KeyWords* found = nullptr;
    for (const KeyWords& k : kKeys)
      if (key == k.key) found = &k;
    const Format format = found ? found->format : Format::kText;
    const char* unit = found ? found->unit : "";
    en += (en.empty() ? "" : ", ") + std::string(found ? found->en : key.c_str()) + " " +
          scalar_text(item.second, format, unit, false);
    ko += (ko.empty() ? "" : ", ") + std::string(found ? found->ko : key.c_str()) + " " +
          scalar_text(item.second, format, unit, true);
  }
  w.en += ": " + en;
  w.ko += ": " + ko;
  return w;
}

}  // namespace

ScenarioWords describe_scenario(const std::string& resolved_yaml) {
  ScenarioWords out;
  YAML::Node root;
  try {
    root = YAML::Load(resolved_yaml);
  } catch (const YAML::Exception&) {
    return out;
  }
  if (!root.IsMap()) return out;
  try {
    const int year = root["year"] ? root["year"].as<int>() : 0;
    std::string factor_en;
    std::string factor_ko;
    if (const YAML::Node g = root["grid_emission_factor"]; g && g.IsMap() && g["t_per_mwh"]) {
      factor_en = ", grid factor " + number_text(g["t_per_mwh"].as<double>()) + " tCO2eq/MWh";
      factor_ko = ", 전력 배출계수 " + number_text(g["t_per_mwh"].as<double>()) + " tCO2eq/MWh";
    } else if (g && g.IsMap() && g["hourly_csv"]) {
      factor_en = ", an hourly grid factor";
      factor_ko = ", 시간별 전력 배출계수";
    }
    if (const YAML::Node list = root["interventions"]; list && list.IsSequence()) {
      for (const auto& item : list) {
        if (!item.IsMap()) continue;
        for (const auto& kv : item) {
          const std::string kind = kv.first.as<std::string>("?");
          out.interventions.push_back({kind, intervention_words(kind, kv.second)});
        }
      }
    }
    const std::size_t n = out.interventions.size();
    const std::string count_en = n == 0 ? "no interventions (the reference)"
                                        : std::to_string(n) + (n == 1 ? " intervention" : " interventions");
    const std::string count_ko = n == 0 ? "개입 없음 (기준)" : "개입 " + std::to_string(n) + "건";
    out.summary.en = "Year " + std::to_string(year) + factor_en + "; " + count_en + ".";
    out.summary.ko = std::to_string(year) + "년" + factor_ko + "; " + count_ko + ".";
  } catch (const YAML::Exception&) {
    return {};
  }
  return out;
}

}  // namespace sandan
