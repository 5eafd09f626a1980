// The runner: a run is the pipeline of scenario/stages; a batch prepares each distinct input, layout
// model, grid model and traffic stage once and lets variants that read the same inputs share a stage's
// product (docs/architecture.md).
#include "scenario/runner.hpp"

#include <omp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "core/interrupt.hpp"
#include "core/threads.hpp"
#include "emissions/factors.hpp"
#include "scenario/emissions_run.hpp"
#include "scenario/kpi_catalogue.hpp"
#include "scenario/stages.hpp"
#include "scenario/traffic_run.hpp"

namespace sandan {

namespace {

// Products of a stage shared by the runs of a batch, by key. The first run that asks computes a
// product; runs asking meanwhile wait for it. A product is dropped once the runs known to need it
// have had it, or, past `capacity` products, oldest first (a later request computes it again, to the
// same values).
template <typename T>
class ProductCache {
 public:
  explicit ProductCache(std::size_t capacity) : capacity_(capacity) {}

  // Counts a run that will need the product of `key`; only before the runs start.
  void expect(const std::string& key) {
    ++expected_[key];
    ++remaining_[key];
  }
  // How many runs need the product of `key` (fixed once the runs start, so read without a lock).
  [[nodiscard]] int expected(const std::string& key) const {
    const auto it = expected_.find(key);
    return it == expected_.end() ? 0 : it->second;
  }

  template <typename Make>
  std::shared_ptr<const T> get(const std::string& key, Make&& make) {
    std::promise<std::shared_ptr<const T>> promise;
    std::shared_future<std::shared_ptr<const T>> future;
    bool mine = false;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto it = entries_.find(key);
      if (it != entries_.end()) {
        future = it->second;
      } else {
        future = promise.get_future().share();
        entries_.emplace(key, future);
        order_.push_back(key);
        mine = true;
        while (order_.size() > capacity_) {
          entries_.erase(order_.front());
          order_.pop_front();
        }
      }
    }
    if (mine) {
      try {
        promise.set_value(std::make_shared<const T>(make()));
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    }
    return future.get();
  }

  // One run that needed the product has it.
  void release(const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (--remaining_[key] > 0) return;
    entries_.erase(key);
    std::erase(order_, key);
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, int> expected_;   // counted before the runs start, then fixed
  std::map<std::string, int> remaining_;  // counted down under mutex_
  std::map<std::string, std::shared_future<std::shared_ptr<const T>>> entries_;
  std::deque<std::string> order_;
};

// The energy stages' products: they depend on the energy settings only (energy_key).
struct EnergyProduct {
  FacilityPlan plan;
  EnergyBalance balance;
  GridResults grid;  // without its hourly series, which are kept apart (a copy of `grid` is small)
  std::vector<float> bus_vm_pu, branch_loading;
};

// The settings the energy and grid stages read, as one text: the resolved scenario without what
// only traffic, emissions and costs read. Anything not removed here counts, so a setting added later
// can only make runs share less, never share wrongly.
std::string energy_key(const ScenarioSpec& spec, bool facility_hourly) {
  YAML::Node root = YAML::Load(spec.resolved_yaml);
  for (const char* k : {"name", "discount_rate", "analysis_years", "prices", "emission_factors",
                        "grid_emission_factor", "traffic"}) {
    root.remove(k);
  }
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const YAML::Node& item : root["interventions"]) {
    const std::string kind = item.begin()->first.as<std::string>();
    if (kind == "logistics_hub" || kind == "ev_trucks") continue;
    YAML::Node body = item.begin()->second;
    for (const char* k : {"cost_krw", "cost_krw_per_kwp", "cost_krw_per_kwh", "cost_krw_per_kw",
                          "lifetime_years", "om_share_per_year"})
      body.remove(k);
    kept.push_back(item);
  }
  root["interventions"] = kept;
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n# seed " + std::to_string(spec.seed) + " year " +
         std::to_string(spec.year) + " facility_hourly " + std::to_string(facility_hourly);
}

// The input files a run reads before any stage: runs with the same key share them.
std::string inputs_key(const ScenarioSpec& s) {
  std::string key = s.site + "|" + s.weather + "|" + s.holidays + "|" + s.tariff + "|" + s.load_library +
                    "|" + std::to_string(s.year) + "|" + std::to_string(s.delta_t_s) + "|" + s.prices.fuel +
                    "|" + s.prices.pv_export + "|" + s.calibration;
  for (const auto& c : s.complexes) key += "|" + c;
  return key;
}

std::string site_key(const ScenarioSpec& s) {
  std::string key = s.site;
  for (const auto& c : s.complexes) key += "|" + c;
  return key;
}

// The emission factors a run's carbon account uses.
struct CarbonInputs {
  EmissionFactors factors;
  std::vector<double> hourly_grid_t_per_mwh;
};

// Everything a batch's runs read, prepared once and checked before any run starts.
class BatchProducts {
 public:
  BatchProducts(const RunOptions& options, std::size_t runs_at_once)
      : facility_hourly_(options.facility_hourly),
        energy_(std::max<std::size_t>(2 * runs_at_once, 2)),
        traffic_(std::max<std::size_t>(8 * runs_at_once, 64)) {}

