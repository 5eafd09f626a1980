// Layouts (gis reader), in GDAL's in-memory file system: the input as a GeoPackage when it starts
// as an SQLite file, else as GeoJSON files (one layer each, named by their "name" member), the
// input's parts between "%%" lines.
#include <cpl_vsi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "gis/reader.hpp"

namespace {

constexpr std::size_t kMaxLayers = 8;

void add_file(const std::string& path, const void* bytes, std::size_t size, std::vector<std::string>& paths) {
  // GDAL reads the buffer in place (not copied, not owned).
  VSILFILE* file = VSIFileFromMemBuffer(path.c_str(), static_cast<GByte*>(const_cast<void*>(bytes)),
                                        static_cast<vsi_l_offset>(size), FALSE);
  if (file == nullptr) return;
  VSIFCloseL(file);
  paths.push_back(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr const char kSqlite[] = "SQLite format 3";
  std::vector<std::string> paths;
  if (size >= sizeof(kSqlite) - 1 && std::memcmp(data, kSqlite, sizeof(kSqlite) - 1) == 0) {
    add_file("/vsimem/fuzz_layout.gpkg", data, size, paths);
  } else {
    const auto parts = sandan_fuzz::split_parts(data, size, kMaxLayers);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].empty()) continue;
      add_file("/vsimem/fuzz_layout_" + std::to_string(i) + ".geojson", parts[i].data(), parts[i].size(),
               paths);
    }
  }
  if (paths.empty()) return 0;
  try {
    const sandan::SiteReadResult result = sandan::read_site(paths);
    (void)result;
  } catch (const sandan::Error&) {
  }
  for (const std::string& path : paths) VSIUnlink(path.c_str());
  return 0;
}
