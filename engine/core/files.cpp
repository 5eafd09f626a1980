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

}  // namespace sandan
