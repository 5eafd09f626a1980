// The crash-safety suite (docs/reliability.md, "Crash-safety suite"): `sandan run` killed outright
// (SIGKILL) at seeded random points of a single run, of a batch and of its merge, and stopped by
// SIGINT/SIGTERM at random points of a single run; after each, nothing is under the output's name
// unless complete, and the same command run again resumes to the KPIs of an uninterrupted run with
// nothing left behind. A batch whose sweep, Monte Carlo seed, distribution or weather file changed,
// or whose parts lost the scenario.yaml naming their batch, is refused rather than resumed; a
// second, different batch writing the same output is refused by the lock; a batch into a folder that
// cannot be written is refused before any run.
//
// The kill points are drawn from a fixed-seed std::mt19937 over the measured duration of an
// uninterrupted run of the same command, so they fall at the start, in the runs, in the merge and
// around the final rename; which stage each one hits depends on the machine's speed, and every check
// holds wherever it lands.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/cli_process.hpp"
#include "support/fixtures.hpp"

using namespace sandan::test;
namespace fs = std::filesystem;

namespace {

const std::string kSource = SANDAN_SOURCE_DIR;

pid_t start_sandan(const std::vector<std::string>& args, const TempDir& dir, const std::string& log) {
  return start_program(SANDAN_EXE, args, dir, log);
}

// One run (no batch) of the baseline on the small `local` complex, energy only: under a second.
void write_single(const TempDir& dir) {
  write_text(dir.path() / "single.yaml", "extends: " + kSource +
                                             "/scenarios/baseline.yaml\n"
                                             "name: single\ncomplexes: [local]\nmodels: [energy]\n");
}

// Runs `args` to its end in the background (as the killed runs are started) and returns how long it
// took, the span the kill points are drawn from.
double measured_seconds(const std::vector<std::string>& args, const TempDir& dir, const std::string& log) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = start_sandan(args, dir, log);
  const int code = wait_exit_code(pid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(read_text_file(dir.path() / (log + ".err")));
  REQUIRE(code == 0);
  return seconds;
}

// `count` delays in [0, span_s) from a fixed-seed Mersenne Twister (its output is fixed by the
// standard, unlike the distributions'), so every machine draws the same fractions of the span.
std::vector<double> kill_delays(std::size_t count, double span_s, unsigned seed) {
  std::mt19937 generator(seed);
  std::vector<double> delays;
  for (std::size_t i = 0; i < count; ++i)
    delays.push_back(static_cast<double>(generator()) / 4294967296.0 * span_s);
  return delays;
}

void sleep_seconds(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

// The file names and contents of a folder (recursively), for "untouched".
std::map<std::string, std::string> contents(const fs::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file())
      files[fs::relative(entry.path(), folder).string()] = read_text_file(entry.path());
  }
  return files;
}

// After a writer of `out` was killed or stopped: nothing is under the output's name unless it is
// complete, i.e. holds exactly the uninterrupted run's KPIs (a file is renamed to its name only after
// it was written and flushed whole).
void check_nothing_or_complete(const std::string& out, const std::string& reference) {
  if (fs::exists(out)) check_same_kpis(out, reference);
}

// The same command run again after a kill: exit 0, `resumed: K of N` when K finished parts were
// kept, nothing left but the output, which equals the uninterrupted one.
void check_rerun(const TempDir& dir, const std::string& args, const std::string& out,
                 const std::string& reference, std::size_t runs) {
  const std::size_t kept = finished_parts(out + ".parts");
  const Command rerun = sandan_cli(args, dir);
  INFO(rerun.err);
  CHECK(rerun.exit_code == 0);
  if (kept > 0) {
    CHECK(rerun.err.find("resumed: " + std::to_string(kept) + " of " + std::to_string(runs) + " runs") !=
          std::string::npos);
  } else {
    CHECK(rerun.err.find("resumed:") == std::string::npos);
  }
  CHECK_FALSE(any_temporary(dir.path()));
  CHECK_FALSE(fs::exists(out + ".parts"));
  CHECK_FALSE(fs::exists(out + ".lock"));
  check_same_kpis(out, reference);
  fs::remove(out);
}

