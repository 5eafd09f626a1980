// view/server: `sandan serve`, the control-centre view (docs/view.md): an HTTP server on one address
// and port answering the API of view/view_data.hpp and serving the page's own files (web/src) and
// MapLibre's (web/node_modules/maplibre-gl/dist), nothing else.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "view/view_data.hpp"

namespace sandan {

struct ServeOptions {
  ViewOptions view;
  std::string host = "127.0.0.1";
  int port = 8080;     // 0: any free port
  std::string assets;  // the web folder (holding src/index.html); "": found from the program's folder
};

// The web folder: `given` if not empty (checked), else the first web/src/index.html found in the
// folder of the running program or above it, or in the working folder or above it. Throws
// Error(kBadInput) when there is none, naming what to install.
[[nodiscard]] std::string find_web_assets(const std::string& given);

// Maps a request path to a file of the web folder: "/" to src/index.html, "/NAME" to src/NAME for a
// plain file name (letters, digits, '.', '_', '-', not starting with '.'), "/vendor/maplibre-gl.js"
// and ".css" to MapLibre's; nullopt for every other path, so nothing outside is ever served.
[[nodiscard]] std::optional<std::string> asset_file(const std::string& web_folder, const std::string& path);

// Opens the files (errors at start: Error(kBadInput)), listens, writes "sandan: serving URL (Ctrl-C to
// stop)" to `out` once it accepts connections, and serves until SIGINT or SIGTERM (the handlers of
// core/interrupt must be installed) or until `stop` returns true (checked every 100 ms). Throws
// Error(kIo) when the address cannot be bound.
void serve(const ServeOptions& options, std::ostream& out, const std::function<bool()>& stop = nullptr);

}  // namespace sandan
