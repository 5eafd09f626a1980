// mpi/batch_group: the ranks of an MPI job as the processes of one batch (sandan::BatchGroup). The
// only code that includes mpi.h; the engine and the facade know the BatchGroup interface only.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sandan.hpp"

namespace sandan::mpi {

// MPI for the life of one object: MPI_Init_thread on construction (MPI_THREAD_SERIALIZED: a batch's
// threads call next() one at a time, and rank 0's counter thread is the only one that calls MPI
// while the runs are made), MPI_Finalize on destruction. Rank 0 leads.
//
// The runs are handed out by a counter at rank 0, served by a thread of rank 0 over point-to-point
// messages. One-sided MPI_Fetch_and_op would be simpler, but where Open MPI emulates it (osc/pt2pt,
// e.g. between nodes over TCP) a draw waits until rank 0 itself enters MPI, which it does not do
// while it computes a run; and osc/pt2pt refuses the MPI_THREAD_MULTIPLE a progress thread would need.
// Messages need neither: the counter thread answers within about a millisecond on any network.
class Group final : public BatchGroup {
 public:
  // Throws Error(kInternal) if MPI cannot give MPI_THREAD_SERIALIZED.
  Group(int* argc, char*** argv);
  ~Group() override;
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  std::optional<Failure> agree(const std::optional<Failure>& mine) override;
  std::string broadcast(const std::string& from_leader) override;
  std::vector<std::string> gather(const std::string& mine) override;
  void start_runs(std::size_t total) override;
  std::optional<std::size_t> next() override;
  [[nodiscard]] std::size_t handed_out() const override;
  void end_runs() override;

 private:
  void serve();  // rank 0's counter thread
  // Waits for a non-blocking collective by polling with short sleeps: a rank that waits for the
  // others must not take a core from the ranks still computing (blocking MPI calls spin).
  void wait(void* request) const;

  int rank_ = 0;
  int size_ = 1;
  bool finalize_ = false;
  // The counter (rank 0): the next index to hand out, of total_; stop_ hands out no more.
  mutable std::mutex mutex_;
  std::size_t counter_ = 0;
  std::size_t total_ = 0;
  bool stop_ = false;
  std::thread server_;
  // Ranks other than 0: once told none is left, they stop asking.
  bool exhausted_ = false;
};

}  // namespace sandan::mpi