// What a kill left, for the test's log: where the kill landed.
std::string left_by_kill(const std::string& out, bool batch) {
  if (fs::exists(out)) {
    return batch && fs::exists(out + ".parts") ? "after the rename, before the parts were removed"
                                               : "after the rename";
  }
  const std::string name = fs::path(out).filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(fs::path(out).parent_path())) {
    if (entry.path().filename().string().starts_with(name))
      return batch ? "during the merge" : "while the results were written";
  }
  if (!batch) return "before the results file was created";
  if (!fs::exists(out + ".parts")) return "before the batch made its parts folder";
  return "during the runs, " + std::to_string(finished_parts(out + ".parts")) + " parts finished";
}

// Waits for a writer of `out` that got SIGKILL, then checks what it left and that the same command
// (`args`, a batch of `runs` runs, 1 for a single run) resumes to `reference`; returns where the kill
// landed, for the log.
std::string after_kill(pid_t pid, const TempDir& dir, const std::string& args, const std::string& out,
                       const std::string& reference, std::size_t runs) {
  const int status = wait_status(pid);
  // Killed, or finished before the kill (then it ended well).
  CHECK(((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
         (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
  std::string landed = left_by_kill(out, runs > 1);
  check_nothing_or_complete(out, reference);
  check_rerun(dir, args, out, reference, runs);
  return landed;
}

// The same command after the batch changed, its parts kept: refused (exit 2) before any run, naming
// the parts folder; the parts byte-identical, no results file, lock or temporary file.
void check_resume_refused(const TempDir& dir, const std::string& args, const std::string& out,
                          const std::map<std::string, std::string>& parts_before) {
  const Command changed = sandan_cli(args, dir);
  INFO(changed.err);
  CHECK(changed.exit_code == 2);
  CHECK(changed.err.find(out + ".parts holds runs of another scenario") != std::string::npos);
  CHECK(changed.err.find("run 1 of") == std::string::npos);
  CHECK(contents(out + ".parts") == parts_before);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".lock"));
  CHECK_FALSE(any_temporary(dir.path()));
}

// The places the kills landed, one a line.
std::string lines(const std::vector<std::string>& texts) {
  std::string joined;
  for (const std::string& t : texts) joined += "\n  " + t;
  return joined;
}

}  // namespace

TEST_CASE(
    "SIGKILL at random points of a single run: nothing or the whole file, and the rerun is the same run") {
  TempDir dir("crash_single_kill");
  write_single(dir);
  const double span_s = measured_seconds({"run", "single.yaml", "-o", "whole.h5"}, dir, "whole");
  const std::string out = dir.str("one.h5");
  const std::string args = "run " + dir.str("single.yaml") + " -o " + out;
  std::vector<std::string> landed;
  for (const double delay_s : kill_delays(5, span_s, 20261205)) {
    CAPTURE(delay_s);
    const pid_t pid = start_sandan({"run", "single.yaml", "-o", "one.h5"}, dir, "killed");
    sleep_seconds(delay_s);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    landed.push_back(after_kill(pid, dir, args, out, dir.str("whole.h5"), 1));
  }
  MESSAGE("single run in " << span_s << " s; the kills landed:" << lines(landed));
}

TEST_CASE(
    "SIGINT or SIGTERM at random points of a single run: 130/143 or 0, no temporary, nothing unless "
    "complete") {
  TempDir dir("crash_single_signal");
  write_single(dir);
  const double span_s = measured_seconds({"run", "single.yaml", "-o", "whole.h5"}, dir, "whole");
  const std::string out = dir.str("one.h5");
  std::vector<std::string> endings;
  for (const auto& [signal, name, seed] : std::vector<std::tuple<int, std::string, unsigned>>{
           {SIGINT, "SIGINT", 130U}, {SIGTERM, "SIGTERM", 143U}}) {
    CAPTURE(name);
    for (const double delay_s : kill_delays(4, span_s, seed)) {
      CAPTURE(delay_s);
      const pid_t pid = start_sandan({"run", "single.yaml", "-o", "one.h5"}, dir, "signalled");
      sleep_seconds(delay_s);
      REQUIRE(::kill(pid, signal) == 0);
      const int status = wait_status(pid);
      const std::string err = read_text_file(dir.path() / "signalled.err");
      INFO(err);
      if (WIFSIGNALED(status)) {
        // The signal came before sandan installed its handler (while the shell or the loader ran):
        // its default action ended the process before anything was written.
        CHECK(WTERMSIG(status) == signal);
        CHECK_FALSE(fs::exists(out));
        endings.push_back(name + ": ended by the signal's default action");
      } else {
        REQUIRE(WIFEXITED(status));
        const int code = WEXITSTATUS(status);
        endings.push_back(name + ": exit " + std::to_string(code));
        if (code == 0) {
          // The signal came after the rename: the run was complete.
          check_same_kpis(out, dir.str("whole.h5"));
        } else {
          CHECK(code == 128 + signal);
          CHECK(err.find("stopped by " + name) != std::string::npos);
          CHECK_FALSE(fs::exists(out));
        }
      }
      CHECK_FALSE(any_temporary(dir.path()));
      CHECK_FALSE(fs::exists(out + ".lock"));
      fs::remove(out);
    }
  }
  MESSAGE("single run in " << span_s << " s; the signalled runs ended:" << lines(endings));
}

TEST_CASE("SIGKILL at random points of a batch and of its merge: the rerun resumes to the same KPIs") {
  TempDir dir("crash_batch_kill");
  write_short_sweep(dir, kSource);
  // 12 of the short sweep's runs (3 roof shares × 4 battery sizes), to keep the nine kills and
  // reruns short.
  write_text(dir.path() / "small.yaml",
             "extends: sweep.yaml\n"
             "sweep:\n"
             "  interventions[0].rooftop_pv.roof_share: [0, 0.5, 1.0]\n"
             "  zip:\n"
             "    interventions[1].battery.energy_kwh: [0, 1000, 2000, 4000]\n"
             "    interventions[1].battery.power_kw: [0, 250, 500, 1000]\n");
  const std::vector<std::string> command{"run", "small.yaml", "-j", "2", "-o", "cut.h5"};
  const double span_s = measured_seconds({"run", "small.yaml", "-j", "2", "-o", "whole.h5"}, dir, "whole");
  REQUIRE(sandan::list_runs(dir.str("whole.h5")).size() == 12);
  const std::string out = dir.str("cut.h5");
  const std::string args = "run " + dir.str("small.yaml") + " -j 2 -o " + out;

  std::vector<std::string> landed;
  for (const double delay_s : kill_delays(6, span_s, 30)) {
    CAPTURE(delay_s);
    const pid_t pid = start_sandan(command, dir, "killed");
    sleep_seconds(delay_s);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    landed.push_back(after_kill(pid, dir, args, out, dir.str("whole.h5"), 12));
  }

  // Aimed kills, each as soon as what it waits for appears (polled every 2 ms): the 12th part (between
  // the runs and the merge), the merged file under its temporary name cut.h5.tmp-<pid> (in the
  // merge), and the merged file under its final name (after the rename: it must be complete).
  enum class Aim { kLastPart, kMerge, kRename };
  for (const Aim aim : {Aim::kLastPart, Aim::kMerge, Aim::kRename}) {
    CAPTURE(static_cast<int>(aim));
    const pid_t pid = start_sandan(command, dir, "merge");
    // A target that came and went between two polls (the test's thread not scheduled meanwhile) is a
    // missed aim, not a failure: the kill then lands later, and the checks hold all the same.
    bool hit = false;
    if (aim == Aim::kLastPart) {
      hit = wait_for_parts(out + ".parts", 12, pid, std::chrono::milliseconds(2));
    } else {
      const std::string target = aim == Aim::kMerge ? out + ".tmp-" + std::to_string(pid) : out;
      hit = wait_for_path(target, pid, std::chrono::milliseconds(2));
    }
    REQUIRE(::kill(pid, SIGKILL) == 0);
    if (!hit) landed.push_back("(the aimed kill missed its target)");
    landed.push_back(after_kill(pid, dir, args, out, dir.str("whole.h5"), 12));
  }

  MESSAGE("batch of 12 runs in " << span_s << " s; the kills landed:" << lines(landed));
}

TEST_CASE(
    "a batch whose sweep, Monte Carlo seed or distribution changed is refused, then the original resumes") {
  TempDir dir("crash_changed");
  write_short_sweep(dir, kSource);
  write_single(dir);
  const std::string sweep_values =
      "sweep:\n"
      "  interventions[0].rooftop_pv.roof_share: [0, 0.25, 0.5, 0.75, 1.0]\n"
      "  zip:\n"
      "    interventions[1].battery.energy_kwh: [0, 1000, 2000, 4000]\n"
      "    interventions[1].battery.power_kw: [0, 250, 500, 1000]\n";
  const std::string uncertainty =
      "uncertainty:\n  method: monte_carlo\n  samples: 20\n  seed: 7\n  inputs:\n";
  struct Case {
    std::string what, original, changed;
    std::size_t runs;
  };
  for (const Case& c : std::vector<Case>{
           // Another value of the roof share, as many (5 × 4 = 20 runs either way).
           {"the sweep's values", "extends: sweep.yaml\n" + sweep_values,
            "extends: sweep.yaml\n" + std::string(sweep_values).replace(sweep_values.find("0.5"), 3, "0.4"),
            20},
           {"the Monte Carlo seed", "extends: single.yaml\nmonte_carlo: {runs: 20, seed: 42}\n",
            "extends: single.yaml\nmonte_carlo: {runs: 20, seed: 43}\n", 20},
           {"the distribution",
            "extends: single.yaml\n" + uncertainty +
                "    load_growth: {dist: uniform, min: 0.95, max: 1.05}\n",
            "extends: single.yaml\n" + uncertainty +
                "    load_growth: {dist: triangular, min: 0.95, mode: 1.0, max: 1.05}\n",
            20},
       }) {
    CAPTURE(c.what);
    write_text(dir.path() / "batch.yaml", c.original);
    const std::string out = dir.str("out.h5");
    const std::string args = "run " + dir.str("batch.yaml") + " -j 1 -o " + out;

    // The batch stopped after its first part.
    const pid_t pid = start_sandan({"run", "batch.yaml", "-j", "1", "-o", "out.h5"}, dir, "first");
    REQUIRE(wait_for_parts(out + ".parts", 1, pid));
    REQUIRE(::kill(pid, SIGTERM) == 0);
    REQUIRE(wait_exit_code(pid) == 143);
    const std::size_t kept = finished_parts(out + ".parts");
    REQUIRE(kept >= 1);
    REQUIRE(kept < c.runs);
    const auto parts_before = contents(out + ".parts");

    // The scenario changed, its run count not: the kept parts are of another batch.
    write_text(dir.path() / "batch.yaml", c.changed);
    check_resume_refused(dir, args, out, parts_before);

    // The original scenario again: it resumes, to the file an uninterrupted batch writes.
    write_text(dir.path() / "batch.yaml", c.original);
    const Command whole = sandan_cli("run " + dir.str("batch.yaml") + " -j 2 -o " + dir.str("whole.h5"), dir);
    REQUIRE(whole.exit_code == 0);
    const Command resumed = sandan_cli(args, dir);
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.err.find("resumed: " + std::to_string(kept) + " of " + std::to_string(c.runs) + " runs") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(out + ".parts"));
    CHECK_FALSE(fs::exists(out + ".lock"));
    CHECK_FALSE(any_temporary(dir.path()));
    check_same_kpis(out, dir.str("whole.h5"));
    fs::remove(out);
    fs::remove(dir.path() / "whole.h5");
  }
}

