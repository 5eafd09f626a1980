// The CLI at the limits of its resources and on degenerate inputs: a file-size limit (the portable
// stand-in for a full disk) while a results file is written, a thread count the OpenMP runtime cannot
// start, a power flow case without buses, and input paths that are folders. Each ends in a clean
// error with its exit code, never a crash or a temporary file left behind.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

using namespace sandan::test;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  int exit_code = -1;  // -1: ended by a signal (e.g. a segmentation fault)
  int signal = 0;
  std::string err;
};

// Runs sandan with `args` in a child whose files may grow to `max_file_bytes` at most (RLIMIT_FSIZE)
// with SIGXFSZ ignored, so that a write past the limit fails with EFBIG as on a full disk.
Outcome run_limited(const std::vector<std::string>& args, rlim_t max_file_bytes, const TempDir& scratch) {
  const std::string err_path = scratch.str("stderr.txt");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(err, 2);
    ::dup2(null, 1);
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{max_file_bytes, max_file_bytes};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::vector<char*> argv;
    std::string exe = SANDAN_EXE;
    argv.push_back(exe.data());
    std::vector<std::string> copies = args;
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  Outcome out;
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  out.err = read_text_file(err_path);
  return out;
}

// The files of a folder but the captured stderr.
std::vector<std::string> files_in(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename() != "stderr.txt" && entry.path().extension() != ".yaml")
      names.push_back(entry.path().filename().string());
  }
  return names;
}

std::string source(const std::string& relative) { return std::string(SANDAN_SOURCE_DIR) + "/" + relative; }

// One complex, energy only: a run of about a second, and a results file of a few MB.
std::string small_scenario(const TempDir& dir, const std::string& extra = "") {
  const std::string path = dir.str("small.yaml");
  write_text(path, "name: small\nextends: " + source("scenarios/baseline.yaml") +
                       "\ncomplexes: [local]\nmodels: [energy]\n" + extra);
  return path;
}

}  // namespace

TEST_CASE("a run whose results file cannot grow exits 3 naming the file and leaves no temporary file") {
  TempDir dir("limits_fsize_run");
  const std::string out = dir.str("out.h5");
  // 256 kB: the run's hourly series alone are several MB, so the limit is reached mid-write.
  const Outcome run = run_limited({"run", small_scenario(dir), "-o", out, "-j", "2"}, 256 * 1024, dir);
  INFO(run.err);
  CHECK(run.signal == 0);
  CHECK(run.exit_code == 3);
  CHECK(run.err.find(out) != std::string::npos);
  CHECK(files_in(dir).empty());
}

TEST_CASE("a batch whose merged file cannot grow exits 3 naming the file and leaves no temporary file") {
  TempDir dir("limits_fsize_batch");
  const std::string out = dir.str("sweep.h5");
  // Two runs that differ in their seed: each part is written below the limit, the merge of both is not.
  const std::string scenario = small_scenario(dir, "sweep:\n  seed: [1, 2]\n");
  const Outcome probe =
      run_limited({"run", scenario, "-o", dir.str("probe.h5"), "-j", "2"}, RLIM_INFINITY, dir);
  REQUIRE(probe.exit_code == 0);
  const auto merged = static_cast<rlim_t>(fs::file_size(dir.str("probe.h5")));
  fs::remove(dir.str("probe.h5"));
  const Outcome run = run_limited({"run", scenario, "-o", out, "-j", "2"}, merged * 3 / 4, dir);
  INFO(run.err);
  CHECK(run.signal == 0);
  CHECK(run.exit_code == 3);
  CHECK(run.err.find(out) != std::string::npos);
  for (const std::string& name : files_in(dir)) {
    CAPTURE(name);
    CHECK(name.find(".tmp") == std::string::npos);
    CHECK(name != "sweep.h5");
  }
}

TEST_CASE("-j 100000 is refused with exit 2 naming the bound instead of crashing the OpenMP runtime") {
  TempDir dir("limits_threads");
  const Outcome run =
      run_limited({"run", small_scenario(dir), "-o", dir.str("out.h5"), "-j", "100000"}, RLIM_INFINITY, dir);
  CHECK(run.signal == 0);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("100000 is not a usable thread count") != std::string::npos);
  CHECK(files_in(dir).empty());
}

