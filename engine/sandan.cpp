#include "sandan.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/search_path.hpp"
#include "io/hdf5_results.hpp"
#include "io/results_reader.hpp"
#include "io/run_layers.hpp"
#include "scenario/batch_analysis.hpp"
#include "scenario/stages.hpp"
#include "scenario/traffic_run.hpp"
#include "traffic/dnl_case.hpp"

namespace sandan {

Site synthesize_to_file(const std::string& facts_path, const std::string& output_path,
                        const SynthOptions& synth_options, const WriteOptions& write_options) {
  if (write_options.format == VectorFormat::kGeoPackage) {
    check_output_path(output_path, {{"facts file", facts_path}}, "layout");
  } else {
    check_output_folder(output_path, {{"facts file", facts_path}}, "layout");
  }
  const SiteFacts facts = read_site_facts(facts_path);
  Site site = synthesize_site(facts, synth_options);
  write_site(site, output_path, write_options);
  return site;
}

RunResult run_scenario_file(const std::string& scenario_path, const std::string& output_path,
                            const std::string& command, const RunOptions& options) {
  return run_scenario_spec(read_scenario(scenario_path), output_path, command, options);
}

RunResult run_scenario_spec(const ScenarioSpec& spec, const std::string& output_path,
                            const std::string& command, const RunOptions& options) {
  if (!spec.sweep.empty() || spec.monte_carlo) {
    throw Error(ErrorCode::kBadInput, spec.path + " is a batch (sweep or monte_carlo): run it as a batch");
  }
  // The output is checked, locked and opened first so that an unwritable path fails before a long
  // run, not after it.
  std::unique_ptr<OutputLock> lock;
  std::unique_ptr<Hdf5ResultFile> file;
  check_inputs_exist(spec);  // a mistyped input path, named where it is written, before any work
  if (!output_path.empty()) {
    check_output_path(output_path, input_files(spec), "results file");
    lock = std::make_unique<OutputLock>(output_path);
    remove_stale_temporaries(output_path);
    file = std::make_unique<Hdf5ResultFile>(output_path, command);
  }
  // Writing a year of facility series takes about as long as computing it: the run's progress is
  // scaled to the first part of the bar and writing fills the rest.
  const double run_share = file ? 0.5 : 1.0;
  RunOptions run_options = options;
  if (options.progress) {
    run_options.progress = [&](const std::string& stage, double done) {
      options.progress(stage, run_share * done);
    };
  }
  RunResult run = run_scenario(spec, run_options);
  if (options.cancelled && options.cancelled()) throw Cancelled();
  if (file) {
    throw_if_interrupted("before writing " + output_path + "; nothing was written");
    if (options.progress) options.progress("writing results", run_share);
    file->write(run);
    throw_if_interrupted("while writing " + output_path + "; nothing was written");
    file->commit();
    if (options.progress) options.progress("done", 1.0);
  }
  return run;
}

bool is_batch(const std::string& scenario_path) { return is_batch(read_scenario(scenario_path)); }

bool is_batch(const ScenarioSpec& spec) {
  return !spec.sweep.empty() || spec.monte_carlo.has_value() || spec.uncertainty.has_value() ||
         spec.macc.has_value();
}

namespace {

// Keeps each run's KPIs and hands the run on to the results file, if any.
class SummarySink : public ResultSink {
 public:
  SummarySink(BatchSummary& summary, ResultSink* next) : summary_(summary), next_(next) {}
  void write(const RunResult& run) override {
    if (next_ != nullptr) next_->write(run);
    const auto it = std::find(summary_.run_ids.begin(), summary_.run_ids.end(), run.run_id);
    if (it != summary_.run_ids.end())
      summary_.kpis[static_cast<std::size_t>(it - summary_.run_ids.begin())] = run.kpis;
  }
  // Each run's KPIs go to a slot of their own.
  [[nodiscard]] bool concurrent() const override { return next_ == nullptr || next_->concurrent(); }

 private:
  BatchSummary& summary_;
  ResultSink* next_;
};

// A batch's summary before any run: its runs' ids and swept values, no KPIs yet.
BatchSummary empty_summary(const ScenarioSpec& spec, const std::vector<Variant>& variants,
                           const std::string& output_path) {
  BatchSummary summary;
  summary.scenario = spec.name;
  summary.output = output_path;
  summary.runs = static_cast<int>(variants.size());
  for (const Variant& v : variants) {
    summary.run_ids.push_back(v.run_id);
    summary.parameters.push_back(v.parameters_json);
  }
  summary.kpis.resize(variants.size());
  return summary;
}

// An uncertainty batch's analysis, from every run's KPIs (a run finished by an earlier attempt is
// read back from its part file). Nothing for another batch.
void analyse(const ScenarioSpec& spec, const std::vector<Variant>& variants, const Hdf5BatchFile* file,
             BatchSummary& summary) {
  if (!spec.uncertainty && !spec.macc) return;
  std::vector<std::vector<Kpi>> kpis = summary.kpis;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (!kpis[v].empty() || file == nullptr) continue;
    std::string run = variants[v].run_id;
    for (const KpiRow& row : read_run_kpis(file->part_path(run), run))
      kpis[v].push_back(Kpi{row.key, row.complex, row.value, row.unit});
  }
  if (spec.uncertainty) summary.uncertainty = analyse_uncertainty(spec, variants, kpis);
  if (spec.macc) summary.macc = analyse_macc(variants, kpis);
}

BatchAnalyses analysis_of(const BatchSummary& summary) {
  return {summary.uncertainty ? &*summary.uncertainty : nullptr, summary.macc ? &*summary.macc : nullptr};
}

// What a batch's parts folder must have been made for, to be resumed.
// Every run's id and settings count: parts made by the same scenario with other swept values or
// other distributions are refused, not merged. So do the contents of the files the runs read (the
// weather, the layout, ...): the scenario's text names them, but an edited weather file under the
// same name would otherwise have its runs merged with those of the old one. The scenario files
// themselves are left out: their settings are in the resolved text, and a new comment changes
// nothing.
std::string batch_fingerprint(const ScenarioSpec& spec, const std::vector<Variant>& variants) {
  std::string text = spec.resolved_yaml + "\n# batch\n" + std::to_string(variants.size()) + "\n";
  for (const Variant& v : variants) text += "# " + v.run_id + " " + v.parameters_json + "\n";
  const std::vector<NamedInput> inputs = input_files(spec);
  const std::size_t scenario_files = spec.files.empty() ? 1 : spec.files.size();
  for (std::size_t i = scenario_files; i < inputs.size(); ++i)
    text += "# input " + inputs[i].what + " " + content_digest(inputs[i].path) + "\n";
  return text;
}

}  // namespace