TEST_CASE("a batch whose weather file changed in content, its name and scenario not, is refused") {
  // The scenario's text is the same, but a file it reads is not: the kept runs were computed from
  // the old weather and would be merged with runs of the new one.
  TempDir dir("crash_changed_input");
  write_short_sweep(dir, kSource);
  fs::copy_file(kSource + "/gis_data/weather/incheon_synthetic.epw", dir.path() / "w.epw");
  const std::string weather = read_text_file(dir.path() / "w.epw");
  write_text(dir.path() / "batch.yaml",
             "extends: sweep.yaml\nweather: w.epw\n"
             "sweep:\n"
             "  interventions[0].rooftop_pv.roof_share: [0, 0.25, 0.5, 0.75, 1.0]\n"
             "  zip:\n"
             "    interventions[1].battery.energy_kwh: [0, 1000, 2000, 4000]\n"
             "    interventions[1].battery.power_kw: [0, 250, 500, 1000]\n");
  const std::string out = dir.str("out.h5");
  const std::string args = "run " + dir.str("batch.yaml") + " -j 1 -o " + out;
  // The scenario named as the reruns name it: its resolved text holds the weather's path as given.
  const pid_t pid = start_sandan({"run", dir.str("batch.yaml"), "-j", "1", "-o", out}, dir, "first");
  REQUIRE(wait_for_parts(out + ".parts", 1, pid));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  REQUIRE(wait_exit_code(pid) == 143);
  const std::size_t kept = finished_parts(out + ".parts");
  REQUIRE(kept >= 1);
  REQUIRE(kept < 20);
  const auto parts_before = contents(out + ".parts");

  // Every hour 1 °C warmer: the dry-bulb temperature is an EPW data row's 7th field, after 8 header
  // lines.
  std::string warmer;
  std::istringstream rows(weather);
  int line_number = 0;
  for (std::string line; std::getline(rows, line);) {
    if (++line_number > 8) {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
      REQUIRE(fields.size() > 6);
      fields[6] = std::to_string(std::stod(fields[6]) + 1.0);
      line.clear();
      for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + fields[i];
    }
    warmer += line + "\n";
  }
  write_text(dir.path() / "w.epw", warmer);
  check_resume_refused(dir, args, out, parts_before);

  // The weather as it was: the batch resumes, to the file an uninterrupted batch writes.
  write_text(dir.path() / "w.epw", weather);
  const Command whole = sandan_cli("run " + dir.str("batch.yaml") + " -j 2 -o " + dir.str("whole.h5"), dir);
  REQUIRE(whole.exit_code == 0);
  const Command resumed = sandan_cli(args, dir);
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.err.find("resumed: " + std::to_string(kept) + " of 20 runs") != std::string::npos);
  CHECK_FALSE(fs::exists(out + ".parts"));
  check_same_kpis(out, dir.str("whole.h5"));
}

