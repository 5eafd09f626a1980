#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"

using namespace sandan;
namespace fs = std::filesystem;

namespace {

// A fresh folder of its own under the system temp folder, removed at the end.
struct Folder {
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() / ("sandan_unit_files_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  [[nodiscard]] std::string str(const std::string& child) const { return (path / child).string(); }
  fs::path path;
};

void touch(const std::string& path) { std::ofstream(path) << "x"; }

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

// A process id that is not running: a child that has exited and been reaped.
pid_t gone_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

}  // namespace

TEST_CASE("same_file compares by identity, not by text") {
  const Folder f("same");
  touch(f.str("a.yaml"));
  fs::create_directories(f.path / "sub");
  fs::create_symlink(f.path / "a.yaml", f.path / "link.yaml");
  CHECK(same_file(f.str("a.yaml"), f.str("sub/../a.yaml")));
  CHECK(same_file(f.str("a.yaml"), f.str("link.yaml")));
  CHECK(same_file(f.str("./a.yaml"), f.str("a.yaml")));
  CHECK_FALSE(same_file(f.str("a.yaml"), f.str("b.yaml")));
  // Neither exists: the same path spelt two ways is still the same file.
  CHECK(same_file(f.str("new.h5"), f.str("sub/../new.h5")));
}

TEST_CASE("check_output_path refuses an input, a folder, a device and a FIFO, and a missing folder") {
  const Folder f("check");
  touch(f.str("scenario.yaml"));
  const std::vector<NamedInput> inputs{{"scenario file", f.str("scenario.yaml")}};
  CHECK_NOTHROW(check_output_path(f.str("out.h5"), inputs, "results file"));
  CHECK_NOTHROW(check_output_path("", inputs, "results file"));
  CHECK(code_of([&] { check_output_path(f.str("sub/../scenario.yaml"), inputs, "results file"); }) ==
        ErrorCode::kBadInput);
  try {
    check_output_path(f.str("scenario.yaml"), inputs, "results file");
    FAIL("not refused");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("is the scenario file") != std::string::npos);
  }
  CHECK(code_of([&] { check_output_path(f.path.string(), {}, "results file"); }) == ErrorCode::kBadInput);
  CHECK(code_of([&] { check_output_path("/dev/null", {}, "results file"); }) == ErrorCode::kBadInput);
  REQUIRE(::mkfifo(f.str("fifo").c_str(), 0600) == 0);
  CHECK(code_of([&] { check_output_path(f.str("fifo"), {}, "results file"); }) == ErrorCode::kBadInput);
  CHECK(code_of([&] { check_output_path(f.str("missing/out.h5"), {}, "results file"); }) == ErrorCode::kIo);
}

TEST_CASE("check_output_folder accepts a folder or a new one in an existing folder") {
  const Folder f("folder");
  touch(f.str("file"));
  CHECK_NOTHROW(check_output_folder(f.str("new"), {}, "solution"));
  CHECK_NOTHROW(check_output_folder(f.path.string(), {}, "solution"));
  CHECK(code_of([&] { check_output_folder(f.str("file"), {}, "solution"); }) == ErrorCode::kBadInput);
  CHECK(code_of([&] { check_output_folder(f.str("a/b"), {}, "solution"); }) == ErrorCode::kIo);
  CHECK(code_of([&] {
          check_output_folder(f.path.string(), {{"case", f.path.string()}}, "solution");
        }) == ErrorCode::kBadInput);
}

TEST_CASE("rename_onto_file never replaces anything but a regular file") {
  const Folder f("rename");
  touch(f.str("t1"));
  touch(f.str("out"));
  CHECK_NOTHROW(rename_onto_file(f.str("t1"), f.str("out")));
  CHECK_FALSE(fs::exists(f.str("t1")));
  touch(f.str("t2"));
  REQUIRE(::mkfifo(f.str("fifo").c_str(), 0600) == 0);
  CHECK(code_of([&] { rename_onto_file(f.str("t2"), f.str("fifo")); }) == ErrorCode::kIo);
  CHECK(fs::is_fifo(f.str("fifo")));
  fs::create_directories(f.path / "folder");
  CHECK(code_of([&] { rename_onto_file(f.str("t2"), f.str("folder")); }) == ErrorCode::kIo);
  CHECK(fs::is_directory(f.str("folder")));
}

