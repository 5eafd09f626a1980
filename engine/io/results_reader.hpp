// io/results_reader: reads a results file (schema sandan-results, docs/results-schema.md) back: its
// runs, which run a FILE[:RUN] names, a run's KPI table, and its datasets and attributes by path.
// Every failure is bad input naming the file, since the user passed it. HDF5 stays in the .cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/compare.hpp"

namespace sandan {

class ResultsReader {
 public:
  // Opens the file and checks its root attribute schema. Throws Error(kBadInput) naming the file if
  // it is missing, unreadable, not HDF5, not a sandan results file or of another schema version.
  explicit ResultsReader(const std::string& path);
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;
  ResultsReader(ResultsReader&&) = delete;
  ResultsReader& operator=(ResultsReader&&) = delete;

  [[nodiscard]] const std::string& path() const;

  // The run ids, in name order.
  [[nodiscard]] std::vector<std::string> runs() const;

  // The run `run` names: itself if the file holds it, the file's only run if `run` is empty. Throws
  // Error(kBadInput) for a file without runs, an unknown run, or an empty run in a file of several
  // runs (the message lists the file's runs).
  [[nodiscard]] std::string select_run(const std::string& run) const;

  // Checks the structure of run `run` that compare and export rely on, without reading its series:
  // the KPI table (columns of one length, no key repeated for a complex), the energy group (its
  // coordinates time, facility and complex; every [facility × time] and [complex × time] series and
  // every [facility] column of their lengths), and the scenario attribute (YAML, if present). Throws
  // Error(kBadInput) naming the file, the run and the dataset.
  void check_run(const std::string& run) const;

  // The rows of /runs/<run>/kpi, in the file's order; Error(kBadInput) if a key repeats for a complex.
  [[nodiscard]] std::vector<KpiRow> kpis(const std::string& run) const;

  // Whether a group or dataset exists, e.g. "runs/baseline/traffic".
  [[nodiscard]] bool exists(const std::string& object) const;

  // A string attribute of a group or dataset; empty if there is none.
  [[nodiscard]] std::optional<std::string> string_attribute(const std::string& object,
                                                            const std::string& name) const;

  // A numeric (integer or floating) scalar attribute as a double; empty if there is none.
  [[nodiscard]] std::optional<double> number_attribute(const std::string& object,
                                                       const std::string& name) const;

  // The shape of a dataset without reading it.
  [[nodiscard]] std::vector<std::size_t> shape(const std::string& dataset) const;

  // The names of the links in a group, in name order.
  [[nodiscard]] std::vector<std::string> members(const std::string& group) const;

  // A one-dimensional dataset of strings.
  [[nodiscard]] std::vector<std::string> strings(const std::string& dataset) const;

  // A dataset of numbers of any shape, in row-major order, converted to double or float; `dims`, if
  // given, receives its shape.
  [[nodiscard]] std::vector<double> numbers(const std::string& dataset,
                                            std::vector<std::size_t>* dims = nullptr) const;
  [[nodiscard]] std::vector<float> floats(const std::string& dataset,
                                          std::vector<std::size_t>* dims = nullptr) const;

  // Rows [first_row, first_row + rows) of a two-dimensional dataset of numbers as float, row-major;
  // `columns` receives the row length. Reading a large [entity × time] series a block of rows at a
  // time keeps memory bounded.
  [[nodiscard]] std::vector<float> float_rows(const std::string& dataset, std::size_t first_row,
                                              std::size_t rows, std::size_t& columns) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sandan