TEST_CASE("finished parts without the scenario.yaml that names their batch are not resumed") {
  // What a kill during the removal of a merged batch's parts folder could leave: the folder was
  // removed in directory order, so its scenario.yaml could go before some of the parts. Such parts
  // were resumed under whatever scenario ran next, mixing another batch's runs into its results.
  TempDir dir("crash_no_stamp");
  write_short_sweep(dir, kSource);
  const std::string sweep_values =
      "sweep:\n"
      "  interventions[0].rooftop_pv.roof_share: [0, 0.25, 0.5, 0.75, 1.0]\n"
      "  zip:\n"
      "    interventions[1].battery.energy_kwh: [0, 1000, 2000, 4000]\n"
      "    interventions[1].battery.power_kw: [0, 250, 500, 1000]\n";
  write_text(dir.path() / "batch.yaml", "extends: sweep.yaml\n" + sweep_values);
  const std::string out = dir.str("out.h5");
  const pid_t pid = start_sandan({"run", "batch.yaml", "-j", "1", "-o", "out.h5"}, dir, "first");
  REQUIRE(wait_for_parts(out + ".parts", 1, pid));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  REQUIRE(wait_exit_code(pid) == 143);
  const std::size_t kept = finished_parts(out + ".parts");
  REQUIRE(kept >= 1);
  REQUIRE(fs::remove(out + ".parts/scenario.yaml"));
  const auto parts_before = contents(out + ".parts");

  // Another scenario with as many runs under the same ids, and then the same one: neither can tell
  // whose the parts are, so both are refused and the parts are left as they are.
  for (const std::string& scenario :
       {"extends: sweep.yaml\n" + std::string(sweep_values).replace(sweep_values.find("0.5"), 3, "0.4"),
        "extends: sweep.yaml\n" + sweep_values}) {
    write_text(dir.path() / "batch.yaml", scenario);
    const Command rerun = sandan_cli("run " + dir.str("batch.yaml") + " -j 1 -o " + out, dir);
    INFO(rerun.err);
    CHECK(rerun.exit_code == 2);
    CHECK(rerun.err.find(out + ".parts holds finished runs but not its scenario.yaml") != std::string::npos);
    CHECK(rerun.err.find("run 1 of") == std::string::npos);
    CHECK(contents(out + ".parts") == parts_before);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".lock"));
  }
}

