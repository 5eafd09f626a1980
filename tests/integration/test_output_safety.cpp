// Outputs, signals and locks (docs/reliability.md): an output that is an input, a folder, a device
// or a FIFO is refused before anything is computed and the input stays byte-identical; SIGTERM and
// SIGINT stop a batch with exit 143 / 130, keep its finished runs and leave no temporary file; a
// second writer of the same output is refused while the first holds its lock; a rerun removes what
// a killed writer left and resumes to the same KPIs as an uninterrupted batch.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "io/compare.hpp"
#include "support/cli_process.hpp"
#include "support/fixtures.hpp"

using namespace sandan::test;
namespace fs = std::filesystem;

namespace {

const std::string kSource = SANDAN_SOURCE_DIR;

void write_short_sweep(const TempDir& dir) { sandan::test::write_short_sweep(dir, kSource); }

pid_t start_sandan(const std::vector<std::string>& args, const TempDir& dir, const std::string& log) {
  return start_program(SANDAN_EXE, args, dir, log);
}

}  // namespace

TEST_CASE("an output that is an input of the run is refused with exit 2 and the input is untouched") {
  TempDir dir("safety_inputs");
  write_short_sweep(dir);
  fs::copy_file(kSource + "/gis_data/weather/incheon_synthetic.epw", dir.path() / "w.epw");
  write_text(dir.path() / "weather.yaml", "extends: sweep.yaml\nweather: w.epw\n");
  fs::create_directories(dir.path() / "sub");
  const std::vector<std::string> inputs{"sweep.yaml", "parent.yaml", "weather.yaml", "w.epw"};
  std::vector<std::string> before;
  for (const auto& f : inputs) before.push_back(read_text_file(dir.path() / f));
  const std::set<std::string> files = listing(dir.path());

  struct Case {
    std::string scenario, output, names;
  };
  for (const Case& c : std::vector<Case>{
           {"sweep.yaml", dir.str("sweep.yaml"), "the scenario file"},
           // The same file under another name: compared by identity, not by text.
           {"sweep.yaml", dir.str("sub/../sweep.yaml"), "the scenario file"},
           {"sweep.yaml", dir.str("parent.yaml"), "the extended scenario file"},
           {"weather.yaml", dir.str("w.epw"), "the weather"},
       }) {
    CAPTURE(c.output);
    const Command run = sandan_cli("run " + dir.str(c.scenario) + " -o " + c.output, dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("the output is " + c.names + " input") != std::string::npos);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) CHECK(read_text_file(dir.path() / inputs[i]) == before[i]);
  std::set<std::string> after = listing(dir.path());
  after.erase("stderr.txt");
  CHECK(after == files);  // no .tmp-*, no .parts, no lock
}

