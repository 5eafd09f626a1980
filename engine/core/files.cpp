#include "core/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/error.hpp"

namespace sandan {

namespace fs = std::filesystem;

namespace {

// `<path>.tmp-<pid>`, as every writer of sandan names its temporary file, so that two writers never
// share one and the next writer removes what a killed one left (remove_stale_temporaries).
fs::path write_temporary(const fs::path& path, const std::string& text) {
  remove_stale_temporaries(path.string());
  fs::path temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid());
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::error_code error;
    fs::remove(temporary, error);
    throw Error(ErrorCode::kIo,
                temporary.string() + ": cannot write; check the folder exists and is writable");
  }
  return temporary;
}

}  // namespace

void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code error;
  std::vector<std::pair<fs::path, fs::path>> written;
  try {
    for (const auto& [path, text] : files) written.emplace_back(write_temporary(path, text), path);
  } catch (const Error&) {
    for (const auto& [temporary, path] : written) fs::remove(temporary, error);
    throw;
  }
  for (const auto& [temporary, path] : written) {
    try {
      rename_onto_file(temporary.string(), path.string());
    } catch (const Error&) {
      for (const auto& [left, unused] : written) fs::remove(left, error);
      throw;
    }
  }
}

void write_files_into_folder(const std::string& folder,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code error;
  const bool existed = fs::exists(folder, error);
  fs::create_directories(folder, error);
  if (error) throw Error(ErrorCode::kIo, folder + ": cannot create the folder: " + error.message());
  std::vector<std::pair<std::string, std::string>> named;
  named.reserve(files.size());
  for (const auto& [name, text] : files) named.emplace_back((fs::path(folder) / name).string(), text);
  try {
    write_files_atomically(named);
  } catch (const Error&) {
    if (!existed) fs::remove(folder, error);  // only if still empty
    throw;
  }
}

namespace {

// What a file that is not a regular file is, for messages.
std::string kind_of(fs::file_type type) {
  switch (type) {
    case fs::file_type::directory:
      return "a folder";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    default:
      return "not a regular file";
  }
}

fs::path folder_of(const fs::path& path) {
  return path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

void check_not_an_input(const std::string& output, const std::vector<NamedInput>& inputs,
                        const std::string& what) {
  for (const NamedInput& input : inputs) {
    if (input.path.empty() || !same_file(output, input.path)) continue;
    const std::string named = input.path == output ? "" : " (" + input.path + ")";
    throw Error(ErrorCode::kBadInput, output + ": the output is the " + input.what + " input" + named +
                                          ", also an input of this command: writing the " + what +
                                          " would destroy it; choose another output");
  }
}

void check_folder_writable(const std::string& output, const fs::path& folder, const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw Error(ErrorCode::kIo, output + ": cannot create the " + what + ": the folder " + folder.string() +
                                    " does not exist; create it or choose another output");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw Error(ErrorCode::kIo, output + ": cannot create the " + what + ": cannot write in the folder " +
                                    folder.string() + " (" + std::strerror(errno) +
                                    "); choose another output");
  }
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) return true;
  std::error_code ec_a;
  std::error_code ec_b;
  const fs::path canonical_a = fs::weakly_canonical(a, ec_a);
  const fs::path canonical_b = fs::weakly_canonical(b, ec_b);
  return !ec_a && !ec_b && canonical_a == canonical_b;
}

void check_output_path(const std::string& output, const std::vector<NamedInput>& inputs,
                       const std::string& what) {
  if (output.empty()) return;
  check_not_an_input(output, inputs, what);
  std::error_code ec;
  const fs::file_status status = fs::status(output, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw Error(ErrorCode::kBadInput, output + ": exists and is " + kind_of(status.type()) +
                                          ", not a file; the " + what +
                                          " would replace it: choose a file name");
  }
  check_folder_writable(output, folder_of(output), what);
}

void check_output_folder(const std::string& folder, const std::vector<NamedInput>& inputs,
                         const std::string& what) {
  if (folder.empty()) return;
  check_not_an_input(folder, inputs, what);
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw Error(ErrorCode::kBadInput, folder + ": exists and is " + kind_of(status.type()) +
                                            ", not a folder; the " + what +
                                            " needs a folder: choose another");
    }
    check_folder_writable(folder, folder, what);
    return;
  }
  check_folder_writable(folder, folder_of(fs::path(folder).lexically_normal()), what);
}

