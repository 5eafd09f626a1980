#include "config/yaml_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "core/error.hpp"

namespace sandan::config {

namespace {

// Far deeper than any sandan file (the scenarios nest four levels); a fuzzed or hostile file nested
// thousands deep would otherwise exhaust the stack of the recursive checks and readers.
constexpr int kMaxDepth = 64;

std::string key_text(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : describe(key); }

void check_structure(const YAML::Node& node, const std::string& path, const std::string& file, int depth,
                     std::vector<std::string>& problems) {
  if (depth > kMaxDepth) {
    problems.push_back(file + ":" + std::to_string(node.Mark().line + 1) + ": " +
                       (path.empty() ? "(top)" : path) + ": nested more than " + std::to_string(kMaxDepth) +
                       " levels deep; no sandan file needs that");
    return;
  }
  if (node.IsMap()) {
    std::map<std::string, int> first_line;
    for (const auto& entry : node) {
      const std::string key = key_text(entry.first);
      const int line = entry.first.Mark().line + 1;
      // A complex key (`? - item`, found by fuzzing) would throw from every reader's as<std::string>().
      if (!entry.first.IsScalar()) {
        problems.push_back(file + ":" + std::to_string(line) + ": " + (path.empty() ? "(top)" : path) +
                           ": a key must be a word, got " + key + "; write `key: value`");
        continue;
      }
      const auto [it, inserted] = first_line.emplace(key, line);
      if (!inserted) {
        problems.push_back(file + ":" + std::to_string(line) + ": " + join_path(path, key) +
                           ": repeated key (first at line " + std::to_string(it->second) +
                           "); a YAML map states each key once: remove one of them");
        continue;
      }
      check_structure(entry.second, join_path(path, key), file, depth + 1, problems);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      check_structure(node[i], indexed(path, i), file, depth + 1, problems);
  }
}

// The start of each document of a stream, and nothing else: yaml-cpp's events are ignored.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 (Debian 12) reads a token that no node can start with (a ',' outside a flow
// collection) as an empty document without consuming it, so YAML::LoadAll adds empty documents until
// memory runs out (jbeder/yaml-cpp#1040, fixed after 0.8). The stray token's mark, if the text has
// one: where a document starts without the stream having moved on since the previous one.
std::optional<YAML::Mark> stuck_token(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts documents;
  while (parser.HandleNextDocument(documents)) {
    const std::vector<YAML::Mark>& starts = documents.starts;
    if (starts.size() >= 2 && starts.back().pos <= starts[starts.size() - 2].pos) return starts.back();
  }
  return std::nullopt;
}

}  // namespace

YAML::Node parse_yaml_file(const std::string& path, const std::string& what,
                           std::vector<std::string>& problems) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    problems.push_back(path + ": is a folder, not a " + what + "; name the file itself");
    return {};
  }
  // A device such as /dev/zero would be read without end (unreadable_text_input, core/files.hpp).
  if (const auto status = std::filesystem::status(path, error);
      std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status)) {
    problems.push_back(path + ": is a device, not a " + what + "; name a file");
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back(path + ": cannot read the " + what);
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    problems.push_back(path + ": cannot read " + what);
    return {};
  }
  std::vector<YAML::Node> documents;
  try {
    if (const std::optional<YAML::Mark> stray = stuck_token(text.str())) {
      const auto at = static_cast<std::size_t>(stray->pos);
      const std::string token = at < text.str().size() ? text.str().substr(at, 1) : "";
      problems.push_back(path + ":" + std::to_string(stray->line + 1) + ": not valid YAML: unexpected '" +
                         token + "' (a ',' outside [ ] or { }?)");
      return {};
    }
    documents = YAML::LoadAll(text.str());
  } catch (const YAML::Exception& e) {
    problems.push_back(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
    return {};
  }
  if (documents.empty()) return {};
  if (documents.size() > 1) {
    const YAML::Node& second = documents[1];
    const int line = second.IsDefined() ? second.Mark().line + 1 : 0;
    problems.push_back(path + (line > 0 ? ":" + std::to_string(line) : "") +
                       ": a second YAML document (after '---'); a " + what +
                       " is one document: merge them or remove the '---' line");
  }
  const std::size_t before = problems.size();
  check_structure(documents[0], "", path, 0, problems);
  return problems.size() == before && documents.size() == 1 ? documents[0] : YAML::Node();
}

YAML::Node load_yaml_file(const std::string& path, const std::string& what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw Error(ErrorCode::kBadInput, path + ": is a folder, not a " + what + "; name the file itself");
  if (const auto status = std::filesystem::status(path, error);
      std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status))
    throw Error(ErrorCode::kBadInput, path + ": is a device, not a " + what + "; name a file");
  {
    const std::ifstream probe(path);
    if (!probe) throw Error(ErrorCode::kBadInput, path + ": cannot open " + what);
  }
  std::vector<std::string> problems;
  YAML::Node root = parse_yaml_file(path, what, problems);
  if (!problems.empty()) throw ConfigError(path + ": invalid " + what, problems);
  return root;
}

Problems::Problems(std::string file, std::string top_name)
    : file_(std::move(file)), top_name_(std::move(top_name)) {}

void Problems::add(int line, const std::string& key_path, const std::string& message) {
  list_.push_back(file_ + ":" + std::to_string(line) + ": " + key_path + ": " + message);
}

void Problems::add(const YAML::Node& node, const std::string& key_path, const std::string& message) {
  add(node.Mark().line + 1, key_path, message);
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.Tag() == "!") return "the text \"" + node.Scalar() + "\"";
  return "'" + node.Scalar() + "'";
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