BatchSummary run_batch_file(const std::string& scenario_path, const std::string& output_path,
                            const std::string& command, const RunOptions& options,
                            const std::function<void(int done, int total)>& on_run) {
  return run_batch_spec(read_scenario(scenario_path), output_path, command, options, on_run);
}

BatchSummary run_batch_spec(const ScenarioSpec& spec, const std::string& output_path,
                            const std::string& command, const RunOptions& options,
                            const std::function<void(int done, int total)>& on_run) {
  const std::vector<Variant> variants = expand_batch(spec);
  BatchSummary summary = empty_summary(spec, variants, output_path);
  std::unique_ptr<OutputLock> lock;
  std::unique_ptr<Hdf5BatchFile> file;
  std::set<std::string> skip;
  check_inputs_exist(spec);  // a mistyped input path, named where it is written, before any work
  if (!output_path.empty()) {
    // Checked and locked before any run: a second batch writing the same output is refused, not mixed.
    check_output_path(output_path, input_files(spec), "results file");
    lock = std::make_unique<OutputLock>(output_path);
    remove_stale_temporaries(output_path);
    file = std::make_unique<Hdf5BatchFile>(output_path, command, batch_fingerprint(spec, variants));
    skip = file->finished();
    for (const std::string& id : skip) {
      if (std::find(summary.run_ids.begin(), summary.run_ids.end(), id) != summary.run_ids.end())
        ++summary.skipped;
    }
  }
  SummarySink sink(summary, file.get());
  (void)run_batch(variants, skip, options, sink, on_run);
  throw_if_interrupted(file ? "before the batch was finished; its finished runs are kept in " + output_path +
                                  ".parts: run the same command again to resume"
                            : std::string("before the batch was finished"));
  analyse(spec, variants, file.get(), summary);
  if (file) file->commit(summary.run_ids, analysis_of(summary));
  return summary;
}

namespace {

BatchGroup::Failure failure_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {ErrorCode::kInternal, std::string("internal error: ") + e.what()};
  } catch (...) {
    return {ErrorCode::kInternal, "internal error"};
  }
}

// Runs `step` here, then every process of the group throws the first failure any of them had, so
// that none goes on to wait for a process that has given up.
template <class Step>
void together(BatchGroup& group, Step&& step) {
  std::optional<BatchGroup::Failure> mine;
  try {
    step();
  } catch (...) {
    mine = failure_of(std::current_exception());
  }
  if (const auto first = group.agree(mine)) throw Error(first->code, first->message);
}

// The KPIs of the runs a process made, as text for BatchGroup::gather: each string prefixed with its
// length, each value as a hexadecimal float (exact).
void put(std::string& out, const std::string& text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

std::string take(const std::string& in, std::size_t& at) {
  const std::size_t colon = in.find(':', at);
  if (colon == std::string::npos) throw Error(ErrorCode::kInternal, "a rank's KPIs arrived cut short");
  const std::size_t length = std::stoull(in.substr(at, colon - at));
  at = colon + 1 + length;
  return in.substr(colon + 1, length);
}

std::string pack_kpis(const BatchSummary& summary) {
  std::string out;
  char value[64];
  for (std::size_t i = 0; i < summary.kpis.size(); ++i) {
    if (summary.kpis[i].empty()) continue;
    put(out, std::to_string(i));
    put(out, std::to_string(summary.kpis[i].size()));
    for (const Kpi& k : summary.kpis[i]) {
      put(out, k.key);
      put(out, k.complex);
      put(out, k.unit);
      std::snprintf(value, sizeof value, "%a", k.value);
      put(out, value);
    }
  }
  return out;
}

void unpack_kpis(const std::string& in, BatchSummary& summary) {
  for (std::size_t at = 0; at < in.size();) {
    const std::size_t run = std::stoull(take(in, at));
    const std::size_t count = std::stoull(take(in, at));
    if (run >= summary.kpis.size()) throw Error(ErrorCode::kInternal, "a rank reported an unknown run");
    std::vector<Kpi>& kpis = summary.kpis[run];
    kpis.clear();
    for (std::size_t k = 0; k < count; ++k) {
      Kpi kpi;
      kpi.key = take(in, at);
      kpi.complex = take(in, at);
      kpi.unit = take(in, at);
      kpi.value = std::strtod(take(in, at).c_str(), nullptr);
      kpis.push_back(std::move(kpi));
    }
  }
}

}  // namespace