  // Reads and checks what `spec` needs (ConfigError, Error(kIo)); to be called for every run before
  // any runs.
  void prepare(const ScenarioSpec& spec) {
    auto& model = site_models_[site_key(spec)];
    if (!model) model = load_site_model(spec);
    auto& in = inputs_[inputs_key(spec)];
    if (!in) in = std::make_unique<RunInputs>(read_run_inputs(spec, model));
    check_fit(spec, *model);
    if (spec.grid.enabled) {
      auto& grid = grid_models_[site_key(spec) + "|" + spec.grid.line_types];
      if (!grid) grid = std::make_unique<GridModel>(build_run_grid_model(spec, *model));
    }
    if (spec.traffic.enabled) {
      const std::string key = traffic_key(spec);
      auto& stage = traffic_stages_[key];
      if (!stage) stage = std::make_unique<TrafficStage>(spec, *model);
      traffic_.expect(key);
    }
    if (!spec.emission_factors.empty()) {
      auto& carbon =
          carbon_[spec.emission_factors + "|" + spec.grid_factor_csv + "|" + std::to_string(spec.year)];
      if (!carbon) {
        carbon = std::make_unique<CarbonInputs>();
        carbon->factors = read_emission_factors(spec.emission_factors);
        if (!spec.grid_factor_csv.empty())
          carbon->hourly_grid_t_per_mwh = read_hourly_grid_factor(spec.grid_factor_csv, in->calendar.hours());
      }
    }
    energy_.expect(remember_energy_key(spec));
  }

  // Notes the batch's runs in their order (every variant, finished ones too), so that each run knows
  // the first run with its energy settings.
  void note_run(const ScenarioSpec& spec, const std::string& run_id) {
    first_run_.emplace(remember_energy_key(spec), run_id);
  }
  // The first run of the batch with the same energy settings as `spec`, unless that is `run_id`.
  [[nodiscard]] std::string series_source(const ScenarioSpec& spec, const std::string& run_id) const {
    const auto it = first_run_.find(energy_key_of(spec));
    return it == first_run_.end() || it->second == run_id ? std::string() : it->second;
  }

  // The order in which the runs are drawn (positions in `specs`). Runs are grouped by energy setting
  // and `width` groups (the runs made at once) are interleaved run by run, so that the threads start
  // on different energy years instead of one computing a shared year while the others wait for it,
  // and only about `width` shared years are held at a time. The same on every process of a batch.
  [[nodiscard]] std::vector<std::size_t> draw_order(const std::vector<const ScenarioSpec*>& specs,
                                                    std::size_t width) const {
    std::vector<std::vector<std::size_t>> groups;
    std::map<std::string, std::size_t> group_of;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const auto [it, added] = group_of.emplace(energy_key_of(*specs[i]), groups.size());
      if (added) groups.emplace_back();
      groups[it->second].push_back(i);
    }
    std::vector<std::size_t> order;
    for (std::size_t first = 0; first < groups.size(); first += width) {
      const std::size_t last = std::min(groups.size(), first + width);
      for (std::size_t k = 0, placed = 1; placed > 0; ++k) {
        placed = 0;
        for (std::size_t g = first; g < last; ++g) {
          if (k < groups[g].size()) {
            order.push_back(groups[g][k]);
            ++placed;
          }
        }
      }
    }
    return order;
  }

  // Traffic results shared by more than one run are computed now, with every thread.
  void compute_shared_traffic(const std::vector<const ScenarioSpec*>& specs, int threads) {
    for (const ScenarioSpec* spec : specs) {
      if (spec->traffic.enabled && traffic_.expected(traffic_key(*spec)) > 1) (void)traffic(*spec, threads);
    }
  }

  const RunInputs& inputs(const ScenarioSpec& spec) const { return *inputs_.at(inputs_key(spec)); }