TEST_CASE("a power flow case whose bus.csv has only its header exits 2 naming the file") {
  TempDir dir("limits_no_buses");
  const fs::path src = source("tests/validation/data/powerflow/case14");
  const fs::path bad = dir.path() / "case";
  fs::create_directories(bad);
  for (const char* name : {"case.json", "gen.csv", "branch.csv"}) fs::copy_file(src / name, bad / name);
  const std::string bus = read_text_file(src / "bus.csv");
  write_text(bad / "bus.csv", bus.substr(0, bus.find('\n') + 1));
  const Outcome run =
      run_limited({"powerflow", bad.string(), "--out", dir.str("solution")}, RLIM_INFINITY, dir);
  CHECK(run.signal == 0);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find((bad / "bus.csv").string() + ": no buses") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "solution"));
}

TEST_CASE("a scenario whose weather file is a folder exits 2 naming it") {
  TempDir dir("limits_folder_input");
  fs::create_directories(dir.path() / "weather.epw");
  const Outcome run = run_limited(
      {"run", small_scenario(dir, "weather: " + dir.str("weather.epw") + "\n"), "-o", dir.str("out.h5")},
      RLIM_INFINITY, dir);
  CHECK(run.signal == 0);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(dir.str("weather.epw") + ": is a folder") != std::string::npos);
}

TEST_CASE(
    "a run and a batch on a full tmpfs exit 3 naming the file, keep the finished runs and leave no temporary "
    "file") {
  TempDir dir("limits_tmpfs");
  // The size of one run's results file and of a two-run batch's, measured first on the real disk.
  const std::string scenario = small_scenario(dir);
  const std::string batch = dir.str("batch.yaml");
  write_text(batch, "extends: small.yaml\nname: pair\nsweep:\n  seed: [1, 2]\n");
  REQUIRE(
      run_limited({"run", scenario, "-o", dir.str("probe.h5"), "-j", "2"}, RLIM_INFINITY, dir).exit_code ==
      0);
  const auto run_bytes = fs::file_size(dir.str("probe.h5"));
  fs::remove(dir.str("probe.h5"));

  const fs::path disk = dir.path() / "disk";
  fs::create_directories(disk);
  const auto mount_tmpfs = [&](std::uintmax_t bytes) {
    const std::string options = "size=" + std::to_string(bytes / 1024 + 1) + "k";
    return ::mount("tmpfs", disk.c_str(), "tmpfs", 0, options.c_str()) == 0;
  };
  // A real full disk needs a file system of our own: a tmpfs, which only a privileged user can mount.
  if (!mount_tmpfs(run_bytes / 2)) {
    MESSAGE("no tmpfs can be mounted here (" << std::strerror(errno)
                                             << "); the file-size limit cases stand in for a full disk");
    return;
  }
  {
    // Half a run's file: the disk fills while the results are written.
    const std::string out = (disk / "out.h5").string();
    const Outcome run = run_limited({"run", scenario, "-o", out, "-j", "2"}, RLIM_INFINITY, dir);
    INFO(run.err);
    CHECK(run.signal == 0);
    CHECK(run.exit_code == 3);
    CHECK(run.err.find(out) != std::string::npos);
    CHECK(run.err.find("No space left on device") != std::string::npos);
    CHECK(fs::is_empty(disk));
  }
  ::umount2(disk.c_str(), MNT_DETACH);
  // Room for both finished runs but not for their merge: the merge is refused before it starts, and
  // the runs are kept for a later attempt.
  REQUIRE(mount_tmpfs(run_bytes * 5 / 2));
  {
    const std::string out = (disk / "pair.h5").string();
    const Outcome run = run_limited({"run", batch, "-o", out, "-j", "2"}, RLIM_INFINITY, dir);
    INFO(run.err);
    CHECK(run.signal == 0);
    CHECK(run.exit_code == 3);
    CHECK(run.err.find(out + ": cannot merge the batch's 2 runs") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    std::size_t parts = 0;
    for (const auto& entry : fs::recursive_directory_iterator(disk)) {
      const std::string name = entry.path().filename().string();
      CAPTURE(name);
      CHECK(name.find(".tmp-") == std::string::npos);
      CHECK(name.find(".lock") == std::string::npos);
      parts += entry.path().extension() == ".h5" ? 1 : 0;
    }
    CHECK(parts == 2);
  }
  ::umount2(disk.c_str(), MNT_DETACH);
}