BatchSummary run_batch_shared(const std::string& scenario_path, const std::string& output_path,
                              const std::string& command, const RunOptions& options, BatchGroup& group,
                              const std::function<void(int started, int total)>& on_run) {
  const bool leader = group.rank() == 0;
  ScenarioSpec spec;
  std::vector<Variant> variants;
  together(group, [&] {
    spec = read_scenario(scenario_path);
    check_inputs_exist(spec);
    variants = expand_batch(spec);
  });
  BatchSummary summary = empty_summary(spec, variants, output_path);

  // The leader opens the batch's folder (checking that its parts are of this scenario) and decides
  // which runs are finished; every process then skips the same runs.
  const std::string fingerprint = batch_fingerprint(spec, variants);
  std::unique_ptr<OutputLock> lock;
  std::unique_ptr<Hdf5BatchFile> file;
  std::string finished;
  together(group, [&] {
    if (!leader || output_path.empty()) return;
    check_output_path(output_path, input_files(spec), "results file");
    lock = std::make_unique<OutputLock>(output_path);
    remove_stale_temporaries(output_path);
    file = std::make_unique<Hdf5BatchFile>(output_path, command, fingerprint);
    for (const std::string& id : file->finished()) finished += id + '\n';
  });
  std::set<std::string> skip;
  std::istringstream agreed(group.broadcast(finished));
  for (std::string id; std::getline(agreed, id);) skip.insert(id);
  std::size_t todo = 0;
  for (const std::string& id : summary.run_ids) {
    if (skip.count(id) != 0) {
      ++summary.skipped;
    } else {
      ++todo;
    }
  }
  together(group, [&] {
    if (!leader && !output_path.empty())
      file = std::make_unique<Hdf5BatchFile>(output_path, command, fingerprint);
  });

  SummarySink sink(summary, file.get());
  group.start_runs(todo);
  together(group, [&] {
    std::function<void(int, int)> progress;
    if (leader && on_run) {
      progress = [&](int /*done here*/, int total) { on_run(static_cast<int>(group.handed_out()), total); };
    }
    try {
      (void)run_batch(variants, skip, options, sink, progress, [&] { return group.next(); });
    } catch (...) {
      group.end_runs();
      throw;
    }
    group.end_runs();
  });

  const std::vector<std::string> kpis = group.gather(pack_kpis(summary));
  together(group, [&] {
    throw_if_interrupted(output_path.empty()
                             ? std::string("before the batch was finished")
                             : "before the batch was finished; its finished runs are kept in " + output_path +
                                   ".parts: run the same command again to resume");
    for (const std::string& text : kpis) unpack_kpis(text, summary);
    if (leader) analyse(spec, variants, file.get(), summary);
    if (file && leader) file->commit(summary.run_ids, analysis_of(summary));
  });
  return summary;
}

Weather synthesize_weather_file(const std::string& normals_path, const std::string& output_path, int year,
                                std::uint64_t seed) {
  check_output_path(output_path, {{"climate normals", normals_path}}, "weather file");
  const ClimateNormals normals = read_climate_normals(normals_path);
  Weather weather = synthesize_weather(normals, year, seed);
  write_epw(weather, output_path);
  return weather;
}

ExportSummary export_gpkg(const RunRef& run, const std::string& output_path, const ExportOptions& options) {
  check_output_path(output_path, {{"results file", run.file}, {"layout (--site)", options.site}},
                    "GeoPackage");
  const RunLayers layers = read_run_layers(run.file, run.run);
  ExportSummary summary{run.file, layers.run_id, options.site, output_path, options.crs, {}};
  const std::string where = run.file + ": run '" + layers.run_id + "'";
  if (summary.site.empty()) {
    summary.site = site_of_resolved(layers.scenario_yaml);
    if (summary.site.empty()) {
      throw Error(
          ErrorCode::kBadInput,
          where + ": its scenario names no layout (site); pass the layout it used with --site LAYOUT");
    }
  }
  std::error_code ec;
  const std::filesystem::path stored(summary.site);
  if (options.site.empty()) summary.site = locate_run_input(summary.site, run.file);
  const std::string which =
      options.site.empty()
          ? "its layout " + stored.string() +
                " (the site of its scenario, relative to the folder the run ran in, or to the results "
                "file's folder or its parent)"
          : "the layout " + summary.site + " given with --site";
  const std::string advice = options.site.empty() ? "; pass the layout the run used with --site LAYOUT" : "";
  if (!std::filesystem::exists(summary.site, ec)) {
    throw Error(ErrorCode::kBadInput, where + ": cannot read " + which + ": no such file or folder" + advice);
  }
  Site site;
  try {
    site = load_site({summary.site});
  } catch (const Error& e) {
    throw Error(ErrorCode::kBadInput, where + ": cannot read " + which + advice + "\n" + e.what());
  }
  check_output_path(output_path, {{"layout", summary.site}}, "GeoPackage");
  const OutputLock lock(output_path);
  remove_stale_temporaries(output_path);
  summary.layers = write_result_layers(layers.layers, site, summary.site, output_path, options.crs);
  return summary;
}

ExportSummary export_gpkg(const std::string& run, const std::string& output_path,
                          const ExportOptions& options) {
  return export_gpkg(parse_run_ref(run), output_path, options);
}