  const GridModel* grid_model(const ScenarioSpec& spec) const {
    return spec.grid.enabled ? grid_models_.at(site_key(spec) + "|" + spec.grid.line_types).get() : nullptr;
  }

  const CarbonInputs* carbon(const ScenarioSpec& spec) const {
    if (spec.emission_factors.empty()) return nullptr;
    return carbon_.at(spec.emission_factors + "|" + spec.grid_factor_csv + "|" + std::to_string(spec.year))
        .get();
  }

  std::shared_ptr<const TrafficResults> traffic(const ScenarioSpec& spec, int threads) {
    const std::string key = traffic_key(spec);
    const TrafficStage& stage = *traffic_stages_.at(key);
    const RunInputs& in = inputs(spec);
    return traffic_.get(key, [&] { return stage.run(in.model->complex_ids, in.calendar, threads); });
  }
  void release_traffic(const ScenarioSpec& spec) { traffic_.release(traffic_key(spec)); }

  // The energy stages' products for a run. A product no other run needs is made for this run alone
  // (and handed over without a copy); `shared` then stays empty.
  std::shared_ptr<const EnergyProduct> energy(const ScenarioSpec& spec, const StageOptions& options,
                                              std::optional<EnergyProduct>& own) {
    const std::string& key = energy_key_of(spec);
    if (energy_.expected(key) <= 1) {
      own.emplace(make_energy(spec, options));
      return nullptr;
    }
    auto product = energy_.get(key, [&] { return make_energy(spec, options); });
    energy_.release(key);
    return product;
  }

 private:
  EnergyProduct make_energy(const ScenarioSpec& spec, const StageOptions& options) const {
    const RunInputs& in = inputs(spec);
    const GridModel* grid = grid_model(spec);
    auto progress = [&](const char* stage, double done) {
      if (options.progress) options.progress(stage, done);
    };
    progress("facility loads", 0.1);
    progress("rooftop PV", 0.15);
    EnergyProduct p{plan_facilities(spec, in), {}, {}, {}, {}};
    p.balance = balance_energy(spec, in, p.plan, grid, options);
    progress("shared batteries", 0.7);
    settle_shared_batteries(spec, in, p.plan, grid, p.balance);
    if (grid != nullptr) {
      progress("grid power flow", 0.75);
      p.grid = solve_grid(spec, in, *grid, p.balance, options);
      p.bus_vm_pu = std::move(p.grid.bus_vm_pu);
      p.branch_loading = std::move(p.grid.branch_loading);
      p.grid.bus_vm_pu.clear();
      p.grid.branch_loading.clear();
    }
    return p;
  }

  // A run's energy key is worked out once (it parses the resolved scenario), before the runs start.
  const std::string& remember_energy_key(const ScenarioSpec& spec) {
    auto& key = energy_keys_[&spec];
    if (key.empty()) key = energy_key(spec, facility_hourly_);
    return key;
  }
  [[nodiscard]] const std::string& energy_key_of(const ScenarioSpec& spec) const {
    return energy_keys_.at(&spec);
  }

