#include "core/files.hpp"

#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace sandan {

namespace fs = std::filesystem;

namespace {

fs::path write_temporary(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".tmp";
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
    fs::rename(temporary, path, error);
    if (error) {
      for (const auto& [left, unused] : written) fs::remove(left, error);
      throw Error(ErrorCode::kIo, path.string() + ": cannot write: " + error.message());
    }
  }
}

std::string unreadable_text_input(const std::string& path, const std::string& what) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status))
    return path + ": no such readable file (the " + what + "); check the path";
  if (fs::is_directory(status)) return path + ": is a folder, not a " + what + "; name the file itself";
  if (!std::ifstream(path, std::ios::binary))
    return path + ": cannot open the " + what + "; check its permissions";
  return "";
}

void require_text_input(const std::string& path, const std::string& what) {
  const std::string reason = unreadable_text_input(path, what);
  if (!reason.empty()) throw Error(ErrorCode::kBadInput, reason);
}

}  // namespace sandan