namespace {

// The stored scenario of a run as a spec; nullopt when the file has none that parses.
std::optional<ScenarioSpec> stored_scenario(const RunRef& run) {
  const ResultsReader reader(run.file);
  const auto yaml = reader.string_attribute("runs/" + run.run, "scenario");
  if (!yaml) return std::nullopt;
  try {
    return scenario_from_resolved(*yaml, run.file + ":" + run.run);
  } catch (const ConfigError&) {
    return std::nullopt;
  }
}

// Keeps each run's KPIs in memory.
class KpiSink : public ResultSink {
 public:
  void write(const RunResult& run) override { kpis[run.run_id] = run.kpis; }
  std::map<std::string, std::vector<Kpi>> kpis;
};

std::vector<KpiRow> rows_of(const std::vector<Kpi>& kpis) {
  std::vector<KpiRow> rows;
  rows.reserve(kpis.size());
  for (const Kpi& k : kpis) rows.push_back({k.key, k.complex, k.value, k.unit});
  return rows;
}

// Runs C (and C_g when the grid factor is one of several differences) and splits the comparison.
void attribute_by_running(Comparison& c, const ScenarioSpec& a, const ScenarioSpec& b,
                          const std::vector<KpiRow>& a_kpis, const CompareOptions& options) {
  ScenarioSpec cf;
  try {
    cf = with_interventions_of(b, a, "counterfactual");
  } catch (const ConfigError& e) {
    c.attribution.status = AttributionStatus::kCounterfactualNeeded;
    std::string why = e.what();
    for (const std::string& p : e.problems()) why += "; " + p;
    c.attribution.message = "A's interventions do not fit B's background (" + why +
                            "), so the counterfactual cannot be formed: compare runs of the same complexes "
                            "and models, or give one with --counterfactual";
    return;
  }
  const bool factor_differs =
      std::any_of(c.attribution.background.begin(), c.attribution.background.end(),
                  [](const std::string& d) { return d.starts_with("grid_emission_factor:"); });
  const bool only_factor = factor_differs && c.attribution.background.size() == 1;
  std::vector<Variant> variants{Variant{cf, "counterfactual", "{}", 0, {}, -1, false, {}}};
  if (factor_differs && !only_factor) {
    variants.push_back(Variant{with_grid_factor_of(cf, a, "counterfactual_grid_step"),
                               "counterfactual_grid_step",
                               "{}",
                               1,
                               {},
                               -1,
                               false,
                               {}});
  }
  KpiSink sink;
  RunOptions run_options;
  run_options.threads = options.threads;
  run_options.facility_hourly = false;
  run_options.cancelled = options.cancelled;
  try {
    (void)run_batch(variants, {}, run_options, sink);
  } catch (const Error& e) {
    c.attribution.status = AttributionStatus::kCounterfactualNeeded;
    c.attribution.counterfactual_yaml = cf.resolved_yaml;
    c.attribution.message =
        std::string("The counterfactual (B's background, A's interventions) could not be run here: ") +
        e.what() +
        ". Run the scenario below from the folder the runs ran in (sandan run counterfactual.yaml -o "
        "counterfactual.h5), then: sandan compare A B --counterfactual counterfactual.h5";
    return;
  }
  const std::vector<KpiRow> c_rows = rows_of(sink.kpis["counterfactual"]);
  const std::vector<KpiRow> step_rows =
      only_factor ? a_kpis : (factor_differs ? rows_of(sink.kpis["counterfactual_grid_step"]) : c_rows);
  attribute(c, {"(run here)", "counterfactual"}, c_rows, step_rows);
  c.attribution.counterfactual = "run here from the scenarios stored in the two files";
}

}  // namespace

Comparison compare_files(const std::string& a, const std::string& b, const CompareOptions& options) {
  return compare_files(parse_run_ref(a), parse_run_ref(b), options);
}

Comparison compare_files(const RunRef& a, const RunRef& b, const CompareOptions& options) {
  RunRef a_read = a;
  RunRef b_read = b;
  // B an uncertainty batch as a whole: its percentiles, each sample against its counterfactual.
  if (b.run.empty() && list_runs(b.file).size() > 1) {
    Comparison c;
    c.percentiles = read_percentiles(b.file, c.uncertainty_note);
    if (!c.percentiles.empty()) {
      (void)read_run_kpis(a_read.file, a_read.run);  // A must name one run, as for any comparison
      c.a = a_read;
      c.b = {b.file, ""};
      return c;
    }
  }
  const std::vector<KpiRow> a_kpis = read_run_kpis(a_read.file, a_read.run);
  const std::vector<KpiRow> b_kpis = read_run_kpis(b_read.file, b_read.run);
  Comparison c = compare_kpis(a_read, a_kpis, b_read, b_kpis);
  const RunCosts a_costs = read_run_costs(a_read.file, a_read.run);
  const RunCosts b_costs = read_run_costs(b_read.file, b_read.run);
  // The counterfactual has A's interventions: its cost lines are A's either way.
  const auto finish = [&](Comparison& done) {
    add_cash_flows(done.headline, a_costs, b_costs);
    return done;
  };
  if (!options.attribute) return finish(c);
  const std::optional<ScenarioSpec> sa = stored_scenario(a_read);
  const std::optional<ScenarioSpec> sb = stored_scenario(b_read);
  if (!sa || !sb) {
    c.attribution.message = "A run's scenario is not stored in its file: the background's share is unknown.";
    return finish(c);
  }
  c.attribution.background = background_differences(*sa, *sb);
  if (c.attribution.background.empty()) {
    attribute(c, a_read, a_kpis, a_kpis);
    c.attribution.status = AttributionStatus::kSameBackground;
    c.attribution.counterfactual = "A itself (same background)";
    return finish(c);
  }
  if (!options.counterfactual.empty()) {
    RunRef cf = parse_run_ref(options.counterfactual);
    const std::vector<KpiRow> c_rows = read_run_kpis(cf.file, cf.run);
    // Without C_g the grid factor's share cannot be told from the rest of the background, unless
    // it is all the background there is (then C_g is A).
    const bool only_factor = c.attribution.background.size() == 1 &&
                             c.attribution.background.front().starts_with("grid_emission_factor:");
    attribute(c, cf, c_rows, only_factor ? a_kpis : c_rows);
    return finish(c);
  }
  attribute_by_running(c, *sa, *sb, a_kpis, options);
  return finish(c);
}