  bool facility_hourly_;
  std::map<const ScenarioSpec*, std::string> energy_keys_;  // filled before the runs start
  std::map<std::string, std::string> first_run_;            // energy key → the batch's first run with it
  std::map<std::string, std::shared_ptr<const SiteModel>> site_models_;
  std::map<std::string, std::unique_ptr<RunInputs>> inputs_;
  std::map<std::string, std::unique_ptr<GridModel>> grid_models_;
  std::map<std::string, std::unique_ptr<TrafficStage>> traffic_stages_;
  std::map<std::string, std::unique_ptr<CarbonInputs>> carbon_;
  ProductCache<EnergyProduct> energy_;
  ProductCache<TrafficResults> traffic_;
};

// A copy of a float series into a buffer of the pool (memory already mapped) when there is one.
void copy_series(const std::vector<float>& from, std::vector<float>& to, BufferPool* pool) {
  if (pool == nullptr || from.empty()) {
    to = from;
    return;
  }
  to = pool->take(from.size());
  std::copy(from.begin(), from.end(), to.begin());
}

// A copy of a run's energy results taken from a shared product; the series go into buffers of the
// pool (memory already mapped) when there is one.
void copy_energy(const EnergyResults& from, EnergyResults& to, BufferPool* pool) {
  to.year = from.year;
  to.hours = from.hours;
  to.facility_ids = from.facility_ids;
  to.facility_complex = from.facility_complex;
  to.pv_capacity_kwp = from.pv_capacity_kwp;
  to.bill_krw = from.bill_krw;
  to.complex_ids = from.complex_ids;
  to.battery_ids = from.battery_ids;
  to.battery_complex = from.battery_complex;
  to.shared_battery_kw = from.shared_battery_kw;
  to.shared_battery_soc = from.shared_battery_soc;
  const std::pair<const std::vector<float>*, std::vector<float>*> series[] = {
      {&from.load_kw, &to.load_kw},
      {&from.pv_kw, &to.pv_kw},
      {&from.curtailed_kw, &to.curtailed_kw},
      {&from.battery_kw, &to.battery_kw},
      {&from.battery_soc, &to.battery_soc},
      {&from.import_kw, &to.import_kw},
      {&from.export_kw, &to.export_kw},
      {&from.fuel_kw, &to.fuel_kw},
      {&from.complex_load_kw, &to.complex_load_kw},
      {&from.complex_pv_kw, &to.complex_pv_kw},
      {&from.complex_curtailed_kw, &to.complex_curtailed_kw},
      {&from.complex_battery_kw, &to.complex_battery_kw},
      {&from.complex_import_kw, &to.complex_import_kw},
      {&from.complex_export_kw, &to.complex_export_kw}};
  for (const auto& [source, target] : series) copy_series(*source, *target, pool);
}

// The economic assumptions go with the results (docs/results-schema.md, /runs/<id>/costs).
void record_costs(const ScenarioSpec& spec, const RunInputs& in, const CostSummary& costs, RunResult& run) {
  CostResults& c = run.costs;
  c.discount_rate = spec.discount_rate;
  c.analysis_years = spec.analysis_years;
  c.fuel_prices = spec.prices.fuel;
  c.pv_export = spec.prices.pv_export;
  c.pv_export_rule = in.pv_export ? to_string(in.pv_export->rule) : "";
  c.fuel_factor = spec.prices.fuel_factor;
  c.export_factor = spec.prices.export_factor;
  if (!costs.fuel_krw_per_mwh.empty()) {
    for (const Fuel fuel : kBurnedFuels) c.fuels.emplace_back(to_string(fuel));
    c.fuel_krw_per_mwh = costs.fuel_krw_per_mwh;
  }
  c.items = costs.items;
  run.notes.insert(run.notes.end(), costs.notes.begin(), costs.notes.end());
}

void stop_if_cancelled(const RunOptions& options) {
  if (options.cancelled && options.cancelled()) throw Cancelled();
}

// One run: the pipeline of stages, with the products other runs of the batch share taken from them.
RunResult run_pipeline(const ScenarioSpec& spec, BatchProducts& products, const RunOptions& options,
                       BufferPool* pool) {
  // Between stages: stop here when asked to.
  auto progress = [&](const char* stage, double done) {
    stop_if_cancelled(options);
    if (options.progress) options.progress(stage, done);
  };
  stop_if_cancelled(options);
  const RunInputs& in = products.inputs(spec);
  const int threads = checked_threads(options.threads) > 0 ? options.threads : omp_get_num_procs();
  RunResult run;
  // Short gaps of the weather file were filled by interpolation: say so, with the rows concerned.
  for (const auto& gap : in.weather.filled_gaps) run.notes.push_back(spec.weather + ": " + describe(gap));
  run.scenario_name = spec.name;
  run.run_id = spec.name;
  run.scenario_yaml = spec.resolved_yaml;
  run.seed = spec.seed;

  const StageOptions stage_options{threads, options.facility_hourly && spec.facility_series, pool,
                                   options.progress};
  std::optional<EnergyProduct> own;
  const std::shared_ptr<const EnergyProduct> shared = products.energy(spec, stage_options, own);
  const EnergyProduct& energy = own ? *own : *shared;
  stop_if_cancelled(options);
  if (own) {
    run.energy = std::move(own->balance.energy);
    run.grid = std::move(own->grid);
    run.grid.bus_vm_pu = std::move(own->bus_vm_pu);
    run.grid.branch_loading = std::move(own->branch_loading);
  } else {
    copy_energy(shared->balance.energy, run.energy, pool);
    run.grid = shared->grid;
    copy_series(shared->bus_vm_pu, run.grid.bus_vm_pu, pool);
    copy_series(shared->branch_loading, run.grid.branch_loading, pool);
  }
  if (spec.traffic.enabled) {
    progress("traffic assignment", 0.85);
    run.traffic = *products.traffic(spec, threads);
    products.release_traffic(spec);
    apply_ev_trucks(spec, run.traffic);
  }
  const std::vector<std::size_t>& slot = in.model->facility_slot;
  if (const CarbonInputs* carbon = products.carbon(spec)) {
    account_emissions(carbon->factors, spec.grid_t_per_mwh.value_or(carbon->factors.grid_t_per_mwh),
                      carbon->hourly_grid_t_per_mwh, in.model->site, energy.balance.annual_fuel_mwh, slot,
                      run.energy, run.traffic, run.emissions);
  }
  progress("indicators", 0.9);
  const CostSummary costs = cost_interventions(spec, in, energy.plan, energy.balance);
  record_costs(spec, in, costs, run);
  run.kpis = compute_kpis({spec, energy.plan, run.energy, energy.balance.annual_fuel_mwh, slot, run.grid,
                           run.traffic, run.emissions, costs});
  progress("done", 1.0);
  return run;
}

// Hands a run to the sink; an exception is kept for the batch to rethrow after the other runs.
void write_run(ResultSink& sink, const RunResult& run, std::exception_ptr& error) {
  try {
    sink.write(run);
  } catch (...) {
    error = std::current_exception();
  }
}

}  // namespace

