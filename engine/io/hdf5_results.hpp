// io/hdf5_results: writes runs to an HDF5 file of schema `sandan-results` version 1
// (docs/results-schema.md). Every group carries its own coordinate datasets as HDF5 dimension
// scales, so `xarray.open_dataset(path, group="runs/<id>/energy", engine="h5netcdf")` opens it with
// named dimensions and decoded times. The file is built under a temporary name and appears under
// its final name only when commit() succeeds.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "scenario/results.hpp"

namespace sandan {

// How the hourly series ([entity × hour] float32) are stored. The defaults are what sandan writes;
// the others exist so that benchmarks can measure the write paths side by side.
struct SeriesStorage {
  // Chunks whose values are all +0 are not written (reads return the fill value 0), and a series
  // bit-for-bit equal to one written before it in the same group is a virtual dataset mapping that
  // one (no data of its own); recorded in the group's attribute `deduplicated`.
  bool deduplicate = true;
  // Byte planes whose order-0 entropy exceeds 7.5 bits a byte (the low mantissa bytes of noisy
  // values: deflate cannot shrink them) go into the deflate stream as stored blocks, the others are
  // deflated with level 1 and run-length matching. false: level 1 over the whole chunk (the earlier
  // path). Both give standard shuffle + deflate chunks that every HDF5 reader inflates.
  bool store_random_planes = true;
  // Entities (facilities, buses, ...) a chunk; a chunk holds the whole year of each.
  std::size_t entities_per_chunk = 32;
  // Threads compressing chunks; 0: OpenMP's count (OMP_NUM_THREADS, else every core), also when
  // the write is called from inside a parallel region (a batch's workers).
  int threads = 0;
};

// What a batch's results file holds besides its runs (either may be null).
struct BatchAnalyses {
  const UncertaintyAnalysis* uncertainty = nullptr;
  const MaccAnalysis* macc = nullptr;
};

class Hdf5ResultFile : public ResultSink {
 public:
  // command: the command line that made the file, stored as an attribute. Throws Error(kIo) if the
  // temporary file cannot be created.
  Hdf5ResultFile(const std::string& path, const std::string& command, const SeriesStorage& options = {});
  ~Hdf5ResultFile() override;  // without commit(): removes the temporary file
  Hdf5ResultFile(const Hdf5ResultFile&) = delete;
  Hdf5ResultFile& operator=(const Hdf5ResultFile&) = delete;

  // Writes /runs/<run_id>/... Throws Error(kIo) on failure, Error(kBadInput) for a repeated run id.
  void write(const RunResult& run) override;
  // Copies /runs/<run_id> and its /index row from another results file (a batch's part file).
  void copy_run(const std::string& source_path, const std::string& run_id);
  // An uncertainty batch's analysis, written as /uncertainty (and /sensitivity) at commit.
  void set_uncertainty(const UncertaintyAnalysis& analysis);
  // A MACC batch's curve, written as /macc at commit.
  void set_macc(const MaccAnalysis& analysis);
  // Writes /index, closes the file and renames it onto the final path. Throws Error(kIo).
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A batch's results. Each run is written, as it finishes, to a file of its own in the folder
// `<path>.parts` (under a temporary name, renamed when complete); commit() merges them into `path`
// in the batch's order and removes the folder. A batch that stops keeps its finished runs there: run
// again, finished() lists them so they are skipped. `fingerprint` (the batch's resolved scenario) is
// kept in the folder; parts of another scenario are refused (Error kBadInput).
//
// write() may be called from several threads at once (each run is its own part file; the HDF5
// library is thread-safe, and when it is not, writes take turns).
class Hdf5BatchFile : public ResultSink {
 public:
  // Removes what killed writers left in the parts folder (part files under temporary names). A parts
  // folder without a finished run is taken over whatever scenario made it; one with finished runs is
  // resumed only if its scenario.yaml holds `fingerprint` (Error(kBadInput) otherwise, also when it
  // has no scenario.yaml).
  Hdf5BatchFile(const std::string& path, const std::string& command, const std::string& fingerprint,
                const SeriesStorage& storage = {});
  // Without commit(): a parts folder holding no finished run is removed (nothing to resume).
  ~Hdf5BatchFile() override;
  Hdf5BatchFile(const Hdf5BatchFile&) = delete;
  Hdf5BatchFile& operator=(const Hdf5BatchFile&) = delete;
  [[nodiscard]] std::set<std::string> finished() const;
  void write(const RunResult& run) override;
  // Parts are compressed on the calling thread and only the HDF5 calls take turns.
  [[nodiscard]] bool concurrent() const override { return true; }
  // The part file of a finished run.
  [[nodiscard]] std::string part_path(const std::string& run_id) const;
  // Merges the parts; stops with Error(kInterrupted) between runs on SIGINT or SIGTERM (the parts are
  // kept, the temporary merged file removed).
  void commit(const std::vector<std::string>& run_order, const BatchAnalyses& analyses = {});

 private:
  std::string path_;
  std::string command_;
  std::string parts_;
  SeriesStorage storage_;
  bool serialise_ = false;  // the HDF5 library is not thread-safe
  bool committed_ = false;
  std::mutex mutex_;
};

}  // namespace sandan