InspectReport inspect_layout(const std::vector<std::string>& sources, const std::string& crs) {
  ReadOptions options;
  options.target_crs = crs;
  return inspect_sources(sources, options);
}

// The freight tours of a workday and the logistics hub: where it stands, why there, and its effect
// on a workday's truck-km and truck-hours (free flow) and on the busiest links.
// The dynamic loading at shift change: what the window's queues did to the commute and the gates.
std::string dynamic_summary(const TrafficResults& t) {
  if (!t.dynamic_enabled || t.dynamic_time_s.empty()) return {};
  const auto clock = [](double s) {
    char text[16];
    const int minutes = static_cast<int>(std::lround(s / 60.0));
    std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60 % 24, minutes % 60);
    return std::string(text);
  };
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "Shift change %s-%s on a workday (dynamic loading): %d vehicles, %d arrived by %s\n",
                clock(t.dynamic_start_s).c_str(), clock(t.dynamic_end_s).c_str(), t.dynamic_vehicles,
                t.dynamic_finished, clock(t.dynamic_sim_end_s).c_str());
  out += line;
  for (std::size_t k = 0; k < t.dynamic_classes.size(); ++k) {
    if (t.dynamic_classes[k] != "car" || t.dynamic_class_mean_free_flow_time_s[k] <= 0.0) continue;
    const double travel = t.dynamic_class_mean_travel_time_s[k];
    const double free = t.dynamic_class_mean_free_flow_time_s[k];
    std::snprintf(line, sizeof line,
                  "  commute by car: %.1f min on the layout's roads against %.1f at free flow (%+.1f %%)\n",
                  travel / 60.0, free / 60.0, 100.0 * (travel - free) / free);
    out += line;
  }
  const std::size_t reports = t.dynamic_time_s.size();
  const std::size_t links = t.link_road_id.size();
  if (!t.dynamic_busiest_gate_queue_veh.empty()) {
    const auto peak =
        std::max_element(t.dynamic_busiest_gate_queue_veh.begin(), t.dynamic_busiest_gate_queue_veh.end());
    const auto at = static_cast<std::size_t>(peak - t.dynamic_busiest_gate_queue_veh.begin());
    std::snprintf(line, sizeof line, "  busiest gate %s: queue at most %.0f vehicles (at %s)\n",
                  t.dynamic_busiest_gate.rfind("gate:", 0) == 0 ? t.dynamic_busiest_gate.substr(5).c_str()
                                                                : t.dynamic_busiest_gate.c_str(),
                  *peak, clock(t.dynamic_time_s[at] + t.dynamic_report_s).c_str());
    out += line;
  }
  if (links > 0 && t.dynamic_link_queue_m.size() == reports * links) {
    const auto peak = std::max_element(t.dynamic_link_queue_m.begin(), t.dynamic_link_queue_m.end());
    const auto i = static_cast<std::size_t>(peak - t.dynamic_link_queue_m.begin());
    std::snprintf(line, sizeof line, "  longest queue: %.0f m on road %s (at %s)\n", *peak,
                  t.link_road_id[i % links].c_str(),
                  clock(t.dynamic_time_s[i / links] + t.dynamic_report_s).c_str());
    out += line;
  }
  return out;
}

std::string tours_summary(const TrafficResults& t) {
  if (!t.tours || t.tour_count.size() < 2 || t.tour_stops.size() < 2) return {};
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "Tours a workday: light trucks %.0f (%.0f stops), heavy trucks %.0f (%.0f stops)\n",
                t.tour_count[0], t.tour_stops[0], t.tour_count[1], t.tour_stops[1]);
  out += line;
  if (!t.hub.enabled) return out;
  const TrafficResults::Hub& h = t.hub;
  std::string members;
  for (const auto& c : h.complexes) members += (members.empty() ? "" : ", ") + c;
  std::snprintf(
      line, sizeof line, "Logistics hub for %s at lat %.5f, lon %.5f (road node %d, near %s%s%s; %s)\n",
      members.c_str(), h.lat_deg, h.lon_deg, h.road_node, h.zone.c_str(),
      h.complex.empty() ? ", outside every complex" : ", in ", h.complex.c_str(),
      h.chosen_by == "user" ? "given by the scenario" : "chosen among the road nodes for the least truck-km");
  out += line;
  const auto change = [](double with, double without) {
    return without > 0.0 ? 100.0 * (with - without) / without : 0.0;
  };
  std::snprintf(line, sizeof line,
                "  a workday's trucks at free flow: %.0f truck-km without the hub, %.0f with it (%+.1f %%); "
                "%.1f truck-hours without, %.1f with (%+.1f %%); %.0f hub tours\n",
                h.workday_truck_km_without, h.workday_truck_km_with,
                change(h.workday_truck_km_with, h.workday_truck_km_without), h.workday_truck_hours_without,
                h.workday_truck_hours_with, change(h.workday_truck_hours_with, h.workday_truck_hours_without),
                h.workday_hub_tours);
  out += line;
  // The links the hub matters for: the workday's busiest, and those whose trucks it changes most.
  for (const char* kind : {"busiest", "changed"}) {
    out +=
        std::string("  ") + (std::string(kind) == "busiest"
                                 ? "busiest links a workday (peak v/c; trucks a day without → with the hub):"
                                 : "links whose trucks change most (trucks a day without → with the hub):");
    bool first = true;
    for (std::size_t i = 0; i < h.link.size(); ++i) {
      if (h.link_kind[i] != kind) continue;
      const auto l = static_cast<std::size_t>(h.link[i]);
      if (std::string(kind) == "busiest") {
        std::snprintf(line, sizeof line, "%s %s %.2f (%.0f → %.0f)", first ? "" : ",",
                      l < t.link_road_id.size() ? t.link_road_id[l].c_str() : "?", h.link_peak_vc[i],
                      h.link_trucks_without[i], h.link_trucks_with[i]);
      } else {
        std::snprintf(line, sizeof line, "%s %s %.0f → %.0f", first ? "" : ",",
                      l < t.link_road_id.size() ? t.link_road_id[l].c_str() : "?", h.link_trucks_without[i],
                      h.link_trucks_with[i]);
      }
      out += line;
      first = false;
    }
    out += "\n";
  }
  return out;
}

