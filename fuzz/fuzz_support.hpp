// fuzz/fuzz_support: what every harness shares. The parsers read files by path, so each process
// writes its input to a file in a temporary folder of its own (removed at exit).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace sandan_fuzz {

// The process's scratch folder, created on first use.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "sandan_fuzz_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    std::filesystem::path made(pattern);
    static const std::filesystem::path for_exit = made;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(for_exit, ec);
    });
    return made;
  }();
  return dir;
}

// Writes bytes to scratch()/name and returns its path.
inline std::string write_file(const std::string& name, std::string_view bytes) {
  const std::filesystem::path path = scratch() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::abort();
  return path.string();
}

inline std::string write_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  return write_file(name, std::string_view(reinterpret_cast<const char*>(data), size));
}

// An input holding several files: the parts between lines "%%" (the seeds of multi-file formats
// are made so; see fuzz/make_corpus.sh). Missing parts are empty.
inline std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size,
                                                 std::size_t parts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const std::size_t at = rest.find("\n%%\n");
    if (at == std::string_view::npos) break;
    out.push_back(rest.substr(0, at + 1));
    rest.remove_prefix(at + 4);
  }
  out.push_back(rest);
  out.resize(parts);
  return out;
}

}  // namespace sandan_fuzz

// Expected failures of a parser: sandan::Error and its subclasses (ConfigError). Anything else that
// escapes (a std::out_of_range, a YAML::Exception...) aborts and counts as a bug.
#define SANDAN_FUZZ_EXPECTED(statement) \
  try {                                 \
    statement;                          \
  } catch (const sandan::Error&) {      \
  }
