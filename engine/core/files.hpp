// core/files: writing output files so that a failure never leaves a partial file under a final name,
// and the one check of a text input's path that every reader of text inputs makes before opening it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sandan {

// Writes every (path, text) pair to a temporary file next to its path first, and renames them to
// their final names only when all are written; on any failure the temporaries are removed and
// Error(kIo) names the file.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

// Why the text input `path` cannot be read, as "PATH: ... ; fix" naming `what` (e.g. "weather file"):
// it does not exist, is a folder (an ifstream opens a folder and then fails with
// "basic_filebuf::underflow"), is not a regular file, or cannot be opened. Empty when it can be read.
[[nodiscard]] std::string unreadable_text_input(const std::string& path, const std::string& what);

// Throws Error(kBadInput) with unreadable_text_input's reason, if there is one.
void require_text_input(const std::string& path, const std::string& what);

}  // namespace sandan
