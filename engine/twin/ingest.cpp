#include "twin/ingest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/search_path.hpp"
#include "energy/loads.hpp"
#include "gis/reader.hpp"
#include "meter/time_stamp.hpp"
#include "site/topology.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

// The layout: as given, else gis_data/incheon.gpkg above the mapping file or the working directory.
std::string resolve_site(const IngestRequest& request) {
  if (!request.site.empty()) return request.site;
  const fs::path map_folder = fs::path(request.map_path).parent_path();
  for (const fs::path& start : {map_folder.empty() ? fs::path(".") : map_folder, fs::current_path()}) {
    std::string found = find_upward(start, fs::path("gis_data") / "incheon.gpkg");
    if (!found.empty()) return found;
  }
  throw Error(
      ErrorCode::kBadInput,
      request.map_path +
          ": no layout to check the mapping against: gis_data/incheon.gpkg is neither above the mapping "
          "file nor above the working directory; give the layout with --site LAYOUT.gpkg");
}

// The load archetypes: loads/archetypes.yaml beside the layout (gis_data/ holds both), else above.
std::string resolve_load_library(const std::string& site_path) {
  std::error_code ec;
  // A layout may be a folder of layer files, or one file.
  const fs::path folder =
      fs::is_directory(site_path, ec) ? fs::path(site_path) : fs::path(site_path).parent_path();
  const fs::path beside = (folder.empty() ? fs::path(".") : folder) / "loads" / "archetypes.yaml";
  if (fs::is_regular_file(beside, ec)) return beside.string();
  std::string found = find_upward(folder.empty() ? fs::path(".") : folder,
                                  fs::path("gis_data") / "loads" / "archetypes.yaml");
  if (found.empty())
    found = find_upward(fs::current_path(), fs::path("gis_data") / "loads" / "archetypes.yaml");
  if (found.empty()) {
    throw Error(ErrorCode::kBadInput,
                site_path +
                    ": no load archetypes (loads/archetypes.yaml) beside the layout or in a "
                    "gis_data folder above it, needed for the meters' expected annual "
                    "energy; put the layout in the repository's gis_data folder");
  }
  return found;
}

std::string thousands(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.0f", value);
  std::string digits = buffer;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return (negative ? "-" : "") + digits;
}

std::string figure(double value, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

const char* word(MeterTarget target) {
  switch (target) {
    case MeterTarget::kFacility:
      return "facility";
    case MeterTarget::kFeeder:
      return "feeder";
    case MeterTarget::kSubstation:
      return "substation";
    case MeterTarget::kComplex:
      return "complex";
  }
  return "facility";
}

// Ids of a kind in the layout, for "it has ..." in messages.
std::string some_of(const std::set<std::string>& ids) {
  std::string text;
  std::size_t n = 0;
  for (const auto& id : ids) {
    if (n++ == 5) {
      text += ", ... (" + std::to_string(ids.size()) + " in all)";
      break;
    }
    text += (text.empty() ? "" : ", ") + id;
  }
  return text.empty() ? "none" : text;
}

std::string iso(std::int64_t utc_minutes) { return meter::format_kst(utc_minutes); }

}  // namespace

