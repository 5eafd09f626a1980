// sandan: the command a user runs. It parses every subcommand's options (so --help, --version and
// usage errors are answered here), solves `powerflow`, `assign` and `dnl CASE` itself, and hands every other
// subcommand to `sandan-full` beside it by exec: the same process, arguments, standard streams,
// environment (an MPI launcher's too) and exit code. This program links only sandan::solvers: no GDAL,
// PROJ or HDF5, whose few hundred milliseconds of loading a case solver does not need
// (docs/architecture.md, "Two programs").
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "sandan_solvers.hpp"
#include "solver_commands.hpp"

namespace {

// Replaces this process with sandan-full from the folder this program is in. Returns only on failure.
int exec_full(char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path full =
      (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "sandan-full";
  ::execv(full.c_str(), argv);
  std::cerr << "sandan: internal error: cannot start " << full.string() << " (" << std::strerror(errno)
            << "); it is installed beside sandan: rebuild or reinstall sandan\n";
  return static_cast<int>(sandan::ErrorCode::kInternal);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sandan::cli;
  return guarded([&] {
    const Launch launch = launch_from_environment();
    App cli;
    // Every rank of a launcher would print the same usage error: rank 0 does, and exits with its
    // code. The others exit 0, so that the launcher does not end the job before rank 0 has spoken.
    if (const auto code = cli.parse(argc, argv, launch.rank != 0)) return launch.rank == 0 ? *code : 0;
    const bool dnl_case = *cli.dnl_cmd && cli.dnl.scenario.empty();
    if (!*cli.powerflow_cmd && !*cli.assign_cmd && !dnl_case) return exec_full(argv);
    // A case is solved once, by rank 0, under a launcher.
    if (launch.rank != 0) return 0;
    if (dnl_case) return run_dnl(cli.dnl);
    return *cli.powerflow_cmd ? run_powerflow(cli.powerflow) : run_assign(cli.assign);
  });
}
