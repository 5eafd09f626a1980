// config/yaml_check: the checks every YAML configuration reader shares. A reader opens each map with
// MapView, reads typed values with the getters below and throws all collected problems at once, so
// a user fixes a file in one round.
//
// This header exposes YAML::Node: include it only from a module's .cpp files, never from a public
// header, so yaml-cpp stays out of the modules' interfaces.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sandan::config {

// The problems of one file, each as "file:line: key.path: message".
class Problems {
 public:
  // top_name stands for the key path of the whole document in "must be a map" problems.
  explicit Problems(std::string file, std::string top_name = "");

  void add(int line, const std::string& key_path, const std::string& message);
  void add(const YAML::Node& node, const std::string& key_path, const std::string& message);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::string& top_name() const { return top_name_; }
  [[nodiscard]] std::vector<std::string>& list() { return list_; }
  [[nodiscard]] const std::vector<std::string>& list() const { return list_; }

 private:
  std::string file_;
  std::string top_name_;
  std::vector<std::string> list_;
};

// "a.b" from "a" and "b"; just the key at the top level.
// Reads and parses a YAML file. what names the kind of file in messages ("tariff file"). Throws
// Error(kBadInput) if the file cannot be opened or is a folder, ConfigError with file and line if it
// is not YAML or has what yaml-cpp would accept silently: a key repeated in one map (yaml-cpp keeps
// the first), a second document after `---`, or nesting deeper than a configuration ever needs.
YAML::Node load_yaml_file(const std::string& path, const std::string& what);

// The same without throwing: problems ("file:line: message") are appended and a null node returned.
YAML::Node parse_yaml_file(const std::string& path, const std::string& what,
                           std::vector<std::string>& problems);

std::string join_path(const std::string& path, const std::string& key);
// "a[2]".
std::string indexed(const std::string& path, std::size_t index);
// How a node reads in a problem: "nothing", "a map", "a list", 'word', or the text "word" when quoted.
std::string describe(const YAML::Node& node);
// Shortest general form (%g), as a user would write the number.
std::string format_number(double value);

// A YAML map with a fixed set of keys: unknown, repeated and missing keys are reported when it is
// opened. Missing keys are reported at missing_line, the line of the key that holds the map, when it
// is given (a block map's own position is its first key); at the map's position otherwise.
class MapView {
 public:
  MapView(const YAML::Node& node, std::string path, Problems& problems,
          const std::vector<std::string>& required, const std::vector<std::string>& optional = {},
          int missing_line = 0);

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const YAML::Node& node() const { return node_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string path(const std::string& key) const { return join_path(path_, key); }
  // Line of a present key itself: a block map or list value starts on a later line.
  [[nodiscard]] int key_line(const std::string& key) const { return key_lines_.at(key); }
  [[nodiscard]] std::optional<YAML::Node> get(const std::string& key) const;

 private:
  YAML::Node node_;
  std::string path_;
  std::map<std::string, YAML::Node> values_;
  std::map<std::string, int> key_lines_;
  bool ok_ = false;
};

// Typed values. Each reports a wrong value and returns nothing; read_* return nothing without a
// report when the key is absent (MapView has reported it if it was required).
//
// Numbers must be plain YAML scalars: a quoted "1.5" is a text, and a wrong type is reported, not
// converted.
std::optional<std::string> as_text(const YAML::Node& node, const std::string& path, Problems& problems);
std::optional<std::string> read_text(const MapView& map, const std::string& key, Problems& problems);
std::optional<double> as_number(const YAML::Node& node, const std::string& path, Problems& problems);
std::optional<double> read_number(const MapView& map, const std::string& key, Problems& problems);
// A number in [lo, hi] (hi may be infinite); out of range is reported and gives nothing.
std::optional<double> as_number_in(const YAML::Node& node, const std::string& path, double lo, double hi,
                                   Problems& problems);
// Reports a value outside [lo, hi] as "must be in [lo, hi]", or "must be >= lo" for an infinite hi.
bool check_range(const YAML::Node& node, const std::string& path, double value, double lo, double hi,
                 Problems& problems);
// A whole number of at most 1e9 in magnitude.
std::optional<int> as_whole(const YAML::Node& node, const std::string& path, Problems& problems);
std::optional<bool> as_bool(const YAML::Node& node, const std::string& path, Problems& problems);
// A non-empty list of non-empty texts.
std::optional<std::vector<std::string>> as_text_list(const YAML::Node& node, const std::string& path,
                                                     Problems& problems);

// The `schema` and `version` keys of a data file's top-level map: they must be `schema` and `version`.
void check_schema(const MapView& top, const std::string& schema, int version, Problems& problems);

// The confidence of a sourced figure: verified, secondary or estimate.
std::optional<std::string> read_confidence(const MapView& map, Problems& problems);

// {value, source, confidence}: a figure and where it comes from.
struct SourcedValue {
  double value = 0.0;
  std::string source;
  std::string confidence;
};
// {value, source, confidence} with the value in [lo, hi]: the value, or nothing (reported) when a part
// is missing or wrong.
std::optional<double> read_figure(const MapView& parent, const std::string& key, double lo, double hi,
                                  Problems& problems);
// Nothing unless all three parts are present and valid.
std::optional<SourcedValue> read_sourced(const MapView& parent, const std::string& key, Problems& problems);

}  // namespace sandan::config
