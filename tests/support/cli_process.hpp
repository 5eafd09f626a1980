// Helpers of the integration tests that start `sandan` in the background, signal or kill it, and
// inspect what it left in its folder (test_output_safety.cpp, test_crash_safety.cpp). The tests that
// include this header link sandan::io (for the KPI comparison).
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "io/compare.hpp"
#include "support/fixtures.hpp"

extern char** environ;

namespace sandan::test {

// `sandan ARGS` run to its end in `scratch` (SANDAN_EXE: the CLI of the build, defined by the tests that
// include this header).
inline Command sandan_cli(const std::string& args, const TempDir& scratch) {
  return run_command(std::string(SANDAN_EXE) + " " + args, scratch);
}

// The 30-run sweep of scenarios/sweep_pv_battery.yaml on the small `local` complex, energy only, so
// that a batch takes seconds; its interventions are moved onto that complex. `source` is the
// repository's folder.
inline void write_short_sweep(const TempDir& dir, const std::string& source) {
  write_text(dir.path() / "parent.yaml", "extends: " + source +
                                             "/scenarios/sweep_pv_battery.yaml\n"
                                             "complexes: [local]\nmodels: [energy]\n");
  write_text(
      dir.path() / "sweep.yaml",
      "extends: parent.yaml\nname: short\n"
      "interventions:\n"
      "  - rooftop_pv: {complexes: [local], roof_share: 0.6, min_roof_m2: 1000}\n"
      "  - battery: {at: \"complex:local\", energy_kwh: 2000, power_kw: 500, strategy: peak_shaving}\n");
}

// Names in a folder, with those of the folders below it ("a.parts/x.h5").
inline std::set<std::string> listing(const std::filesystem::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    names.insert(std::filesystem::relative(entry.path(), folder).string());
  return names;
}

inline bool any_temporary(const std::filesystem::path& folder) {
  const auto names = listing(folder);
  return std::any_of(names.begin(), names.end(),
                     [](const std::string& n) { return n.find(".tmp-") != std::string::npos; });
}

// `EXE ARGS` started in the background in `dir`, stdout and stderr to LOG.out and LOG.err there;
// SIGINT is delivered to it as to a program started in a terminal (not ignored as for a shell's `&`).
// The shell execs the program, so the process id returned is the program's.
inline pid_t start_program(const std::string& exe, const std::vector<std::string>& args, const TempDir& dir,
                           const std::string& log) {
  std::string command = "cd " + dir.str() + " && exec " + exe;
  for (const auto& a : args) command += " " + a;
  command += " >" + dir.str(log + ".out") + " 2>" + dir.str(log + ".err");
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  std::string sh = "/bin/sh";
  std::string dash_c = "-c";
  std::vector<char*> argv{sh.data(), dash_c.data(), command.data(), nullptr};
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, "/bin/sh", nullptr, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  REQUIRE(failed == 0);
  return pid;
}

// The wait status of a child (as waitpid gives it).
inline int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

inline int wait_exit_code(pid_t pid) {
  const int status = wait_status(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The number of finished runs in a batch's parts folder (a part under a temporary name ends in
// ".tmp-<pid>", not ".h5").
inline std::size_t finished_parts(const std::filesystem::path& parts) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(parts, ec))
    n += entry.path().extension() == ".h5" ? 1 : 0;
  return n;
}

// Waits (at most a minute, polling every `poll`) until the batch's parts folder holds `count`
// finished runs, or the process `pid` (when given) has ended; true if the parts are there.
inline bool wait_for_parts(const std::filesystem::path& parts, std::size_t count, pid_t pid = -1,
                           std::chrono::microseconds poll = std::chrono::milliseconds(50)) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < until) {
    if (finished_parts(parts) >= count) return true;
    // Ended (left unreaped, for the caller to wait for): no more parts will come.
    siginfo_t info{};
    if (pid > 0 && ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid)
      return finished_parts(parts) >= count;
    std::this_thread::sleep_for(poll);
  }
  return false;
}

// Waits (at most a minute, polling every `poll`) until `path` exists, or the process `pid` has ended;
// true if it exists.
inline bool wait_for_path(const std::filesystem::path& path, pid_t pid, std::chrono::microseconds poll) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < until) {
    if (std::filesystem::exists(path)) return true;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid)
      return std::filesystem::exists(path);
    std::this_thread::sleep_for(poll);
  }
  return false;
}

inline bool wait_for_first_part(const std::filesystem::path& parts) { return wait_for_parts(parts, 1); }

// A process id that no longer runs: a child that exited and was reaped.
inline pid_t gone_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// Every run of `file` has exactly the KPIs of the same run of `reference`, and both hold the same
// runs: each run is independent of the others and of the thread count (scenario/runner.hpp), so a
// resumed batch is the same batch.
inline void check_same_kpis(const std::string& file, const std::string& reference) {
  CAPTURE(file);
  const std::vector<std::string> runs = sandan::list_runs(file);
  REQUIRE(runs == sandan::list_runs(reference));
  for (std::string run : runs) {
    std::string same = run;
    const auto got = sandan::read_run_kpis(file, run);
    const auto expected = sandan::read_run_kpis(reference, same);
    REQUIRE(got.size() == expected.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
      CAPTURE(got[k].key);
      CHECK(got[k].key == expected[k].key);
      CHECK(
          ((std::isnan(got[k].value) && std::isnan(expected[k].value)) || got[k].value == expected[k].value));
    }
  }
}

}  // namespace sandan::test