TEST_CASE("sandan export refuses to write the GeoPackage over its results file") {
  TempDir dir("safety_export");
  // The refusal comes before the file is read: any content stands for a results file here.
  write_text(dir.path() / "x.h5", "results");
  const Command run = sandan_cli("export " + dir.str("x.h5") + " --gpkg " + dir.str("x.h5"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("the output is the results file input") != std::string::npos);
  CHECK(read_text_file(dir.path() / "x.h5") == "results");
  CHECK(listing(dir.path()) == std::set<std::string>{"x.h5", "stderr.txt"});
}

TEST_CASE("a folder, a FIFO or a device as -o is refused before any run") {
  TempDir dir("safety_kinds");
  write_short_sweep(dir);
  fs::create_directories(dir.path() / "folder.h5");
  REQUIRE(::mkfifo(dir.str("fifo.h5").c_str(), 0600) == 0);
  for (const auto& [output, kind] : std::vector<std::pair<std::string, std::string>>{
           {dir.str("folder.h5"), "a folder"}, {dir.str("fifo.h5"), "a FIFO"}, {"/dev/null", "a device"}}) {
    CAPTURE(output);
    const Command run = sandan_cli("run " + dir.str("sweep.yaml") + " -o " + output, dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("exists and is " + kind) != std::string::npos);
    // No run was made: no progress, no table, no parts folder.
    CHECK(run.err.find("run 1 of") == std::string::npos);
    CHECK(run.out.empty());
    CHECK_FALSE(fs::exists(output + ".parts"));
  }
  CHECK(fs::is_directory(dir.path() / "folder.h5"));
  CHECK(fs::is_fifo(dir.path() / "fifo.h5"));
  struct stat null_stat {};
  REQUIRE(::stat("/dev/null", &null_stat) == 0);
  CHECK(S_ISCHR(null_stat.st_mode));
  CHECK_FALSE(any_temporary(dir.path()));
}

TEST_CASE("powerflow and assign refuse a file as their output folder before solving") {
  TempDir dir("safety_solvers");
  write_text(dir.path() / "taken", "a file");
  const Command pf = sandan_cli(
      "powerflow " + kSource + "/tests/validation/data/powerflow/case33bw --out " + dir.str("taken"), dir);
  CHECK(pf.exit_code == 2);
  CHECK(pf.err.find("not a folder") != std::string::npos);
  CHECK(pf.out.empty());  // refused before the case was solved
  const Command as = sandan_cli(
      "assign " + kSource + "/tests/validation/data/tntp/SiouxFalls --out " + dir.str("taken"), dir);
  CHECK(as.exit_code == 2);
  CHECK(as.err.find("not a folder") != std::string::npos);
  CHECK(read_text_file(dir.path() / "taken") == "a file");
}

TEST_CASE("a batch that fails on bad input leaves no parts folder, and the corrected rerun runs") {
  TempDir dir("safety_bad_batch");
  write_short_sweep(dir);
  // A weather file that exists but is not EPW: found when the batch reads its inputs, after the
  // output was opened.
  write_text(dir.path() / "bad.epw", "not weather\n");
  write_text(dir.path() / "batch.yaml", "extends: sweep.yaml\nweather: bad.epw\n");
  const Command bad = sandan_cli("run " + dir.str("batch.yaml") + " -j 2 -o " + dir.str("out.h5"), dir);
  CHECK(bad.exit_code == 2);
  CHECK_FALSE(fs::exists(dir.path() / "out.h5.parts"));
  CHECK_FALSE(fs::exists(dir.path() / "out.h5"));
  CHECK_FALSE(any_temporary(dir.path()));
  write_text(dir.path() / "batch.yaml", "extends: sweep.yaml\n");
  const Command good = sandan_cli("run " + dir.str("batch.yaml") + " -j 2 -o " + dir.str("out.h5"), dir);
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(fs::is_regular_file(dir.path() / "out.h5"));
  CHECK_FALSE(fs::exists(dir.path() / "out.h5.parts"));
  CHECK_FALSE(fs::exists(dir.path() / "out.h5.lock"));
}

TEST_CASE("SIGTERM or SIGINT stops a batch with 143 or 130, keeps its finished runs, and a rerun resumes") {
  TempDir dir("safety_signal");
  write_short_sweep(dir);
  // The uninterrupted batch, for the KPIs the resumed one must equal.
  const Command whole = sandan_cli("run " + dir.str("sweep.yaml") + " -j 2 -o " + dir.str("whole.h5"), dir);
  REQUIRE(whole.exit_code == 0);

  for (const auto& [signal, code] : std::vector<std::pair<int, int>>{{SIGTERM, 143}, {SIGINT, 130}}) {
    CAPTURE(signal);
    const std::string out = dir.str("cut.h5");
    const pid_t pid = start_sandan({"run", "sweep.yaml", "-j", "1", "-o", "cut.h5"}, dir, "first");
    REQUIRE(wait_for_first_part(out + ".parts"));

    // A second writer of the same output while the first holds the lock: refused, naming the lock.
    const Command second = sandan_cli("run " + dir.str("sweep.yaml") + " -j 1 -o " + out, dir);
    CHECK(second.exit_code == 3);
    CHECK(second.err.find("another sandan (process " + std::to_string(pid) + ")") != std::string::npos);
    CHECK(second.err.find(out + ".lock") != std::string::npos);

    REQUIRE(::kill(pid, signal) == 0);
    CHECK(wait_exit_code(pid) == code);
    const std::string err = read_text_file(dir.path() / "first.err");
    CHECK(err.find(std::string("stopped by ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT")) !=
          std::string::npos);
    CHECK(err.find("run the same command again to resume") != std::string::npos);
    CHECK_FALSE(any_temporary(dir.path()));
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".lock"));
    const std::size_t kept = finished_parts(out + ".parts");
    CHECK(kept >= 1);
    CHECK(kept < 30);

    // What a writer killed outright (SIGKILL) during the merge or a part leaves behind.
    const std::string dead = std::to_string(gone_pid());
    write_text(out + ".tmp-" + dead, "half a merged file");
    write_text(out + ".parts/short-0029.h5.tmp-" + dead, "half a part");

    const Command rerun = sandan_cli("run " + dir.str("sweep.yaml") + " -j 2 -o " + out, dir);
    INFO(rerun.err);
    CHECK(rerun.exit_code == 0);
    CHECK(rerun.err.find("resumed: " + std::to_string(kept) + " of 30 runs") != std::string::npos);
    CHECK_FALSE(any_temporary(dir.path()));
    CHECK_FALSE(fs::exists(out + ".parts"));
    CHECK_FALSE(fs::exists(out + ".lock"));

    // Every run's KPIs equal the uninterrupted batch's, exactly.
    check_same_kpis(out, dir.str("whole.h5"));
    fs::remove(out);
  }
}