TEST_CASE("remove_stale_temporaries removes only those whose process is gone") {
  const Folder f("stale");
  const std::string out = f.str("out.h5");
  const std::string gone = out + ".tmp-" + std::to_string(gone_pid());
  const std::string mine = out + ".tmp-" + std::to_string(::getpid());
  const std::string parent = out + ".tmp-" + std::to_string(::getppid());
  const std::string other = f.str("other.h5.tmp-" + std::to_string(gone_pid()));
  for (const auto& p : {gone, mine, parent, other}) touch(p);
  fs::create_directories(out + ".tmp-" + std::to_string(gone_pid()) + ".gpkg");
  CHECK(remove_stale_temporaries(out) == 2);
  CHECK_FALSE(fs::exists(gone));
  CHECK(fs::exists(mine));
  CHECK(fs::exists(parent));
  CHECK(fs::exists(other));
}

TEST_CASE("an output lock refuses a second writer, names the holder and leaves no file") {
  const Folder f("lock");
  const std::string out = f.str("out.h5");
  {
    const OutputLock first(out);
    CHECK(fs::exists(out + ".lock"));
    // A lock is per open file: a second lock in the same process is refused too.
    try {
      const OutputLock second(out);
      FAIL("a second writer was let in");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kIo);
      const std::string message = e.what();
      CHECK(message.find(out + ".lock") != std::string::npos);
      CHECK(message.find("process " + std::to_string(::getpid())) != std::string::npos);
    }
  }
  CHECK_FALSE(fs::exists(out + ".lock"));
  // A lock file left by a killed writer (no lock held on it) is taken over.
  touch(out + ".lock");
  { const OutputLock again(out); }
  CHECK_FALSE(fs::exists(out + ".lock"));
}

TEST_CASE("a signal is recorded by the handler and raised as Error(kInterrupted) where checked") {
  install_interrupt_handlers();
  clear_interrupt();
  CHECK_NOTHROW(throw_if_interrupted("before writing"));
  std::raise(SIGTERM);
  CHECK(interrupt_signal() == SIGTERM);
  try {
    throw_if_interrupted("before writing");
    FAIL("not interrupted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInterrupted);
    CHECK(std::string(e.what()) == "stopped by SIGTERM before writing");
  }
  clear_interrupt();
  CHECK(interrupt_signal() == 0);
}

TEST_CASE("content_digest is FNV-1a 64 of the bytes, and of a folder's names and bytes") {
  Folder folder("digest");
  const auto write = [](const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  };
  // The published FNV-1a 64 values (draft-eastlake-fnv, test vectors): "" -> the offset basis
  // cbf29ce484222325, "a" -> af63dc4c8601ec8c.
  write(folder.path / "empty", "");
  write(folder.path / "a", "a");
  CHECK(content_digest((folder.path / "empty").string()) == "cbf29ce484222325");
  CHECK(content_digest((folder.path / "a").string()) == "af63dc4c8601ec8c");
  // One byte changed, or the same bytes in a longer file: another digest.
  write(folder.path / "b", "b");
  CHECK(content_digest((folder.path / "b").string()) != content_digest((folder.path / "a").string()));
  CHECK(content_digest((folder.path / "missing").string()) == "unreadable");
  // A folder: its files' names count as well as their bytes.
  fs::create_directories(folder.path / "d1");
  fs::create_directories(folder.path / "d2");
  write(folder.path / "d1" / "x", "same");
  write(folder.path / "d2" / "x", "same");
  CHECK(content_digest((folder.path / "d1").string()) == content_digest((folder.path / "d2").string()));
  fs::rename(folder.path / "d2" / "x", folder.path / "d2" / "y");
  CHECK(content_digest((folder.path / "d1").string()) != content_digest((folder.path / "d2").string()));
}