TEST_CASE("a second, different batch writing the same output is refused by the lock; the first is unharmed") {
  TempDir dir("crash_two_batches");
  write_short_sweep(dir, kSource);
  // Another scenario: other battery sizes, so other runs under the same ids.
  write_text(dir.path() / "other.yaml",
             "extends: sweep.yaml\nname: short\n"
             "sweep:\n"
             "  interventions[0].rooftop_pv.roof_share: [0, 0.2, 0.4, 0.6, 0.8, 1.0]\n"
             "  zip:\n"
             "    interventions[1].battery.energy_kwh: [0, 500, 1000, 1500, 2500]\n"
             "    interventions[1].battery.power_kw: [0, 125, 250, 375, 625]\n");
  const Command whole = sandan_cli("run " + dir.str("sweep.yaml") + " -j 2 -o " + dir.str("whole.h5"), dir);
  REQUIRE(whole.exit_code == 0);

  const std::string out = dir.str("out.h5");
  const pid_t pid = start_sandan({"run", "sweep.yaml", "-j", "1", "-o", "out.h5"}, dir, "first");
  REQUIRE(wait_for_parts(out + ".parts", 1, pid));
  const auto stamp = read_text_file(out + ".parts/scenario.yaml");
  const Command second = sandan_cli("run " + dir.str("other.yaml") + " -j 1 -o " + out, dir);
  INFO(second.err);
  CHECK(second.exit_code == 3);
  CHECK(second.err.find("another sandan (process " + std::to_string(pid) + ")") != std::string::npos);
  CHECK(second.err.find(out + ".lock") != std::string::npos);
  CHECK(second.err.find("run 1 of") == std::string::npos);
  // The refused batch did not touch the first's parts folder.
  CHECK(read_text_file(out + ".parts/scenario.yaml") == stamp);

  CHECK(wait_exit_code(pid) == 0);
  CHECK_FALSE(fs::exists(out + ".parts"));
  CHECK_FALSE(fs::exists(out + ".lock"));
  CHECK_FALSE(any_temporary(dir.path()));
  check_same_kpis(out, dir.str("whole.h5"));
}