RunResult run_scenario(const ScenarioSpec& spec, const RunOptions& options) {
  if (options.progress) options.progress("reading inputs", 0.0);
  stop_if_cancelled(options);
  BatchProducts products(options, 1);
  products.prepare(spec);
  return run_pipeline(spec, products, options, nullptr);
}

int run_batch(const std::vector<Variant>& variants, const std::set<std::string>& skip,
              const RunOptions& options, ResultSink& sink,
              const std::function<void(int done, int total)>& on_run, const NextRun& next) {
  std::vector<const Variant*> todo;
  for (const Variant& v : variants) {
    if (skip.count(v.run_id) == 0) todo.push_back(&v);
  }
  if (todo.empty()) return 0;
  // The threads go to the variants; a variant gets the rest when there are fewer variants than threads.
  const int threads = checked_threads(options.threads) > 0 ? options.threads : omp_get_num_procs();
  const int outer = std::max(1, std::min(threads, static_cast<int>(todo.size())));
  BatchProducts products(options, static_cast<std::size_t>(outer));
  std::vector<const ScenarioSpec*> specs;
  for (const Variant& v : variants) products.note_run(v.spec, v.run_id);
  for (const Variant* v : todo) {
    products.prepare(v->spec);
    specs.push_back(&v->spec);
  }
  stop_if_cancelled(options);
  products.compute_shared_traffic(specs, threads);
  stop_if_cancelled(options);
  RunOptions inner = options;
  inner.threads = std::max(1, threads / outer);
  inner.progress = nullptr;
  BufferPool pool;
  std::vector<std::exception_ptr> errors(todo.size());
  const std::vector<std::size_t> order = products.draw_order(specs, static_cast<std::size_t>(outer));
  std::size_t handed_out = 0;
  auto draw = [&]() -> std::optional<std::size_t> {
    std::optional<std::size_t> i;
    // After SIGINT or SIGTERM (the CLI), or when the caller cancels (Python's Ctrl-C), no more runs are
    // handed out; the runs under way stop at their next stage or finish, and are kept.
    if (interrupt_signal() != 0 || (options.cancelled && options.cancelled())) return i;
#pragma omp critical(sandan_batch_next)
    {
      if (next) {
        i = next();
      } else if (handed_out < todo.size()) {
        i = handed_out++;
      }
    }
    if (i && *i < order.size()) i = order[*i];
    return i;
  };
  int made = 0;
  int done = 0;
  const bool concurrent_sink = sink.concurrent();
#pragma omp parallel num_threads(outer) reduction(+ : made)
  for (std::optional<std::size_t> i = draw(); i && *i < todo.size(); i = draw()) {
    ++made;
    try {
      const Variant& v = *todo[*i];
      RunResult run = run_pipeline(v.spec, products, inner, &pool);
      run.run_id = v.run_id;
      run.parameters_json = v.parameters_json;
      run.series_source_run = products.series_source(v.spec, v.run_id);
      if (concurrent_sink) {
        write_run(sink, run, errors[*i]);
      } else {
#pragma omp critical(sandan_batch_sink)
        write_run(sink, run, errors[*i]);
      }
#pragma omp critical(sandan_batch_done)
      {
        ++done;
        if (on_run) on_run(done, static_cast<int>(todo.size()));
      }
      pool.recycle(run);
    } catch (...) {
      errors[*i] = std::current_exception();
    }
  }
  stop_if_cancelled(options);
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return made;
}

}  // namespace sandan