std::map<std::string, Expectation> expected_annual_energy(const meter::MeterMap& map, const Site& site,
                                                          const LoadLibrary& library,
                                                          const std::string& site_path) {
  // Each facility's annual electricity as the load model takes it (energy/loads.cpp: the layout's
  // annual_elec_mwh, else floor area × the sector's intensity, the fallback sector for an unlisted one).
  std::vector<double> facility_kwh(site.facilities.size(), 0.0);
  std::vector<std::string> facility_basis(site.facilities.size());
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const Facility& facility = site.facilities[f];
    if (facility.annual_elec_mwh && std::isfinite(*facility.annual_elec_mwh)) {
      facility_kwh[f] = 1000.0 * *facility.annual_elec_mwh;
      facility_basis[f] =
          "the layout's annual_elec_mwh " + figure(*facility.annual_elec_mwh, "%.6g") + " MWh";
    } else {
      const auto it = library.sectors.find(facility.ksic);
      const SectorArchetype& sector = it != library.sectors.end() ? it->second : library.fallback;
      facility_kwh[f] = facility.floor_area_m2 * sector.elec_kwh_per_m2;
      facility_basis[f] =
          "floor area " + thousands(facility.floor_area_m2) + " m2 x " +
          figure(sector.elec_kwh_per_m2, "%.6g") + " kWh/m2 (" +
          (it != library.sectors.end() ? facility.ksic : "fallback sector for " + facility.ksic) +
          ", gis_data/loads/archetypes.yaml)";
    }
  }

  std::map<std::string, std::size_t> facility_index;
  for (std::size_t f = 0; f < site.facilities.size(); ++f) facility_index[site.facilities[f].facility_id] = f;
  std::set<std::string> facilities, complexes, substations, feeders;
  for (const auto& f : site.facilities) facilities.insert(f.facility_id);
  for (const auto& c : site.complexes) complexes.insert(c.complex_id);
  for (const auto& s : site.substations) substations.insert(s.substation_id);
  for (const auto& s : site.feeders) feeders.insert(s.feeder_id);

  const bool grid_targets =
      std::any_of(map.meters.begin(), map.meters.end(), [](const meter::MeterMapEntry& e) {
        return e.target == MeterTarget::kFeeder || e.target == MeterTarget::kSubstation;
      });
  // The feeder and substation each facility hangs from, as the runs attach them (site/topology.hpp).
  std::vector<std::string> facility_feeder(site.facilities.size());
  std::vector<std::string> facility_substation(site.facilities.size());
  if (grid_targets) {
    const RoadGraph roads = build_road_graph(site);
    const FeederTopology topology = build_feeder_topology(site);
    const Attachments attached = attach_facilities(site, roads, topology);
    for (std::size_t f = 0; f < site.facilities.size(); ++f) {
      const int bus = attached.bus[f];
      if (bus < 0) continue;
      const int segment = topology.parent_segment[static_cast<std::size_t>(bus)];
      if (segment >= 0) facility_feeder[f] = site.feeders[static_cast<std::size_t>(segment)].feeder_id;
      const int substation = topology.substation[static_cast<std::size_t>(bus)];
      if (substation >= 0)
        facility_substation[f] = site.substations[static_cast<std::size_t>(substation)].substation_id;
    }
  }

  std::vector<std::string> problems;
  std::map<std::string, Expectation> expected;
  for (const meter::MeterMapEntry& entry : map.meters) {
    const std::set<std::string>* known = nullptr;
    switch (entry.target) {
      case MeterTarget::kFacility:
        known = &facilities;
        break;
      case MeterTarget::kFeeder:
        known = &feeders;
        break;
      case MeterTarget::kSubstation:
        known = &substations;
        break;
      case MeterTarget::kComplex:
        known = &complexes;
        break;
    }
    if (known->count(entry.target_id) == 0) {
      problems.push_back(map.path + ":" + std::to_string(entry.line) + ": meters: meter " + entry.meter_id +
                         ": " + word(entry.target) + " '" + entry.target_id + "' is not in the layout " +
                         site_path + " (it has " + some_of(*known) + "); name one of its " +
                         word(entry.target) + " ids, or give the layout that holds it with --site");
      continue;
    }
    Expectation e;
    if (entry.quantity == MeterQuantity::kPv) {
      e.annual_kwh = entry.capacity_kwp * kPvYieldKwhPerKwp;
      e.basis = figure(entry.capacity_kwp, "%.6g") + " kWp x " + figure(kPvYieldKwhPerKwp, "%.0f") +
                " kWh/kWp (sandan's PV model, docs/energy-model.md)";
      expected[entry.meter_id] = e;
      continue;
    }
    if (entry.target == MeterTarget::kFacility) {
      const std::size_t f = facility_index.at(entry.target_id);
      e.annual_kwh = facility_kwh[f];
      e.basis = facility_basis[f];
    } else {
      std::size_t count = 0;
      for (std::size_t f = 0; f < site.facilities.size(); ++f) {
        bool below = false;
        if (entry.target == MeterTarget::kComplex) {
          below = site.facilities[f].complex >= 0 &&
                  site.complexes[static_cast<std::size_t>(site.facilities[f].complex)].complex_id ==
                      entry.target_id;
        } else if (entry.target == MeterTarget::kFeeder) {
          below = facility_feeder[f] == entry.target_id;
        } else {
          below = facility_substation[f] == entry.target_id;
        }
        if (below) {
          e.annual_kwh += facility_kwh[f];
          ++count;
        }
      }
      e.basis = "sum over the " + std::to_string(count) + " facilities of " + word(entry.target) + " " +
                entry.target_id + " (layout annual_elec_mwh, else floor area x sector intensity)";
    }
    expected[entry.meter_id] = e;
  }
  if (!problems.empty())
    throw ConfigError(map.path + ": the mapping names targets the layout does not have", problems);
  return expected;
}

