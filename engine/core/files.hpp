// core/files: writing output files so that a failure never leaves a partial file under a final name,
// and the checks every command makes on an output before it computes anything (docs/reliability.md,
// "Outputs, signals and locks"), and the one check of a text input's path that every reader of text
// inputs makes before opening it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sandan {

// Writes every (path, text) pair to a temporary file next to its path first, and renames them to
// their final names only when all are written; on any failure the temporaries are removed and
// Error(kIo) names the file.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

// Writes files (name inside `folder`, text) into `folder` as write_files_atomically does, creating
// the folder if it is absent; a folder created here is removed again when the writing fails (a full
// disk leaves no empty folder behind).
void write_files_into_folder(const std::string& folder,
                             const std::vector<std::pair<std::string, std::string>>& files);

// An input of a command: what it is ("scenario file", "weather", ...) and its path.
struct NamedInput {
  std::string what;
  std::string path;
};

// Whether a and b name the same file or folder: by identity (device and inode) when both exist, else
// by their weakly canonical paths (symbolic links, "..", "." resolved). Not by text.
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

// Checks `output` (a file the command will write; `what` names it in messages, e.g. "results file")
// before anything is computed. Throws Error(kBadInput) if it is one of `inputs` (by identity), or
// exists and is not a regular file (a folder, a device, a FIFO, a socket); Error(kIo) if its folder
// does not exist or is not writable. An empty output is not checked.
void check_output_path(const std::string& output, const std::vector<NamedInput>& inputs,
                       const std::string& what);

// Checks an output folder (`sandan powerflow --out`, ...): not an input, and either a folder or
// absent with an existing writable parent. Throws as check_output_path does.
void check_output_folder(const std::string& folder, const std::vector<NamedInput>& inputs,
                         const std::string& what);

// Replaces `target` by `temporary` (rename), but only if `target` is absent or a regular file: a
// device, a FIFO or a folder under the final name is never replaced. Throws Error(kIo) (the
// temporary is left to its owner to remove).
void rename_onto_file(const std::string& temporary, const std::string& target);

// Removes `<output>.tmp-<pid>...` files and folders next to `output` whose process `pid` no longer
// runs (left by a process that was killed). Returns how many were removed.
std::size_t remove_stale_temporaries(const std::string& output);

// A digest of a file's bytes (of a folder's files and their names, in name order): FNV-1a 64 (Fowler,
// Noll & Vo) as 16 hex digits, for telling whether an input changed between two commands (a batch's
// resume). Not a protection against deliberate collisions. "unreadable" if it cannot be read.
[[nodiscard]] std::string content_digest(const std::string& path);

// An exclusive lock on an output: flock(2) on `<output>.lock`, which holds the writer's process id.
// A second writer is refused with Error(kIo) naming the lock and the process holding it. The lock
// file is removed and the lock released when the object is destroyed (and by the kernel when the
// process ends in any way; a lock file left by a killed process is taken over).
class OutputLock {
 public:
  explicit OutputLock(const std::string& output);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Why the text input `path` cannot be read, as "PATH: ... ; fix" naming `what` (e.g. "weather file"):
// it does not exist, is a folder (an ifstream opens a folder and then fails with
// "basic_filebuf::underflow"), is a device (/dev/zero would be read without end), or cannot be
// opened. Empty when it can be read.
[[nodiscard]] std::string unreadable_text_input(const std::string& path, const std::string& what);

// Throws Error(kBadInput) with unreadable_text_input's reason, if there is one.
void require_text_input(const std::string& path, const std::string& what);

}  // namespace sandan
