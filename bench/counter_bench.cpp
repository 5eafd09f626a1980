// MPI counter benchmark: the round trip of drawing a run (sandan::mpi::Group::next) from every rank
// but 0, while rank 0 computes without calling MPI, as it does in a batch (its counter thread answers).
// Each rank draws until the DRAWS indices are handed out; rank 0 prints each rank's draws and mean
// and worst round trip.
//
// Usage: mpirun -n N bench_mpi_counter [DRAWS]   (default 2000)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "mpi/batch_group.hpp"

int main(int argc, char** argv) {
  sandan::mpi::Group group(&argc, &argv);
  const std::size_t draws = argc > 1 ? std::stoul(argv[1]) : 2000;
  group.start_runs(draws);
  int mine = 0;
  double total_us = 0.0;
  double worst_us = 0.0;
  if (group.rank() == 0) {
    // Busy, like a run: no MPI call until every index is handed out.
    volatile double sink = 0.0;
    while (group.handed_out() < draws) {
      for (int i = 0; i < 100000; ++i) sink = sink + std::sin(i);
    }
  } else {
    for (;;) {
      const auto start = std::chrono::steady_clock::now();
      const auto index = group.next();
      const double us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (!index) break;
      ++mine;
      total_us += us;
      worst_us = std::max(worst_us, us);
    }
  }
  group.end_runs();
  char line[128];
  std::snprintf(line, sizeof line, "rank %d: %d draws, mean %.1f us, worst %.0f us", group.rank(), mine,
                mine > 0 ? total_us / mine : 0.0, worst_us);
  const auto lines = group.gather(line);
  if (group.rank() == 0) {
    std::printf("%zu draws from %d ranks while rank 0 computes\n", draws, group.size() - 1);
    for (std::size_t r = 1; r < lines.size(); ++r) std::printf("  %s\n", lines[r].c_str());
  }
  return 0;
}