IngestReport ingest(const IngestRequest& request) {
  IngestReport report;
  report.map_path = request.map_path;
  if (request.data_files.empty())
    throw Error(ErrorCode::kBadInput, "no meter data files given; name one or more CSV files before --map");

  // The output must not be an input: writing would destroy the data being read.
  std::vector<NamedInput> inputs;
  for (const std::string& input : request.data_files) inputs.push_back({"meter data", input});
  inputs.push_back({"mapping", request.map_path});
  check_output_path(request.output, inputs, "measured file");
  std::vector<std::string> missing;
  for (const std::string& file : request.data_files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) missing.push_back(file + ": no such meter data file; check the path");
  }
  if (!missing.empty()) throw ConfigError("cannot read the meter data", missing);

  meter::IngestOptions options;
  if (!request.timezone.empty()) {
    options.timezone = meter::parse_time_zone(request.timezone);
    if (!options.timezone) {
      throw Error(ErrorCode::kBadInput, "--timezone " + request.timezone + ": unknown time zone; use " +
                                            meter::accepted_time_zones());
    }
  }
  if (request.stamps == "start") {
    options.stamps = meter::StampMode::kStart;
  } else if (request.stamps == "end") {
    options.stamps = meter::StampMode::kEnd;
  } else if (request.stamps == "auto") {
    options.stamps = meter::StampMode::kAuto;
  } else {
    throw Error(ErrorCode::kBadInput, "--stamps " + request.stamps + ": use start, end or auto");
  }
  if (request.interval_minutes != 0 && request.interval_minutes != 5 && request.interval_minutes != 15 &&
      request.interval_minutes != 30 && request.interval_minutes != 60) {
    throw Error(ErrorCode::kBadInput,
                "--interval " + std::to_string(request.interval_minutes) + ": use 5, 15, 30 or 60 (minutes)");
  }
  if (request.max_gap < 0) throw Error(ErrorCode::kBadInput, "--max-gap must be 0 or more intervals");
  options.interval_minutes = request.interval_minutes;
  options.max_gap = request.max_gap;
  options.unit_repair = request.unit_repair;
  options.unit = request.unit;
  options.threads = request.threads;
  options.cancelled = request.cancelled;
  // Stopping points between the phases; the meter data's own are between files and meters.
  const auto stop_point = [&](const std::string& after) {
    stop_if_asked(request.cancelled, "after " + after + "; nothing was written");
  };

  const meter::MeterMap map = meter::read_meter_map(request.map_path);
  stop_point("reading the mapping " + request.map_path);
  report.site = resolve_site(request);
  report.load_library = resolve_load_library(report.site);
  const Site site = load_site({report.site});
  stop_point("reading the layout " + report.site);
  const LoadLibrary library = read_load_library(report.load_library);
  report.expected = expected_annual_energy(map, site, library, report.site);
  stop_point("finding the meters' expected energy");

  std::map<std::string, double> expected_kwh;
  for (const auto& [id, e] : report.expected) expected_kwh[id] = e.annual_kwh;
  report.result = meter::ingest(request.data_files, map, options, expected_kwh);
  if (!request.output.empty()) {
    // The last point: the measured file is written whole (temporary file, then rename) or not at all.
    stop_point("checking the meter data, before writing " + request.output);
    write_measured(request.output, report.result.data);
    report.output = request.output;
  }
  return report;
}

namespace {

nlohmann::json report_json(const IngestReport& report) {
  const meter::IngestResult& r = report.result;
  const MeasuredData& d = r.data;
  nlohmann::json meters = nlohmann::json::array();
  std::map<std::string, std::size_t> findings_by_check;
  for (std::size_t m = 0; m < d.meters.size(); ++m) {
    const MeterInfo& info = d.meters[m];
    const meter::MeterReport& mr = r.reports[m];
    nlohmann::json findings = nlohmann::json::array();
    for (const QualityFinding& q : d.findings) {
      if (q.meter_id != info.meter_id) continue;
      findings.push_back({{"check", q.check},
                          {"count", q.count},
                          {"first", q.first},
                          {"action", q.action},
                          {"detail", q.detail}});
      ++findings_by_check[q.check];
    }
    double hourly_kwh = 0.0;
    std::int64_t missing_hours = 0;
    for (int h = 0; h < d.hours; ++h) {
      const double v = d.at(m, h);
      if (std::isnan(v)) {
        ++missing_hours;
      } else {
        hourly_kwh += v;
      }
    }
    nlohmann::json entry = {{"meter", info.meter_id},
                            {"source", info.source},
                            {"target", word(info.target)},
                            {"target_id", info.target_id},
                            {"quantity", info.quantity == MeterQuantity::kPv ? "pv" : "load"},
                            {"rows", mr.rows},
                            {"first", iso(mr.first_start_utc)},
                            {"end", iso(mr.end_utc)},
                            {"interval_minutes", mr.interval_minutes},
                            {"interval_reason", mr.interval_reason},
                            {"stamps", meter::to_string(mr.stamps)},
                            {"stamps_reason", mr.stamps_reason},
                            {"unit", mr.unit},
                            {"scale_applied", mr.scale_applied},
                            {"total_kwh", mr.total_kwh},
                            {"hourly_total_kwh", hourly_kwh},
                            {"missing_intervals", mr.missing_intervals},
                            {"missing_hours", missing_hours},
                            {"annualised_kwh", mr.annualised_kwh},
                            {"findings", findings}};
    if (const auto it = report.expected.find(info.meter_id); it != report.expected.end()) {
      entry["expected_annual_kwh"] = it->second.annual_kwh;
      entry["expected_basis"] = it->second.basis;
    } else {
      entry["expected_annual_kwh"] = nullptr;
      entry["expected_basis"] = "";
    }
    meters.push_back(entry);
  }
  nlohmann::json by_check = nlohmann::json::object();
  for (const auto& [check, n] : findings_by_check) by_check[check] = n;
  nlohmann::json files = nlohmann::json::array();
  for (std::size_t i = 0; i < r.files.size() && i + 1 < d.sources.size(); ++i)
    files.push_back({{"path", d.sources[i]}, {"form", r.files[i]}});
  const std::int64_t year_start_minutes =
      meter::days_from_civil(d.start_year, 1, 1) * 1440 - meter::kKstOffsetMinutes;
  return {{"map", report.map_path},
          {"site", report.site},
          {"load_library", report.load_library},
          {"timezone", r.timezone},
          {"files", files},
          {"meters", meters},
          {"summary",
           {{"meters", d.meters.size()},
            {"hours", d.hours},
            {"first_hour", d.hours > 0 ? iso(year_start_minutes + 60LL * d.first_hour) : ""},
            {"findings", d.findings.size()},
            {"findings_by_check", by_check},
            {"output", report.output.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.output)}}}};
}

}  // namespace