void rename_onto_file(const std::string& temporary, const std::string& target) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(target, ec);
  if (fs::exists(status) && !fs::is_regular_file(status) && !fs::is_symlink(status)) {
    throw Error(ErrorCode::kIo, target + ": is " + kind_of(status.type()) +
                                    " now, not a file: it is not replaced; choose another output");
  }
  // The data first reach the disk, then the name: a power cut or a crash of the machine after the
  // rename must find the whole file under the output's name, not an empty or torn one (a rename is
  // ordered before the file's own blocks reach the disk on most file systems: ext4's data=ordered
  // covers it only for a file replacing another, XFS and btrfs not at all).
  if (const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0 && error != EINVAL && error != EROFS) {
      throw Error(ErrorCode::kIo, target + ": the finished file could not be written to the disk (" +
                                      std::strerror(error) + "); it is not moved into place");
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) throw Error(ErrorCode::kIo, target + ": cannot move the finished file into place: " + ec.message());
  // And the folder's entry of the new name.
  if (const int dir = ::open(folder_of(fs::path(target)).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::size_t remove_stale_temporaries(const std::string& output) {
  const fs::path path(output);
  const std::string prefix = path.filename().string() + ".tmp-";
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder_of(path), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    std::size_t digits = prefix.size();
    while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
    if (digits == prefix.size()) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid == static_cast<long>(::getpid())) continue;
    // Gone: no such process. A process of another user (EPERM) still runs.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code remove_error;
    if (fs::remove_all(entry.path(), remove_error) > 0 && !remove_error) ++removed;
  }
  return removed;
}

namespace {

constexpr std::uint64_t kFnvOffset = 0xCBF29CE484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001B3ULL;

void fnv1a(std::uint64_t& hash, const char* bytes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= kFnvPrime;
  }
}

bool digest_file(std::uint64_t& hash, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<char> buffer(1U << 16U);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    fnv1a(hash, buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return in.eof();
}

}  // namespace

std::string content_digest(const std::string& path) {
  std::uint64_t hash = kFnvOffset;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
      if (entry.is_regular_file(ec)) files.push_back(entry.path());
    }
    if (ec) return "unreadable";
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      const std::string name = fs::relative(file, path, ec).string();
      fnv1a(hash, name.c_str(), name.size() + 1);  // with its terminating NUL: names and bytes apart
      if (!digest_file(hash, file)) return "unreadable";
    }
  } else if (!digest_file(hash, path)) {
    return "unreadable";
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

OutputLock::OutputLock(const std::string& output) : path_(output + ".lock") {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw Error(ErrorCode::kIo, path_ + ": cannot create the lock of " + output + " (" +
                                      std::strerror(errno) + "); check the folder exists and is writable");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      char text[32] = {};
      const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
      ::close(fd);
      if (error != EWOULDBLOCK) {
        throw Error(ErrorCode::kIo, path_ + ": cannot lock " + output + " (" + std::strerror(error) + ")");
      }
      std::string holder = got > 0 ? std::string(text, static_cast<std::size_t>(got)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      throw Error(ErrorCode::kIo, output + ": another sandan" +
                                      (holder.empty() ? std::string() : " (process " + holder + ")") +
                                      " is writing it and holds its lock " + path_ +
                                      "; wait for it to finish, or stop it, before writing the same output");
    }
    // The lock file may have been removed (and another made) by a writer finishing between open and
    // flock: hold the lock only on the file the path names now.
    struct stat held {};
    struct stat named {};
    if (::fstat(fd, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The lock holds without the note of its holder.
      }
      fd_ = fd;
      return;
    }
    ::close(fd);
  }
  throw Error(ErrorCode::kIo, path_ + ": cannot lock " + output + ": its lock file keeps changing");
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  // Removed while still held, so that no other writer can lock the file being removed and believe
  // it holds the output.
  ::unlink(path_.c_str());
  ::close(fd_);
}

std::string unreadable_text_input(const std::string& path, const std::string& what) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status))
    return path + ": no such readable file (the " + what + "); check the path";
  if (fs::is_directory(status)) return path + ": is a folder, not a " + what + "; name the file itself";
  // A device is refused: read as text, /dev/zero or /dev/urandom never ends, and the reader would fill
  // memory with one endless line (found by fuzzing: a facts file naming /dev/zero as its line types
  // file). A FIFO stays allowed, for a file given as a shell's process substitution <(...).
  if (fs::is_character_file(status) || fs::is_block_file(status))
    return path + ": is a device, not a " + what + "; name a file";
  if (!std::ifstream(path, std::ios::binary))
    return path + ": cannot open the " + what + "; check its permissions";
  return "";
}

void require_text_input(const std::string& path, const std::string& what) {
  const std::string reason = unreadable_text_input(path, what);
  if (!reason.empty()) throw Error(ErrorCode::kBadInput, reason);
}

}  // namespace sandan
