// The Python module `_sandan`: the facade (engine/sandan.hpp) bound for Python. Long calls release
// the GIL; sandan's errors become the typed exceptions sandan.Error, BadInputError, IoError and
// InternalError with the CLI's message and exit code. The package `sandan` re-exports all of it.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.hpp"
#include "sandan.hpp"

namespace sandan::python {

namespace {

// Created once at import and kept for the life of the interpreter.
PyObject* g_error = nullptr;
PyObject* g_bad_input = nullptr;
PyObject* g_io = nullptr;
PyObject* g_internal = nullptr;

PyObject* new_exception(py::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string qualified = std::string("sandan.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

// Raises `type` with the message and the attributes code, headline and problems.
void raise(PyObject* type, const Error& e) {
  py::object instance = py::reinterpret_steal<py::object>(PyObject_CallFunction(type, "s", e.what()));
  if (!instance) return;  // the call set its own Python error
  instance.attr("code") = static_cast<int>(e.code());
  if (const auto* config = dynamic_cast<const ConfigError*>(&e)) {
    instance.attr("headline") = config->headline();
    instance.attr("problems") = config->problems();
  } else {
    instance.attr("headline") = std::string(e.what());
    instance.attr("problems") = std::vector<std::string>{};
  }
  PyErr_SetObject(type, instance.ptr());
}

// pybind11 takes translators of exactly this signature.
void translate(std::exception_ptr p) {  // NOLINT(performance-unnecessary-value-param)
  try {
    if (p) std::rethrow_exception(p);
  } catch (const Error& e) {
    switch (e.code()) {
      case ErrorCode::kBadInput:
        raise(g_bad_input, e);
        break;
      case ErrorCode::kIo:
        raise(g_io, e);
        break;
      default:
        raise(g_internal, e);
    }
  }
}

std::string fspath(const py::handle& path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

// A scenario argument: a Scenario, or the path of a scenario file.
ScenarioSpec to_spec(const py::object& scenario) {
  if (py::isinstance<ScenarioSpec>(scenario)) return scenario.cast<ScenarioSpec>();
  const std::string path = fspath(scenario);
  py::gil_scoped_release release;
  return read_scenario(path);
}

// A value for with_settings as the YAML scalar the scenario parser reads.
std::string yaml_scalar(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value)) return py::str(value);
  if (py::isinstance<py::float_>(value)) return py::str(py::repr(value));
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    // A flow list of the items' YAML, each quoted as JSON (a subset of YAML) when it is text.
    const py::object dumps = py::module_::import("json").attr("dumps");
    std::string out = "[";
    for (const py::handle item : value) {
      if (out.size() > 1) out += ", ";
      out += py::isinstance<py::str>(item) ? std::string(py::str(dumps(item))) : yaml_scalar(item);
    }
    return out + "]";
  }
  throw py::type_error("a setting's value must be a bool, int, float, str or a list of them, not " +
                       std::string(py::str(py::type::of(value).attr("__name__"))));
}

// Calls a Python callable from the engine's threads: takes the GIL for each call, keeps the first
// Python exception (the run goes on; the simulation loops are not interrupted) for rethrow(). Made
// and destroyed with the GIL held.
class Callback {
 public:
  explicit Callback(py::object function) : function_(std::move(function)) {}
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;

  template <typename... Args>
  void operator()(Args&&... args) {
    py::gil_scoped_acquire gil;
    if (error_ || function_.is_none()) return;
    try {
      function_(std::forward<Args>(args)...);
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (py::error_already_set&) {
      error_ = std::current_exception();
    }
  }
  // With the GIL held, after the run.
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }
  [[nodiscard]] bool active() const { return !function_.is_none(); }