std::string kpi_table(const RunResult& run) {
  std::vector<std::string> order;
  for (const auto& k : run.kpis) {
    if (std::find(order.begin(), order.end(), k.complex) == order.end()) order.push_back(k.complex);
  }
  auto value = [&](KpiId id, const std::string& cx) { return kpi_value(run.kpis, id, cx).value_or(0.0); };
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-15s %6s %10s %9s %9s %9s %9s %7s %7s %10s %10s\n", "complex", "facil.",
                "load MWh", "peak kW", "fuel MWh", "PV kWp", "PV MWh", "kWh/kWp", "self %", "import MWh",
                "bill MKRW");
  out += line;
  for (const auto& cx : order) {
    if (!kpi_value(run.kpis, KpiId::kFacilities, cx)) continue;  // a row of costs only
    std::snprintf(line, sizeof line, "%-15s %6.0f %10.0f %9.0f %9.0f %9.0f %9.0f %7.0f %7.1f %10.0f %10.0f\n",
                  cx.c_str(), value(KpiId::kFacilities, cx), value(KpiId::kAnnualLoadMwh, cx),
                  value(KpiId::kPeakImportKw, cx), value(KpiId::kAnnualFuelMwh, cx),
                  value(KpiId::kPvCapacityKwp, cx), value(KpiId::kAnnualPvMwh, cx),
                  value(KpiId::kPvYieldKwhPerKwp, cx), 100.0 * value(KpiId::kSelfSufficiency, cx),
                  value(KpiId::kAnnualImportMwh, cx), value(KpiId::kBillKrw, cx) / 1e6);
    out += line;
  }
  if (run.grid.enabled) {
    std::snprintf(line, sizeof line,
                  "\nGrid (22.9 kV, %zu feeders, %d of %d hours not converged, losses %.0f MWh)\n",
                  run.grid.feeder_ids.size(), run.grid.nonconverged_hours, run.grid.hours, run.grid.loss_mwh);
    out += line;
    const bool hosting_known =
        std::none_of(run.grid.hosting_capacity_kwp.begin(), run.grid.hosting_capacity_kwp.end(),
                     [](double v) { return std::isnan(v); });
    std::snprintf(line, sizeof line, "%-15s %8s %8s %8s %9s %9s %12s\n", "complex", "min Vm", "max Vm",
                  "max load", "Vm<min h", "Vm>max h", hosting_known ? "hosting kWp" : "");
    out += line;
    for (const auto& cx : order) {
      double vmin = 10.0, vmax = 0.0, loading = 0.0, hosting = 0.0;
      int under = 0, over = 0;
      for (std::size_t d = 0; d < run.grid.feeder_ids.size(); ++d) {
        if (cx != kAllComplexes && run.grid.feeder_complex[d] != cx) continue;
        vmin = std::min(vmin, run.grid.min_vm_pu[d]);
        vmax = std::max(vmax, run.grid.max_vm_pu[d]);
        loading = std::max(loading, run.grid.max_loading[d]);
        under = std::max(under, run.grid.undervoltage_hours[d]);
        over = std::max(over, run.grid.overvoltage_hours[d]);
        hosting += run.grid.hosting_capacity_kwp[d];
      }
      std::snprintf(line, sizeof line, "%-15s %8.4f %8.4f %7.0f%% %9d %9d ", cx.c_str(), vmin, vmax,
                    100.0 * loading, under, over);
      out += line;
      std::snprintf(line, sizeof line, hosting_known ? "%12.0f\n" : "\n", hosting);
      out += line;
    }
  }
  if (run.emissions.enabled) {
    std::snprintf(line, sizeof line,
                  "\nEmissions (tCO2eq a year; grid %.4f t/MWh; transport: traffic on the complex's roads)\n",
                  run.emissions.grid_t_per_mwh);
    out += line;
    std::snprintf(line, sizeof line, "%-15s %12s %12s %12s %12s\n", "complex", "scope 1", "scope 2",
                  "transport", "total");
    out += line;
    for (const auto& cx : order) {
      if (!kpi_value(run.kpis, KpiId::kTco2eTotal, cx)) continue;
      std::snprintf(line, sizeof line, "%-15s %12.0f %12.0f %12.0f %12.0f\n", cx.c_str(),
                    value(KpiId::kTco2eScope1, cx), value(KpiId::kTco2eScope2, cx),
                    value(KpiId::kTco2eTransport, cx), value(KpiId::kTco2eTotal, cx));
      out += line;
    }
  }
  if (run.traffic.enabled) {
    const TrafficResults& t = run.traffic;
    float worst_gap = 0.0F;
    for (float g : t.relative_gap) worst_gap = std::max(worst_gap, g);
    double trips = 0.0;
    for (std::size_t k = 0; k < t.classes.size(); ++k) trips += t.daily_trips[k];  // workday
    std::snprintf(line, sizeof line,
                  "\nTraffic (a year; %zu road links, %.0f vehicle trips a workday, 72 hourly "
                  "assignments, worst relative gap %.1e)\n",
                  t.link_road_id.size(), trips, static_cast<double>(worst_gap));
    out += line;
    std::snprintf(line, sizeof line, "%-15s %12s %12s %12s %12s %12s\n", "complex", "car 1000 km",
                  "truck 1000 km", "heavy 1000 km", "EV truck %", "1000 veh-h");
    out += line;
    std::vector<std::string> rows = t.area_ids;  // the complexes, then "outside"
    rows.emplace_back(kAllComplexes);
    for (const auto& cx : rows) {
      double car = 0.0, truck = 0.0, heavy = 0.0, hours = 0.0, electric = 0.0;
      const std::size_t classes = t.classes.size();
      for (std::size_t a = 0; a < t.area_ids.size(); ++a) {
        if (cx != kAllComplexes && t.area_ids[a] != cx) continue;
        for (const VehicleClass vc : kVehicleClasses) {
          const double km = t.vkt_km[a * classes + index_of(vc)];
          hours += t.vht_h[a * classes + index_of(vc)];
          if (!is_truck(vc)) {
            car += km;
            continue;
          }
          truck += km;
          electric += km * t.electric_share[index_of(vc)];
          if (vc == VehicleClass::kHeavyTruck) heavy += km;
        }
      }
      std::snprintf(line, sizeof line, "%-15s %12.0f %12.0f %12.0f %12.1f %12.0f\n", cx.c_str(), car / 1e3,
                    truck / 1e3, heavy / 1e3, truck > 0.0 ? 100.0 * electric / truck : 0.0, hours / 1e3);
      out += line;
    }
    if (t.background) {
      // Background traffic loads the roads (the speeds and vehicle-hours above feel it) but is not the
      // complexes' traffic, so it is reported apart.
      double bg_trips = 0.0;
      double bg_km = 0.0;
      for (std::size_t k = 0; k < t.background_classes.size(); ++k) bg_trips += t.background_daily_trips[k];
      for (const double km : t.background_vkt_km) bg_km += km;
      std::snprintf(line, sizeof line,
                    "background traffic (not counted above): %.0f vehicle trips a workday, %.0f 1000 km a "
                    "year\n",
                    bg_trips, bg_km / 1e3);
      out += line;
    }
    out += tours_summary(t);
    out += dynamic_summary(t);
  }
  return out;
}

}  // namespace sandan