MapView::MapView(const YAML::Node& node, std::string path, Problems& problems,
                 const std::vector<std::string>& required, const std::vector<std::string>& optional,
                 int missing_line)
    : node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    problems.add(node, path_.empty() ? problems.top_name() : path_, "must be a map, got " + describe(node));
    return;
  }
  ok_ = true;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      problems.add(key, path_, "keys must be words, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const bool known = std::find(required.begin(), required.end(), name) != required.end() ||
                       std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known) {
      problems.add(key, join_path(path_, name), "unknown key");
    } else if (!values_.emplace(name, entry.second).second) {
      problems.add(key, join_path(path_, name), "repeated key");
    } else {
      key_lines_[name] = key.Mark().line + 1;
    }
  }
  const int line = missing_line > 0 ? missing_line : node.Mark().line + 1;
  for (const auto& name : required) {
    if (values_.find(name) == values_.end()) problems.add(line, join_path(path_, name), "missing");
  }
}

std::optional<YAML::Node> MapView::get(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> as_text(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    problems.add(node, path, "must be a non-empty text, got " + describe(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> read_text(const MapView& map, const std::string& key, Problems& problems) {
  const auto node = map.get(key);
  if (!node) return std::nullopt;
  return as_text(*node, map.path(key), problems);
}

std::optional<double> as_number(const YAML::Node& node, const std::string& path, Problems& problems) {
  double value = 0.0;
  if (!node.IsScalar() || node.Tag() == "!" || !YAML::convert<double>::decode(node, value) ||
      !std::isfinite(value)) {
    problems.add(node, path, "must be a number, got " + describe(node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> read_number(const MapView& map, const std::string& key, Problems& problems) {
  const auto node = map.get(key);
  if (!node) return std::nullopt;
  return as_number(*node, map.path(key), problems);
}

bool check_range(const YAML::Node& node, const std::string& path, double value, double lo, double hi,
                 Problems& problems) {
  if (value >= lo && value <= hi) return true;
  const std::string range = std::isinf(hi) ? ">= " + format_number(lo)
                                           : "in [" + format_number(lo) + ", " + format_number(hi) + "]";
  problems.add(node, path, "must be " + range + ", got " + format_number(value));
  return false;
}

std::optional<double> as_number_in(const YAML::Node& node, const std::string& path, double lo, double hi,
                                   Problems& problems) {
  const auto value = as_number(node, path, problems);
  if (!value || !check_range(node, path, *value, lo, hi, problems)) return std::nullopt;
  return value;
}

std::optional<int> as_whole(const YAML::Node& node, const std::string& path, Problems& problems) {
  // Beyond this a double no longer converts to int safely, and no configured count comes near it.
  constexpr double kMaxWhole = 1e9;
  const auto value = as_number(node, path, problems);
  if (!value) return std::nullopt;
  if (*value != std::floor(*value) || std::abs(*value) > kMaxWhole) {
    problems.add(node, path, "must be a whole number, got " + format_number(*value));
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::optional<bool> as_bool(const YAML::Node& node, const std::string& path, Problems& problems) {
  if (node.IsScalar() && node.Tag() != "!") {
    if (node.Scalar() == "true") return true;
    if (node.Scalar() == "false") return false;
  }
  problems.add(node, path, "must be true or false, got " + describe(node));
  return std::nullopt;
}

std::optional<std::vector<std::string>> as_text_list(const YAML::Node& node, const std::string& path,
                                                     Problems& problems) {
  if (!node.IsSequence() || node.size() == 0) {
    problems.add(node, path, "must be a non-empty list, got " + describe(node));
    return std::nullopt;
  }
  std::vector<std::string> texts;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto text = as_text(node[i], indexed(path, i), problems)) {
      texts.push_back(std::move(*text));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return texts;
}

std::optional<std::string> read_confidence(const MapView& map, Problems& problems) {
  auto word = read_text(map, "confidence", problems);
  if (word && *word != "verified" && *word != "secondary" && *word != "estimate") {
    problems.add(*map.get("confidence"), map.path("confidence"),
                 "must be verified, secondary or estimate, got '" + *word + "'");
    return std::nullopt;
  }
  return word;
}

std::optional<SourcedValue> read_sourced(const MapView& parent, const std::string& key, Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"value", "source", "confidence"});
  if (!map.ok()) return std::nullopt;
  const auto value = read_number(map, "value", problems);
  const auto source = read_text(map, "source", problems);
  const auto confidence = read_confidence(map, problems);
  if (!value || !source || !confidence) return std::nullopt;
  return SourcedValue{*value, *source, *confidence};
}

void check_schema(const MapView& top, const std::string& schema, int version, Problems& problems) {
  if (const auto node = top.get("schema"); node && (!node->IsScalar() || node->Scalar() != schema)) {
    problems.add(*node, top.path("schema"), "must be " + schema + ", got " + describe(*node));
  }
  if (const auto node = top.get("version")) {
    if (const auto value = as_number(*node, top.path("version"), problems); value && *value != version) {
      problems.add(*node, top.path("version"),
                   "must be " + std::to_string(version) + ", got " + format_number(*value));
    }
  }
}

std::optional<double> read_figure(const MapView& parent, const std::string& key, double lo, double hi,
                                  Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"value", "source", "confidence"}, {},
                    parent.key_line(key));
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "source", problems);
  (void)read_confidence(map, problems);
  const auto value_node = map.get("value");
  if (!value_node) return std::nullopt;
  const auto value = as_number(*value_node, map.path("value"), problems);
  if (!value || !check_range(*value_node, map.path("value"), *value, lo, hi, problems)) return std::nullopt;
  return value;
}

}  // namespace sandan::config