std::string ingest_report_json(const IngestReport& report) { return report_json(report).dump(2) + "\n"; }

std::string ingest_report_text(const IngestReport& report) {
  const nlohmann::json j = report_json(report);
  std::ostringstream out;
  out << "Meter data from " << j["files"].size() << " file(s), mapping " << report.map_path << ", layout "
      << report.site << "\n";
  out << "Stamps without an offset read in " << report.result.timezone << "\n";
  for (const auto& m : j["meters"]) {
    out << "\nMeter " << m["meter"].get<std::string>() << " -> " << m["target"].get<std::string>() << " "
        << m["target_id"].get<std::string>() << " (" << m["quantity"].get<std::string>() << "), from "
        << m["source"].get<std::string>() << "\n";
    out << "  rows " << thousands(m["rows"].get<double>()) << ", intervals " << m["first"].get<std::string>()
        << " to " << m["end"].get<std::string>() << "\n";
    out << "  interval " << m["interval_minutes"].get<int>() << " min ("
        << m["interval_reason"].get<std::string>() << ")\n";
    out << "  stamps mark the " << m["stamps"].get<std::string>() << " of their interval ("
        << m["stamps_reason"].get<std::string>() << ")\n";
    out << "  unit " << m["unit"].get<std::string>();
    if (m["scale_applied"].get<double>() != 1.0)
      out << ", values multiplied by " << m["scale_applied"].get<double>();
    out << "\n";
    out << "  total " << thousands(m["hourly_total_kwh"].get<double>()) << " kWh in whole hours ("
        << thousands(m["total_kwh"].get<double>())
        << " kWh in intervals); missing: " << m["missing_intervals"].get<std::int64_t>() << " intervals, "
        << m["missing_hours"].get<std::int64_t>() << " hours\n";
    if (!m["expected_annual_kwh"].is_null()) {
      out << "  annualised " << thousands(m["annualised_kwh"].get<double>()) << " kWh against "
          << thousands(m["expected_annual_kwh"].get<double>()) << " kWh expected ("
          << m["expected_basis"].get<std::string>() << ")\n";
    }
    if (m["findings"].empty()) {
      out << "  findings: none\n";
    } else {
      out << "  findings:\n";
      for (const auto& f : m["findings"]) {
        out << "    " << f["check"].get<std::string>() << ": " << f["count"].get<std::int64_t>() << ", first "
            << f["first"].get<std::string>() << ", " << f["action"].get<std::string>() << " - "
            << f["detail"].get<std::string>() << "\n";
      }
    }
  }
  const auto& s = j["summary"];
  out << "\nSummary: " << s["meters"].get<std::size_t>() << " meter(s), " << s["hours"].get<int>()
      << " hours from " << s["first_hour"].get<std::string>() << ", " << s["findings"].get<std::size_t>()
      << " finding(s)";
  if (!s["findings_by_check"].empty()) {
    out << " (";
    bool first = true;
    for (const auto& [check, n] : s["findings_by_check"].items()) {
      out << (first ? "" : ", ") << check << " " << n.get<std::size_t>();
      first = false;
    }
    out << ")";
  }
  out << "\n";
  if (!report.output.empty()) out << "Measured file: " << report.output << " (/measured)\n";
  return out.str();
}

}  // namespace sandan