 private:
  py::object function_;
  std::exception_ptr error_;
};

// Runs `work` on a thread of its own, handing it the function to set as RunOptions::cancelled, while
// the calling thread (Python's main thread, where signal handlers run) checks for signals every 50 ms,
// taking the GIL briefly. When a handler raises (KeyboardInterrupt on Ctrl-C), the work is told to stop,
// stops at its next stage or run (a batch keeps its finished runs in <output>.parts), and the handler's
// exception is raised here. Called with the GIL held; it is released while the work runs.
template <typename Work>
auto interruptible(Work&& work) -> decltype(work(std::function<bool()>{})) {
  using Result = decltype(work(std::function<bool()>{}));
  auto stop = std::make_shared<std::atomic<bool>>(false);
  const std::function<bool()> cancelled = [stop] { return stop->load(std::memory_order_relaxed); };
  std::optional<Result> result;
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
  {
    py::gil_scoped_release release;
    std::thread worker([&] {
      try {
        result.emplace(work(cancelled));
      } catch (...) {
        error = std::current_exception();
      }
      {
        const std::lock_guard<std::mutex> lock(mutex);
        finished = true;
      }
      finished_cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!finished_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) {
      if (stop->load()) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          PyErr_Fetch(&type, &value, &traceback);
          stop->store(true);
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (type != nullptr) {
    PyErr_Restore(type, value, traceback);
    throw py::error_already_set();
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

std::string command_of(const char* call, const ScenarioSpec& spec) {
  return std::string("python: sandan.") + call + "(" + spec.path + ")";
}

}  // namespace

}  // namespace sandan::python

PYBIND11_MODULE(_sandan, m) {
  namespace py = pybind11;
  using namespace sandan;
  using namespace sandan::python;
  m.doc() = "sandan's engine: layouts, scenarios, runs and batches, comparisons (see the package `sandan`).";
  m.attr("__version__") = SANDAN_VERSION;
  m.def(
      "version", [] { return std::string(sandan::version()); }, "The engine's version, e.g. '0.1.0'.");

  g_error =
      new_exception(m, "Error", PyExc_Exception,
                    "An error of sandan's engine. Attributes: code (the CLI's exit code: 2 bad input, 3 "
                    "an output could not be written, 4 internal), headline, problems (a list of every "
                    "problem found, each naming file, line and key).");
  {
    py::tuple bases = py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError));
    g_bad_input = new_exception(m, "BadInputError", bases.ptr(),
                                "Bad input (exit code 2): a malformed or inconsistent scenario, layout or "
                                "results file. str() is the CLI's message; problems lists each one.");
  }
  {
    py::tuple bases = py::make_tuple(py::handle(g_error), py::handle(PyExc_OSError));
    g_io = new_exception(m, "IoError", bases.ptr(), "An output could not be written (exit code 3).");
  }
  {
    py::tuple bases = py::make_tuple(py::handle(g_error), py::handle(PyExc_RuntimeError));
    g_internal = new_exception(m, "InternalError", bases.ptr(), "A bug in sandan (exit code 4).");
  }
  py::register_exception_translator(&translate);

  bind_results(m);
  bind_site(m);

  py::class_<ScenarioSpec>(m, "Scenario",
                           "A scenario file parsed and checked, after `extends` (docs/scenarios.md). Paths "
                           "in it are resolved against the files that state them.")
      .def_readonly("name", &ScenarioSpec::name)
      .def_readonly("path", &ScenarioSpec::path, "The scenario file.")
      .def_readonly("year", &ScenarioSpec::year)
      .def_readonly("seed", &ScenarioSpec::seed)
      .def_readonly("site", &ScenarioSpec::site, "The layout's path.")
      .def_readonly("weather", &ScenarioSpec::weather)
      .def_readonly("complexes", &ScenarioSpec::complexes, "Complexes simulated (empty: every one).")
      .def_readonly("yaml", &ScenarioSpec::resolved_yaml, "Every setting after `extends`, as YAML.")
      .def_property_readonly(
          "is_batch", [](const ScenarioSpec& s) { return is_batch(s); },
          "Whether it has `sweep` or `monte_carlo`.")
      .def_property_readonly(
          "sweep",
          [](const ScenarioSpec& s) {
            py::dict axes;
            for (const SweepAxis& axis : s.sweep) axes[py::str(axis.key_path)] = axis.values;
            return axes;
          },
          "The sweep's axes: key path -> values (as YAML text).")
      .def_property_readonly(
          "run_ids",
          [](const ScenarioSpec& s) {
            std::vector<std::string> ids;
            for (const Variant& v : expand_batch(s)) ids.push_back(v.run_id);
            return ids;
          },
          "The ids of the runs it asks for (one without sweep or monte_carlo).")
      .def(
          "with_settings",
          [](const ScenarioSpec& s, const py::dict& settings) {
            // sweep, monte_carlo and uncertainty take what a scenario file's do (a dict, zips and
            // distributions included), as JSON text, which is YAML.
            const py::object dumps = py::module_::import("json").attr("dumps");
            std::vector<std::pair<std::string, std::string>> values;
            std::vector<std::pair<std::string, std::string>> batch;
            for (const auto& [key, value] : settings) {
              const std::string name = py::str(key);
              if (name == "sweep" || name == "monte_carlo" || name == "uncertainty") {
                batch.emplace_back(name, py::str(dumps(value)));
              } else {
                values.emplace_back(name, yaml_scalar(value));
              }
            }
            py::gil_scoped_release release;
            ScenarioSpec out = values.empty() ? s : with_settings(s, values);
            for (const auto& [key, text] : batch) out = with_batch(out, key, text);
            return out;
          },
          py::arg("settings"),
          "A copy with settings changed at key paths of the resolved scenario, as a sweep names them, "
          "e.g. {'interventions[0].rooftop_pv.roof_share': 0.4, 'name': 'pv40', 'complexes': ['juan']}; "
          "'sweep', 'monte_carlo' and 'uncertainty' take what a scenario file's do, e.g. "
          "{'sweep': {'zip': {'interventions[1].battery.energy_kwh': [0, 20000], "
          "'interventions[1].battery.power_kw': [0, 5000]}}}; checked as a scenario file is. Raises "
          "BadInputError for a key path that does not exist or a value out of range.")
      .def("__repr__", [](const ScenarioSpec& s) {
        return "<sandan.Scenario " + s.name + " (" + s.path + ")" + (is_batch(s) ? ", a batch>" : ">");
      });

  m.def(
      "read_scenario", [](const py::object& path) { return to_spec(path); }, py::arg("path"),
      "Reads a scenario file and the files it extends. Raises BadInputError listing every problem, "
      "each with file, line and key path.");

  m.def(
      "run",
      [](const py::object& scenario, const std::optional<py::object>& output, int threads,
         const py::object& progress) {
        const ScenarioSpec spec = to_spec(scenario);
        const std::string output_path = output && !output->is_none() ? fspath(*output) : std::string();
        Callback callback(progress);
        RunOptions options;
        options.threads = threads;
        if (callback.active()) {
          options.progress = [&callback](const std::string& stage, double done) { callback(stage, done); };
        }
        auto result = interruptible([&](const std::function<bool()>& cancelled) {
          RunOptions with_stop = options;
          with_stop.cancelled = cancelled;
          return std::make_shared<RunResult>(
              run_scenario_spec(spec, output_path, command_of("run", spec), with_stop));
        });
        callback.rethrow();
        return result;
      },
      py::arg("scenario"), py::arg("output") = py::none(), py::arg("threads") = 0,
      py::arg("progress") = py::none(),
      "Runs one scenario (a Scenario or a scenario file) and returns its Run; with `output`, also "
      "writes the results file (schema sandan-results, as `sandan run -o`). The GIL is released while "
      "it runs. threads: 0 uses every core (results do not depend on it). progress: called as "
      "progress(stage, share_done) from the engine's threads. Ctrl-C stops the run at its next stage "
      "and raises KeyboardInterrupt.");

  py::class_<BatchSummary>(m, "BatchSummary", "What a batch ran: every run's id, swept values and KPIs.")
      .def_readonly("scenario", &BatchSummary::scenario)
      .def_readonly("output", &BatchSummary::output)
      .def_readonly("runs", &BatchSummary::runs)
      .def_readonly("skipped", &BatchSummary::skipped, "Runs finished by an earlier, stopped attempt.")
      .def_readonly("run_ids", &BatchSummary::run_ids)
      .def_property_readonly(
          "parameters",
          [](const BatchSummary& b) {
            py::list out;
            const py::object loads = py::module_::import("json").attr("loads");
            for (const std::string& p : b.parameters) out.append(loads(p));
            return out;
          },
          "Each run's swept values (dicts), by run.")
      .def_readonly("kpis", &BatchSummary::kpis, "Each run's KPIs (empty for a run skipped on resume).")
      .def("__repr__", [](const BatchSummary& b) {
        return "<sandan.BatchSummary " + b.scenario + ": " + std::to_string(b.runs) + " runs>";
      });

  m.def(
      "run_batch",
      [](const py::object& scenario, const std::optional<py::object>& output, int threads,
         const py::object& progress) {
        const ScenarioSpec spec = to_spec(scenario);
        const std::string output_path = output && !output->is_none() ? fspath(*output) : std::string();
        Callback callback(progress);
        std::function<void(int, int)> on_run;
        if (callback.active()) on_run = [&callback](int done, int total) { callback(done, total); };
        RunOptions options;
        options.threads = threads;
        BatchSummary summary = interruptible([&](const std::function<bool()>& cancelled) {
          RunOptions with_stop = options;
          with_stop.cancelled = cancelled;
          return run_batch_spec(spec, output_path, command_of("run_batch", spec), with_stop, on_run);
        });
        callback.rethrow();
        return summary;
      },
      py::arg("scenario"), py::arg("output") = py::none(), py::arg("threads") = 0,
      py::arg("progress") = py::none(),
      "Runs a batch (a scenario with sweep or monte_carlo; a plain scenario is a batch of one) in "
      "parallel over its runs; with `output`, into one results file (finished runs wait in "
      "<output>.parts, and a stopped batch run again resumes). progress: called as progress(done, "
      "total) after each run. Returns a BatchSummary. Ctrl-C stops the batch (no more runs start, those "
      "under way stop at their next stage) and raises KeyboardInterrupt; the finished runs stay in "
      "<output>.parts for a resume.");

  m.def(
      "read_run_layers",
      [](const py::object& path, const std::string& run) {
        RunLayers read;
        {
          const std::string file = fspath(path);
          py::gil_scoped_release release;
          read = read_run_layers(file, run);
        }
        const auto table = [](const ResultTable& t) {
          py::dict fields;
          for (const ResultField& f : t.fields) {
            if (f.type == ResultFieldType::kText) {
              fields[py::str(f.name)] = f.texts;
            } else {
              fields[py::str(f.name)] = copy_array(f.numbers);
            }
          }
          py::dict out;
          out["ids"] = t.ids;
          out["fields"] = fields;
          return out;
        };
        py::dict out;
        out["run_id"] = read.run_id;
        out["facilities"] = table(read.layers.facilities);
        out["complexes"] = table(read.layers.complexes);
        out["links"] =
            read.layers.links ? py::object(table(read.layers.links->table)) : py::object(py::none());
        out["feeders"] =
            read.layers.feeders ? py::object(table(*read.layers.feeders)) : py::object(py::none());
        return out;
      },
      py::arg("path"), py::arg("run") = "",
      "A run's figures as the attribute tables of `sandan export` (docs/export.md): a dict with run_id "
      "and, for facilities, complexes, links and feeders (None without traffic or grid), {'ids': [...], "
      "'fields': {name: array or list}}. Facility series are summed 256 facilities at a time.");

  m.def(
      "parse_run_ref",
      [](const py::object& text) {
        const RunRef ref = parse_run_ref(fspath(text));
        return py::make_tuple(ref.file,
                              ref.run.empty() ? py::object(py::none()) : py::object(py::str(ref.run)));
      },
      py::arg("text"),
      "Splits FILE[:RUN] as the command line does: (file, run or None). The whole text is the file "
      "when such a file exists or when what follows the last ':' holds a '/'.");

  m.def(
      "list_runs", [](const py::object& path) { return list_runs(fspath(path)); }, py::arg("path"),
      "The run ids of a results file. Raises BadInputError if it is not a sandan results file.");

  m.def(
      "read_kpis",
      [](const py::object& path, const std::vector<std::string>& runs) {
        std::vector<std::vector<KpiRow>> tables;
        {
          const std::string file = fspath(path);
          py::gil_scoped_release release;
          tables = read_kpis_of_runs(file, runs);
        }
        std::size_t rows = 0;
        for (const auto& t : tables) rows += t.size();
        std::vector<std::string> keys, complexes, units;
        std::vector<double> values;
        std::vector<long long> lengths;
        keys.reserve(rows);
        complexes.reserve(rows);
        units.reserve(rows);
        values.reserve(rows);
        for (const auto& t : tables) {
          lengths.push_back(static_cast<long long>(t.size()));
          for (const KpiRow& k : t) {
            keys.push_back(k.key);
            complexes.push_back(k.complex);
            values.push_back(k.value);
            units.push_back(k.unit);
          }
        }
        py::dict out;
        out["rows"] = copy_array(lengths);
        out["key"] = keys;
        out["complex"] = complexes;
        out["value"] = copy_array(values);
        out["unit"] = units;
        return out;
      },
      py::arg("path"), py::arg("runs") = std::vector<std::string>{},
      "The KPI tables of several runs of a results file (all when runs is empty, in name order), the "
      "file opened once: a dict of columns over every run's rows in turn, key, complex, unit (lists), "
      "value (float64 array), and rows (the number of rows of each run). Raises BadInputError for a "
      "file that is not a results file, an unknown run or a run without a KPI table.");

  m.def(
      "compare",
      [](const py::object& a, const py::object& b, const std::string& a_run, const std::string& b_run,
         bool attribution, const std::string& counterfactual) {
        RunRef ref_a = a_run.empty() ? parse_run_ref(fspath(a)) : RunRef{fspath(a), a_run};
        RunRef ref_b = b_run.empty() ? parse_run_ref(fspath(b)) : RunRef{fspath(b), b_run};
        CompareOptions options;
        options.attribute = attribution;
        options.counterfactual = counterfactual;
        // The counterfactual is a run: Ctrl-C stops it between its stages (KeyboardInterrupt).
        const std::string json = interruptible([&](const std::function<bool()>& cancelled) {
          CompareOptions with_stop = options;
          with_stop.cancelled = cancelled;
          return format_comparison(compare_files(ref_a, ref_b, with_stop), "json");
        });
        return py::module_::import("json").attr("loads")(json);
      },
      py::arg("a"), py::arg("b"), py::arg("a_run") = "", py::arg("b_run") = "", py::arg("attribution") = true,
      py::arg("counterfactual") = "",
      "Run b against the reference run a, as `sandan compare A B --format json`: a dict with a, b, "
      "headline (tco2e_abated, delta_annualised_cost_krw, delta_bill_krw, net_annual_cost_krw, "
      "krw_per_tco2e_gross, krw_per_tco2e_net; None where undefined), kpis, only_in_a, only_in_b, "
      "warnings (what makes the headline misleading, e.g. only one run modelled traffic), attribution "
      "(B − A split into interventions, grid factor and other background; docs/economics.md). "
      "a and b are results files, or FILE:RUN; attribution=False compares them as they are; "
      "counterfactual='FILE[:RUN]' gives the counterfactual run elsewhere.");

  m.def(
      "ingest",
      [](const py::object& data_files, const py::object& map, const py::object& output,
         const py::object& site, const std::string& time_zone, const std::string& stamps, int interval,
         int max_gap, bool unit_repair, const std::string& unit, int threads) {
        IngestRequest request;
        if (py::isinstance<py::str>(data_files) || py::hasattr(data_files, "__fspath__")) {
          request.data_files.push_back(fspath(data_files));
        } else {
          for (const py::handle item : data_files) request.data_files.push_back(fspath(item));
        }
        request.map_path = fspath(map);
        request.output = output.is_none() ? std::string() : fspath(output);
        request.site = site.is_none() ? std::string() : fspath(site);
        request.timezone = time_zone;
        request.stamps = stamps;
        request.interval_minutes = interval;
        request.max_gap = max_gap;
        request.unit_repair = unit_repair;
        request.unit = unit;
        request.threads = threads;
        // Ctrl-C stops it between files, meters and phases (KeyboardInterrupt, nothing written).
        const std::string json = interruptible([&](const std::function<bool()>& cancelled) {
          IngestRequest with_stop = request;
          with_stop.cancelled = cancelled;
          return ingest_report_json(sandan::ingest(with_stop));
        });
        return py::module_::import("json").attr("loads")(json);
      },
      py::arg("data_files"), py::kw_only(), py::arg("map"), py::arg("output") = py::none(),
      py::arg("site") = py::none(), py::arg("timezone") = "", py::arg("stamps") = "auto",
      py::arg("interval") = 0, py::arg("max_gap") = 4, py::arg("unit_repair") = true, py::arg("unit") = "",
      py::arg("threads") = 0,
      "Ingest measured meter data, as `sandan ingest DATA... --map MAP -o OUTPUT --json`: reads the CSV "
      "files (one path or a list), checks their quality, maps each meter to the layout (site: default "
      "gis_data/incheon.gpkg above the mapping file) and writes the measured file when output is given. "
      "Returns the report as a dict: map, site, timezone, files, meters (rows, first, end, interval, "
      "stamps and why, unit, totals, expected annual energy, findings) and summary. Raises "
      "BadInputError for bad input (nothing is written). Ctrl-C stops it between files, meters and "
      "phases and raises KeyboardInterrupt (nothing is written).");

  m.def(
      "forecast",
      [](const py::object& calibration, const py::object& measured, const std::string& start, int hours,
         const py::object& output, const py::object& weather, const py::object& holidays,
         const py::object& site) {
        const auto path_or_empty = [](const py::object& p) {
          return p.is_none() ? std::string() : fspath(p);
        };
        ForecastRequest request;
        request.calibration = fspath(calibration);
        request.measured = fspath(measured);
        request.from = start;
        request.hours = hours;
        request.output = path_or_empty(output);
        request.weather = path_or_empty(weather);
        request.holidays = path_or_empty(holidays);
        request.site = path_or_empty(site);
        // Ctrl-C stops it between files, facilities and phases (KeyboardInterrupt, nothing written).
        auto made = interruptible([&](const std::function<bool()>& cancelled) {
          ForecastRequest with_stop = request;
          with_stop.cancelled = cancelled;
          Forecast result = forecast_files(with_stop, "sandan.forecast (Python)");
          std::string text = forecast_json(result, request.output);
          return std::pair<Forecast, std::string>(std::move(result), std::move(text));
        });
        const Forecast& f = made.first;
        const std::string& json = made.second;
        py::dict out = py::module_::import("json").attr("loads")(json);
        // The series as arrays: [entity, hour], float64 kW, NaN where missing.
        py::module_ np = py::module_::import("numpy");
        const py::object first = np.attr("datetime64")(std::to_string(f.year) + "-01-01T00", "h") +
                                 np.attr("timedelta64")(f.from_hour, "h");
        out["time"] = first + np.attr("arange")(f.hours).attr("astype")("timedelta64[h]");
        const auto stack = [&](const std::vector<ForecastSeries>& series,
                               std::vector<double> ForecastSeries::*member) {
          py::array_t<double> array(
              {static_cast<py::ssize_t>(series.size()), static_cast<py::ssize_t>(f.hours)});
          double* data = array.mutable_data();
          for (const ForecastSeries& s : series)
            data = std::copy((s.*member).begin(), (s.*member).end(), data);
          return array;
        };
        for (const auto& [prefix, series] :
             {std::pair{std::string(), &f.facilities}, std::pair{std::string("complex_"), &f.complexes}}) {
          std::vector<std::string> ids;
          for (const ForecastSeries& s : *series) ids.push_back(s.id);
          out[py::str(prefix.empty() ? "facility" : "complex")] = ids;
          out[py::str(prefix + "forecast_kw")] = stack(*series, &ForecastSeries::forecast_kw);
          out[py::str(prefix + "model_kw")] = stack(*series, &ForecastSeries::model_kw);
          out[py::str(prefix + "measured_kw")] = stack(*series, &ForecastSeries::measured_kw);
          out[py::str(prefix + "persistence_day_kw")] = stack(*series, &ForecastSeries::persistence_day_kw);
          out[py::str(prefix + "persistence_week_kw")] = stack(*series, &ForecastSeries::persistence_week_kw);
        }
        py::array_t<double> meter(
            {static_cast<py::ssize_t>(f.complexes.size()), static_cast<py::ssize_t>(f.hours)});
        std::copy(f.complex_meter_kw.begin(), f.complex_meter_kw.end(), meter.mutable_data());
        out["complex_meter_kw"] = meter;
        return out;
      },
      py::arg("calibration"), py::kw_only(), py::arg("measured"), py::arg("start"), py::arg("hours") = 48,
      py::arg("output") = py::none(), py::arg("weather") = py::none(), py::arg("holidays") = py::none(),
      py::arg("site") = py::none(),
      "Forecast the metered facilities of a calibration and their complexes, as `sandan forecast`: "
      "start is the first hour, KST (YYYY-MM-DD or YYYY-MM-DDTHH); weather, holidays and site default "
      "to the calibration's weather file and the repository's files. Returns the JSON of `sandan "
      "forecast --json` as a dict (from, hours, issued_at, correction_age_h, notes, complexes, "
      "facilities with their metrics by method, pv) plus arrays: time (datetime64[h], KST), facility "
      "and complex ids, and [entity, hour] float64 kW: forecast_kw, model_kw, measured_kw (NaN where "
      "none), persistence_day_kw, persistence_week_kw, the same with prefix complex_, and "
      "complex_meter_kw. Writes the /forecast file when output is given. Raises BadInputError for bad "
      "input, naming the file and the fix. Ctrl-C stops it between files, facilities and phases and "
      "raises KeyboardInterrupt (nothing is written).");

  m.def(
      "calibrate",
      [](const py::object& measured, const py::object& site, const py::object& output,
         const py::object& holdout, const py::object& weather, const py::object& holidays,
         const py::object& loads, const std::optional<int>& year, int threads) {
        CalibrateFiles files;
        files.measured = fspath(measured);
        files.site = fspath(site);
        files.output = output.is_none() ? std::string() : fspath(output);
        files.weather = weather.is_none() ? std::string() : fspath(weather);
        files.holidays = holidays.is_none() ? std::string() : fspath(holidays);
        files.loads = loads.is_none() ? std::string() : fspath(loads);
        CalibrationOptions options;
        options.year = year;
        options.threads = threads;
        if (!holdout.is_none()) {
          options.holdout_text = py::str(holdout);
          options.holdout = parse_holdout(options.holdout_text);
          if (!options.holdout) {
            throw Error(ErrorCode::kBadInput, "holdout " + options.holdout_text +
                                                  ": must be FROM/TO, two dates YYYY-MM-DD with FROM <= TO, "
                                                  "e.g. 2018-08-01/2018-09-30");
          }
        }
        // Ctrl-C stops it between files, fits and meters (KeyboardInterrupt, nothing written).
        const std::string json = interruptible([&](const std::function<bool()>& cancelled) {
          CalibrationOptions with_stop = options;
          with_stop.cancelled = cancelled;
          return calibration_json(calibrate_files(files, with_stop).report);
        });
        return py::module_::import("json").attr("loads")(json);
      },
      py::arg("measured"), py::kw_only(), py::arg("site"), py::arg("output") = py::none(),
      py::arg("holdout") = py::none(), py::arg("weather") = py::none(), py::arg("holidays") = py::none(),
      py::arg("loads") = py::none(), py::arg("year") = py::none(), py::arg("threads") = 0,
      "Calibrate the layout's facilities to a measured file, as `sandan calibrate MEASURED --site SITE -o "
      "OUTPUT --json`: facility meters get a fitted model (day type x hour base load, change-point heating "
      "and cooling), feeder/substation/complex meters scale their facilities' archetypes, PV meters give a "
      "yield factor. holdout is 'FROM/TO' (inclusive dates) judged out of sample; weather, holidays and "
      "loads default to the gis_data files beside or above the layout; year defaults to the year holding "
      "most data. Writes the calibration file when output is given. Returns the report as a dict: measured, "
      "weather, year, holdout, notes, meters (fitted figures and ASHRAE Guideline 14 NMBE and CV(RMSE) "
      "before and after, in sample and on the holdout). Raises BadInputError for bad input (nothing is "
      "written). Ctrl-C stops it between files, fits and meters and raises KeyboardInterrupt (nothing is "
      "written).");

  m.def(
      "kpi_catalogue",
      [] {
        py::list out;
        for (const KpiInfo& k : sandan::kpi_catalogue()) {
          py::dict row;
          row["key"] = std::string(k.key);
          row["unit"] = std::string(k.unit);
          row["model"] = to_string(k.model);
          row["aggregation"] = to_string(k.aggregation);
          row["per_complex"] = k.per_complex;
          row["in_index"] = k.in_index;
          row["description"] = std::string(k.description);
          out.append(row);
        }
        return out;
      },
      "Every KPI a run can report, in the order runs report them: dicts with key, unit, model (energy, "
      "grid, traffic, emissions, costs), aggregation (how the 'all' row is formed: sum, peak_of_sum, "
      "ratio_of_sums, worst, whole_run), per_complex, in_index (a column of /index) and description. "
      "sandan.KPI holds the keys.");
}
