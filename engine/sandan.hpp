// sandan: the facade the command line and the Python bindings use. Everything here is a thin call
// into the modules; see each module's header for units, CRS and what is thrown.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "gis/inspect.hpp"
#include "gis/reader.hpp"
#include "gis/site.hpp"
#include "gis/synth.hpp"
#include "gis/writer.hpp"

namespace sandan {

// The library's version, e.g. "0.1.0".
[[nodiscard]] const char* version();

// Synthesises a layout from a facts file and writes it. Returns the Site written (in EPSG:5186).
// Throws ConfigError for a bad facts file, Error(kIo) if the output cannot be written.
Site synthesize_to_file(const std::string& facts_path, const std::string& output_path,
                        const SynthOptions& synth_options, const WriteOptions& write_options);

}  // namespace sandan