TEST_CASE("a batch into a folder that cannot be written exits 3 before any run and leaves nothing") {
  TempDir dir("crash_read_only");
  write_short_sweep(dir, kSource);
  const auto before = listing(dir.path());

  // A folder that does not exist (as test_cli.cpp's single run).
  const Command missing =
      sandan_cli("run " + dir.str("sweep.yaml") + " -j 2 -o " + dir.str("no/such/out.h5"), dir);
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("the folder " + dir.str("no/such") + " does not exist") != std::string::npos);
  CHECK(missing.err.find("run 1 of") == std::string::npos);
  CHECK(missing.out.empty());
  auto after = listing(dir.path());
  after.erase("stderr.txt");
  CHECK(after == before);

  // A folder without write permission. Root writes in it all the same (chmod does not bind root), so
  // as root sandan is run as the unprivileged user nobody (setpriv, util-linux), for whom it binds.
  fs::create_directories(dir.path() / "ro");
  fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                         fs::perms::group_exec | fs::perms::others_read |
                                         fs::perms::others_exec);
  std::string as_user;
  if (::geteuid() == 0) {
    if (std::system("command -v setpriv >/dev/null 2>&1") != 0) {
      MESSAGE("skipped the read-only folder: running as root and setpriv is not installed");
      return;
    }
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const Command read_only = run_command(
      as_user + SANDAN_EXE + " run " + dir.str("sweep.yaml") + " -j 2 -o " + dir.str("ro/out.h5"), dir);
  INFO(read_only.err);
  CHECK(read_only.exit_code == 3);
  CHECK(read_only.err.find("cannot write in the folder " + dir.str("ro")) != std::string::npos);
  CHECK(read_only.err.find("run 1 of") == std::string::npos);
  CHECK(read_only.out.empty());
  CHECK(fs::is_empty(dir.path() / "ro"));
  fs::permissions(dir.path() / "ro", fs::perms::owner_all, fs::perm_options::add);
}