namespace sandan {
namespace {

namespace fs = std::filesystem;

// A file of the repository (e.g. "gis_data/calendar/holidays_kr.csv"), looked for in each folder of
// `starts` and their parents; "" when none has it.
std::string find_repository_file(const std::string& relative, const std::vector<fs::path>& starts) {
  for (const fs::path& start : starts) {
    if (std::string found = find_upward(start, relative); !found.empty()) return found;
  }
  return "";
}

// The first forecast hour: "YYYY-MM-DD" (00:00) or "YYYY-MM-DDTHH" (also "THH:00"), KST.
std::pair<Date, int> parse_forecast_start(const std::string& text) {
  const std::string fix =
      "--from '" + text + "': give the first hour as YYYY-MM-DD or YYYY-MM-DDTHH (KST), e.g. 2026-03-10T06";
  const auto date = parse_date(text.substr(0, std::min<std::size_t>(10, text.size())));
  if (!date) throw Error(ErrorCode::kBadInput, fix);
  if (text.size() == 10) return {*date, 0};
  const std::string rest = text.substr(10);
  const bool hour_only = rest.size() == 3 && (rest[0] == 'T' || rest[0] == ' ');
  const bool with_minutes = rest.size() == 6 && (rest[0] == 'T' || rest[0] == ' ') && rest.substr(3) == ":00";
  if ((!hour_only && !with_minutes) || !std::isdigit(static_cast<unsigned char>(rest[1])) ||
      !std::isdigit(static_cast<unsigned char>(rest[2]))) {
    throw Error(ErrorCode::kBadInput, fix);
  }
  const int hour = (rest[1] - '0') * 10 + (rest[2] - '0');
  if (hour > 23) throw Error(ErrorCode::kBadInput, fix);
  return {*date, hour};
}

// The weather row of each hour of the calendar's year by month, day and hour, so that a typical year
// of 8760 rows serves a leap year (29 February takes 28 February's rows) and one of 8784 rows a
// common year (its 29 February is skipped).
std::vector<double> temperatures_for(const Calendar& calendar, const Weather& weather) {
  std::vector<double> t(static_cast<std::size_t>(calendar.hours()));
  const int weather_year = weather.leap_day ? 2024 : 2025;  // any leap or common year: only the layout counts
  for (int h = 0; h < calendar.hours(); ++h) {
    Date date = calendar.date(h);
    if (date.month == 2 && date.day == 29 && !weather.leap_day) date.day = 28;
    date.year = weather_year;
    const std::size_t row =
        24 * static_cast<std::size_t>(day_of_year(date) - 1) + static_cast<std::size_t>(h % 24);
    t[static_cast<std::size_t>(h)] = weather.dry_bulb_c[row];
  }
  return t;
}

}  // namespace

Forecast forecast_files(const ForecastRequest& request, const std::string& command) {
  if (request.hours < 1 || request.hours > kForecastMaxHours) {
    throw Error(ErrorCode::kBadInput, "--hours " + std::to_string(request.hours) + ": give 1 to " +
                                          std::to_string(kForecastMaxHours) + " hours (e.g. 48)");
  }
  const auto [from_date, from_hour_of_day] = parse_forecast_start(request.from);
  // Stopping points between the files read (forecast() has its own between facilities).
  const auto stop_point = [&](const std::string& after) {
    stop_if_asked(request.cancelled, "after " + after + "; nothing was written");
  };
  const Calibration calibration = read_calibration(request.calibration);
  stop_point("reading the calibration " + request.calibration);
  const MeasuredData measured = read_measured(request.measured, request.cancelled);
  stop_point("reading the measured file " + request.measured);

  std::error_code ec;
  const fs::path calibration_dir = fs::path(request.calibration).parent_path();
  std::vector<fs::path> starts{fs::current_path(ec),
                               calibration_dir.empty() ? fs::path(".") : calibration_dir};
  if (const fs::path self = fs::read_symlink("/proc/self/exe", ec); !ec) starts.push_back(self.parent_path());
  // The file this code was loaded from: the Python module's shared object sits in the build tree.
  Dl_info loaded{};
  if (dladdr(reinterpret_cast<void*>(&find_repository_file), &loaded) != 0 && loaded.dli_fname != nullptr)
    starts.push_back(fs::path(loaded.dli_fname).parent_path());
  const auto repository_file = [&](const std::string& relative, const char* option) {
    std::string found = find_repository_file(relative, starts);
    if (found.empty()) {
      throw Error(ErrorCode::kBadInput, std::string("cannot find the repository's ") + relative +
                                            " (looked in the current folder, the calibration's folder, the "
                                            "program's folder and their parents): give " +
                                            option + " FILE (Python: " + (option + 2) + "=FILE)");
    }
    return found;
  };

  std::string weather_path = request.weather;
  if (weather_path.empty() && !calibration.weather.empty()) {
    // The calibration's weather file, relative to the calibration file's folder or the current one.
    const fs::path beside = calibration_dir / calibration.weather;
    weather_path = fs::path(calibration.weather).is_relative() && fs::is_regular_file(beside, ec)
                       ? beside.lexically_normal().string()
                       : calibration.weather;
    if (!fs::is_regular_file(weather_path, ec)) {
      throw Error(ErrorCode::kBadInput,
                  request.calibration + ": its weather file " + calibration.weather +
                      " is not there (nor beside the calibration file): give --weather EPW");
    }
  }
  if (weather_path.empty())
    weather_path = repository_file("gis_data/weather/incheon_synthetic.epw", "--weather");
  const std::string holidays_path = request.holidays.empty()
                                        ? repository_file("gis_data/calendar/holidays_kr.csv", "--holidays")
                                        : request.holidays;
  const std::string site_path =
      request.site.empty() ? repository_file("gis_data/incheon.gpkg", "--site") : request.site;

  check_output_path(request.output,
                    {{"calibration", request.calibration},
                     {"measured data", request.measured},
                     {"weather", weather_path},
                     {"holidays", holidays_path},
                     {"layout", site_path}},
                    "forecast file");
  const Weather weather = read_epw(weather_path);
  const Calendar calendar = load_calendar(from_date.year, holidays_path);
  stop_point("reading the weather " + weather_path + " and the holidays");
  const Site site = load_site({site_path});
  stop_point("reading the layout " + site_path);
  ForecastOptions options;
  options.cancelled = request.cancelled;
  for (const Facility& facility : site.facilities) {
    if (facility.complex >= 0 && static_cast<std::size_t>(facility.complex) < site.complexes.size())
      options.facility_complex[facility.facility_id] =
          site.complexes[static_cast<std::size_t>(facility.complex)].complex_id;
  }
  options.weather = &weather;
  options.calibration_file = request.calibration;
  options.measured_file = request.measured;
  options.weather_file = weather_path;
  options.holidays_file = holidays_path;
  const std::vector<double> temperature_c = temperatures_for(calendar, weather);
  Forecast result = forecast(calibration, measured, calendar, temperature_c,
                             calendar.first_hour(from_date) + from_hour_of_day, request.hours, options);
  if (weather.hours() != static_cast<std::size_t>(calendar.hours())) {
    result.notes.push_back("the weather file has " + std::to_string(weather.hours()) + " hours, the year " +
                           std::to_string(calendar.year()) + " " + std::to_string(calendar.hours()) +
                           ": temperatures are taken by month, day and hour");
  }
  if (!request.output.empty()) {
    // The last point: the forecast file is written whole (temporary file, then rename) or not at all.
    stop_point("forecasting, before writing " + request.output);
    write_forecast(request.output, result, command);
  }
  return result;
}

DnlCase write_scenario_dnl_case(const std::string& scenario_path, const std::string& dir) {
  const ScenarioSpec spec = read_scenario(scenario_path);
  check_output_folder(dir, input_files(spec), "DNL case");
  if (!spec.traffic.enabled || !spec.traffic.dynamic) {
    throw ConfigError(
        scenario_path + ": the scenario has no dynamic traffic window",
        {"add traffic.dynamic: {profiles: ../gis_data/traffic/dynamic.yaml, start: \"16:00\", end: "
         "\"20:00\"} under traffic: (docs/scenarios.md)"});
  }
  const std::shared_ptr<const SiteModel> model = load_site_model(spec);
  const TrafficStage stage(spec, *model);
  const Calendar calendar = load_calendar(spec.year, spec.holidays);
  DnlCase dnl = stage.dynamic_case(model->complex_ids, calendar, 0);
  write_dnl_case(dnl, dir);
  return dnl;
}

}  // namespace sandan
