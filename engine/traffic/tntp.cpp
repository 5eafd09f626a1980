#include "traffic/tntp.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/memory.hpp"
#include "traffic/number_text.hpp"

namespace sandan {

namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// TOTAL OD FLOW may differ from the sum of the entries by this much, relative (rounding in the files).
constexpr double kTotalTolerance = 1e-6;
// Problems listed per file before the rest are only counted: a broken large file stays readable.
constexpr std::size_t kMaxProblemsPerFile = 50;

// The columns of a link line, in the order of the files. The first seven are required.
constexpr std::array<const char*, 10> kLinkFields{"init_node",      "term_node", "capacity", "length",
                                                  "free_flow_time", "b",         "power",    "speed",
                                                  "toll",           "link_type"};
constexpr std::size_t kRequiredLinkFields = 7;
enum LinkField { kInit, kTerm, kCapacity, kLength, kFreeFlowTime, kB, kPower, kSpeed, kToll, kType };

// Every problem of a reading, each "file:line: what is wrong; how to fix".
class Problems {
 public:
  void add(const std::string& file, int line, const std::string& message) {
    add_text(file, file + ":" + std::to_string(line) + ": " + message);
  }
  void add(const std::string& file, const std::string& message) { add_text(file, file + ": " + message); }
  [[nodiscard]] bool empty() const { return list_.empty() && dropped_.empty(); }
  [[nodiscard]] std::size_t count(const std::string& file) const {
    const auto found = per_file_.find(file);
    return found == per_file_.end() ? 0 : found->second;
  }
  // The problems, with a closing line for each file whose further problems were only counted.
  [[nodiscard]] std::vector<std::string> list() const {
    std::vector<std::string> all = list_;
    for (const auto& [file, more] : dropped_) {
      all.push_back(file + ": … and " + std::to_string(more) + " more problems of the same kinds");
    }
    return all;
  }

 private:
  void add_text(const std::string& file, std::string text) {
    if (++per_file_[file] > kMaxProblemsPerFile) {
      ++dropped_[file];
      return;
    }
    list_.push_back(std::move(text));
  }

  std::vector<std::string> list_;
  std::map<std::string, std::size_t> per_file_;
  std::map<std::string, std::size_t> dropped_;
};

// One line of content with its 1-based number: line end, byte-order mark and '~' comment removed,
// trimmed; blank lines are left out.
struct TextLine {
  int number = 0;
  std::string text;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<TextLine> read_lines(const std::string& path, const std::string& what) {
  require_text_input(path, what + " of a TNTP case");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kBadInput, path + ": cannot open the " + what + "; check its permissions");
  std::vector<TextLine> lines;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    const auto comment = line.find('~');
    if (comment != std::string::npos) line.erase(comment);
    const std::string_view content = trim(line);
    if (content.empty()) continue;
    lines.push_back({number, std::string(content)});
  }
  if (in.bad()) throw Error(ErrorCode::kBadInput, path + ": cannot read the " + what);
  return lines;
}

// The words of a line: runs of characters other than blanks and ';' (the TNTP line terminator).
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (is_blank(text[i]) || text[i] == ';')) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_blank(text[i]) && text[i] != ';') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// Reads a finite number into *value; otherwise reports what is wrong with `name` and returns false.
bool read_finite(std::string_view text, const std::string& name, const std::string& file, int line,
                 Problems& problems, double* value) {
  const auto parsed = parse_number(text);
  if (!parsed) {
    problems.add(file, line,
                 name + " is not a number: '" + std::string(text) + "'; write a decimal number such as 12.5");
    return false;
  }
  if (!std::isfinite(*parsed)) {
    problems.add(file, line,
                 name + " is not a finite number: '" + std::string(text) + "'; write a finite value");
    return false;
  }
  *value = *parsed;
  return true;
}

// Reads a whole number (e.g. a node id) into *value; reports otherwise.
bool read_whole(std::string_view text, const std::string& name, const std::string& file, int line,
                Problems& problems, int* value) {
  double number = 0.0;
  if (!read_finite(text, name, file, line, problems, &number)) return false;
  if (number != std::floor(number) || std::abs(number) > std::numeric_limits<int>::max()) {
    problems.add(
        file, line,
        name + " must be a whole number, got " + std::string(text) + "; write it without a fraction");
    return false;
  }
  *value = static_cast<int>(number);
  return true;
}

// A metadata line "<TAG> value": the tag in upper case with single spaces, and the value.
struct Tag {
  std::string name;
  std::string value;
  int line = 0;
};

std::optional<Tag> parse_tag(const TextLine& line, const std::string& file, Problems& problems) {
  if (line.text.empty() || line.text.front() != '<') return std::nullopt;
  const auto close = line.text.find('>');
  if (close == std::string::npos) {
    problems.add(file, line.number,
                 "metadata tag without '>': '" + line.text + "'; write it as <NAME> value");
    return Tag{};
  }
  Tag tag;
  tag.line = line.number;
  for (const std::string_view word : words(std::string_view(line.text).substr(1, close - 1))) {
    if (!tag.name.empty()) tag.name += ' ';
    for (const char c : word) tag.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const auto value_words = words(std::string_view(line.text).substr(close + 1));
  if (!value_words.empty()) tag.value = std::string(value_words.front());
  return tag;
}

// The metadata tags of a file that the reader knows, each at most once.
class Metadata {
 public:
  Metadata(std::string file, std::vector<std::string> known)
      : file_(std::move(file)), known_(std::move(known)) {}

  void add(const Tag& tag, Problems& problems) {
    if (tag.name.empty()) return;
    if (tag.name == "END OF METADATA") {
      end_line_ = tag.line;
      return;
    }
    if (std::find(known_.begin(), known_.end(), tag.name) == known_.end()) return;  // e.g. ORIGINAL HEADER
    const auto [at, inserted] = tags_.emplace(tag.name, tag);
    if (!inserted) {
      problems.add(file_, tag.line,
                   "<" + tag.name + "> appears again (first on line " + std::to_string(at->second.line) +
                       "); keep one");
    }
  }

  [[nodiscard]] const Tag* find(const std::string& name) const {
    const auto found = tags_.find(name);
    return found == tags_.end() ? nullptr : &found->second;
  }
  // Line where a missing tag belongs: the end of the metadata, or the top of the file.
  [[nodiscard]] int missing_line() const { return end_line_ > 0 ? end_line_ : 1; }

  // A count tag (a whole number ≥ minimum); nullopt and a problem if absent (when required) or bad.
  std::optional<int> count(const std::string& name, int minimum, bool required, Problems& problems) const {
    const Tag* tag = find(name);
    if (tag == nullptr) {
      if (required) {
        problems.add(file_, missing_line(),
                     "missing <" + name + ">; add a line '<" + name + "> N' before <END OF METADATA>");
      }
      return std::nullopt;
    }
    int value = 0;
    if (!read_whole(tag->value, "<" + name + ">", file_, tag->line, problems, &value)) return std::nullopt;
    if (value < minimum) {
      problems.add(file_, tag->line,
                   "<" + name + "> must be at least " + std::to_string(minimum) + ", got " + tag->value +
                       "; correct the count");
      return std::nullopt;
    }
    return value;
  }

  // A finite number tag; `fallback` when absent.
  double number(const std::string& name, double fallback, Problems& problems) const {
    const Tag* tag = find(name);
    if (tag == nullptr) return fallback;
    double value = fallback;
    read_finite(tag->value, "<" + name + ">", file_, tag->line, problems, &value);
    return value;
  }

 private:
  std::string file_;
  std::vector<std::string> known_;
  std::map<std::string, Tag> tags_;
  int end_line_ = 0;
};

// "SiouxFalls" from ".../SiouxFalls_net.tntp".
std::string case_name(const std::string& net_file) {
  std::string stem = fs::path(net_file).stem().string();
  if (stem.size() > 4 && stem.ends_with("_net")) stem.erase(stem.size() - 4);
  return stem;
}

// The network file; problems are collected. zone_count and node_count are 0 where the metadata is
// unusable, so the trips and node files are then checked only as far as they can be.
TrafficNetwork parse_network(const std::string& file, int first_thru_node_override, Problems& problems) {
  const std::vector<TextLine> lines = read_lines(file, "network file");
  Metadata meta(file, {"NUMBER OF ZONES", "NUMBER OF NODES", "FIRST THRU NODE", "NUMBER OF LINKS",
                       "TOLL FACTOR", "DISTANCE FACTOR"});
  std::vector<const TextLine*> link_lines;
  for (const TextLine& line : lines) {
    if (const auto tag = parse_tag(line, file, problems)) {
      meta.add(*tag, problems);
    } else {
      link_lines.push_back(&line);
    }
  }

  TrafficNetwork net;
  net.name = case_name(file);
  const auto zones = meta.count("NUMBER OF ZONES", 1, true, problems);
  const auto nodes = meta.count("NUMBER OF NODES", 1, true, problems);
  const auto links = meta.count("NUMBER OF LINKS", 0, true, problems);
  const auto first_thru = meta.count("FIRST THRU NODE", 1, false, problems);
  net.toll_factor = meta.number("TOLL FACTOR", 0.0, problems);
  net.distance_factor = meta.number("DISTANCE FACTOR", 0.0, problems);
  if (net.toll_factor < 0.0) {
    problems.add(file, meta.find("TOLL FACTOR")->line,
                 "<TOLL FACTOR> must not be negative, got " + number_text(net.toll_factor) +
                     "; costs must not fall below the travel time");
  }
  if (net.distance_factor < 0.0) {
    problems.add(file, meta.find("DISTANCE FACTOR")->line,
                 "<DISTANCE FACTOR> must not be negative, got " + number_text(net.distance_factor) +
                     "; costs must not fall below the travel time");
  }

  bool fits = true;
  if (nodes && zones && links) {
    // What the case will allocate, estimated before anything is: each node's star index and every
    // thread's shortest-path labels (about 100 bytes a node), the trip matrix (8 bytes a zone pair)
    // and Algorithm B's bushes (a flow and a flag per link for every origin zone, 9 bytes).
    const double estimate = 100.0 * static_cast<double>(*nodes) +
                            8.0 * static_cast<double>(*zones) * static_cast<double>(*zones) +
                            9.0 * static_cast<double>(*zones) * static_cast<double>(*links);
    try {
      require_memory(estimate,
                     "the case (<NUMBER OF NODES> " + std::to_string(*nodes) + ", <NUMBER OF ZONES> " +
                         std::to_string(*zones) + ", <NUMBER OF LINKS> " + std::to_string(*links) + ")",
                     "check the counts in the metadata against the file");
    } catch (const Error& e) {
      problems.add(file, meta.find("NUMBER OF NODES")->line, e.what());
      fits = false;  // and nothing is sized by these counts
    }
  }
  if (nodes && fits) net.node_count = *nodes;
  if (fits && zones && nodes && *zones > *nodes) {
    problems.add(file, meta.find("NUMBER OF ZONES")->line,
                 "<NUMBER OF ZONES> " + std::to_string(*zones) + " exceeds <NUMBER OF NODES> " +
                     std::to_string(*nodes) + " (zones are nodes 1.." + std::to_string(*zones) +
                     "); correct either count");
  } else if (zones && fits) {
    net.zone_count = *zones;
  }
  if (first_thru_node_override > 0) {
    if (nodes && first_thru_node_override > *nodes) {
      problems.add(file, "the first thru node given (" + std::to_string(first_thru_node_override) +
                             ") is not a node of the network (1.." + std::to_string(*nodes) +
                             "); give 1 to let every node carry through traffic");
    } else {
      net.first_thru_node = first_thru_node_override - 1;
    }
  } else if (first_thru && nodes && *first_thru > *nodes) {
    problems.add(file, meta.find("FIRST THRU NODE")->line,
                 "<FIRST THRU NODE> " + std::to_string(*first_thru) + " is not a node of the network (1.." +
                     std::to_string(*nodes) +
                     "); use 1 if every node may carry through traffic, or the number of zones + 1 if "
                     "zones may not");
  } else if (first_thru) {
    net.first_thru_node = *first_thru - 1;
  }

  const std::string node_range = nodes ? "1.." + std::to_string(*nodes) : "";
  for (const TextLine* line : link_lines) {
    const std::vector<std::string_view> fields = words(line->text);
    if (std::none_of(fields.begin(), fields.end(), [](std::string_view f) { return parse_number(f); })) {
      problems.add(file, line->number, "not a link line: '" + line->text + "'; start comment lines with '~'");
      continue;
    }
    if (fields.size() < kRequiredLinkFields || fields.size() > kLinkFields.size()) {
      problems.add(file, line->number,
                   "a link line has 7 to 10 fields (init_node term_node capacity length free_flow_time b "
                   "power [speed toll link_type]), this one has " +
                       std::to_string(fields.size()) + "; correct the line");
      net.links.emplace_back();  // still counted against <NUMBER OF LINKS>
      continue;
    }
    TrafficLink link;
    std::array<double, kLinkFields.size()> value{};
    value[kSpeed] = 0.0;
    value[kToll] = 0.0;
    value[kType] = 1.0;
    bool ok = true;  // a field that cannot be read is NaN below, so it is not checked further
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (f == kInit || f == kTerm || f == kType) {
        int whole = 0;
        if (read_whole(fields[f], kLinkFields[f], file, line->number, problems, &whole)) {
          value[f] = whole;
        } else {
          ok = false;
          value[f] = kNaN;
        }
      } else if (!read_finite(fields[f], kLinkFields[f], file, line->number, problems, &value[f])) {
        ok = false;
        value[f] = kNaN;
      }
    }
    const int from = std::isnan(value[kInit]) ? 0 : static_cast<int>(value[kInit]);
    const int to = std::isnan(value[kTerm]) ? 0 : static_cast<int>(value[kTerm]);
    const std::string name = "link " + std::string(fields[kInit]) + " → " + std::string(fields[kTerm]);
    for (const LinkField end : {kInit, kTerm}) {
      const int node = end == kInit ? from : to;
      if (std::isnan(value[end]) || !nodes || (node >= 1 && node <= *nodes)) continue;
      problems.add(file, line->number,
                   name + ": " + kLinkFields[end] + " " + std::to_string(node) +
                       " is not a node of the network (" + node_range +
                       ", <NUMBER OF NODES>); correct the node or raise <NUMBER OF NODES>");
      ok = false;
    }
    if (value[kCapacity] <= 0.0) {
      problems.add(file, line->number,
                   name + ": capacity must be positive, got " + number_text(value[kCapacity]) +
                       "; give the link's capacity in vehicles per period");
      ok = false;
    }
    for (const LinkField f : {kLength, kFreeFlowTime, kB, kPower, kToll}) {
      if (value[f] < 0.0) {
        problems.add(file, line->number,
                     name + ": " + kLinkFields[f] + " must not be negative, got " + number_text(value[f]) +
                         "; correct the value");
        ok = false;
      }
    }
    if (ok) {
      link.from = from - 1;
      link.to = to - 1;
      link.capacity = value[kCapacity];
      link.length = value[kLength];
      link.free_flow_time = value[kFreeFlowTime];
      link.b = value[kB];
      link.power = value[kPower];
      link.toll = value[kToll];
      link.link_type = static_cast<int>(value[kType]);
    }
    net.links.push_back(link);
  }
  if (links && static_cast<std::size_t>(*links) != net.links.size()) {
    problems.add(file, meta.find("NUMBER OF LINKS")->line,
                 "<NUMBER OF LINKS> is " + std::to_string(*links) + " but the file has " +
                     std::to_string(net.links.size()) + " link lines; correct the count or the links");
  }
  return net;
}

// One token of a trips line: a word, ':' or ';'.
std::vector<std::string_view> trip_tokens(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_blank(text[i])) {
      ++i;
    } else if (text[i] == ':' || text[i] == ';') {
      out.push_back(text.substr(i, 1));
      ++i;
    } else {
      const std::size_t start = i;
      while (i < text.size() && !is_blank(text[i]) && text[i] != ':' && text[i] != ';') ++i;
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

bool is_origin_keyword(std::string_view word) {
  constexpr std::string_view kOrigin = "origin";
  if (word.size() != kOrigin.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != kOrigin[i]) return false;
  }
  return true;
}

// The trips file. net_zones: the network's zone count (0: unknown, the network being broken).
OdMatrix parse_trips(const std::string& file, int net_zones, const std::string& net_file, Problems& problems,
                     double* intrazonal_dropped) {
  const std::vector<TextLine> lines = read_lines(file, "trips file");
  Metadata meta(file, {"NUMBER OF ZONES", "TOTAL OD FLOW"});
  std::vector<const TextLine*> body;
  for (const TextLine& line : lines) {
    if (const auto tag = parse_tag(line, file, problems)) {
      meta.add(*tag, problems);
    } else {
      body.push_back(&line);
    }
  }
  const auto zones = meta.count("NUMBER OF ZONES", 1, true, problems);
  const Tag* total_tag = meta.find("TOTAL OD FLOW");
  double total = kNaN;
  if (total_tag != nullptr)
    read_finite(total_tag->value, "<TOTAL OD FLOW>", file, total_tag->line, problems, &total);
  if (zones && net_zones > 0 && *zones != net_zones) {
    problems.add(file, meta.find("NUMBER OF ZONES")->line,
                 "<NUMBER OF ZONES> is " + std::to_string(*zones) + " but the network " + net_file + " has " +
                     std::to_string(net_zones) + " zones; the two files must agree");
  }
  const int matrix_zones = net_zones > 0 ? net_zones : zones.value_or(0);
  OdMatrix demand(matrix_zones);
  std::vector<int> first_line(demand.values.size(), 0);
  const std::string zone_range = "1.." + std::to_string(matrix_zones);
  const std::size_t problems_before = problems.count(file);

  double sum = 0.0;
  double intrazonal = 0.0;
  int origin = -1;  // 0-based; -1 before the first Origin line or after a bad one
  bool origin_seen = false;
  for (const TextLine* line : body) {
    const std::vector<std::string_view> tokens = trip_tokens(line->text);
    if (tokens.empty()) continue;  // separators only
    std::size_t i = 0;
    if (is_origin_keyword(tokens.front())) {
      origin_seen = true;
      origin = -1;
      int id = 0;
      if (tokens.size() < 2) {
        problems.add(file, line->number, "'Origin' without a zone number; write 'Origin 3'");
        continue;
      }
      if (read_whole(tokens[1], "origin", file, line->number, problems, &id)) {
        if (matrix_zones > 0 && (id < 1 || id > matrix_zones)) {
          problems.add(file, line->number,
                       "origin " + std::to_string(id) + " is not a zone (" + zone_range +
                           ", <NUMBER OF ZONES>); correct the origin or the zone count");
        } else {
          origin = id - 1;
        }
      }
      i = 2;
    } else if (!origin_seen) {
      problems.add(file, line->number,
                   "demand before the first 'Origin' line: '" + line->text +
                       "'; start each origin's block with 'Origin N'");
      origin_seen = true;  // reported once
      continue;
    }
    while (i < tokens.size()) {
      if (tokens[i] == ";") {
        ++i;
        continue;
      }
      if (i + 2 >= tokens.size() || tokens[i + 1] != ":" || tokens[i] == ":") {
        problems.add(
            file, line->number,
            "expected 'destination : trips;' entries, got '" + line->text + "'; write e.g. '2 : 100.0;'");
        break;
      }
      const std::string_view dest_text = tokens[i];
      const std::string_view value_text = tokens[i + 2];
      i += 3;
      int dest = 0;
      const bool dest_ok = read_whole(dest_text, "destination", file, line->number, problems, &dest);
      // The entry's name is formed only for a problem: trips files run to millions of entries.
      const auto parsed = parse_number(value_text);
      double value = parsed.value_or(kNaN);
      if (!std::isfinite(value)) {
        read_finite(value_text, "trips to destination " + std::string(dest_text), file, line->number,
                    problems, &value);
        continue;
      }
      if (!dest_ok) continue;
      if (matrix_zones > 0 && (dest < 1 || dest > matrix_zones)) {
        problems.add(file, line->number,
                     "destination " + std::to_string(dest) + " is not a zone (" + zone_range +
                         ", <NUMBER OF ZONES>); correct the destination or the zone count");
        continue;
      }
      if (value < 0.0) {
        problems.add(file, line->number,
                     "trips to destination " + std::to_string(dest) + " must not be negative, got " +
                         std::string(value_text) + "; correct the demand");
        continue;
      }
      sum += value;
      if (origin < 0 || matrix_zones == 0) continue;
      const std::size_t at = static_cast<std::size_t>(origin) * static_cast<std::size_t>(matrix_zones) +
                             static_cast<std::size_t>(dest - 1);
      if (first_line[at] > 0) {
        problems.add(file, line->number,
                     "destination " + std::to_string(dest) + " of origin " + std::to_string(origin + 1) +
                         " appears again (first on line " + std::to_string(first_line[at]) +
                         "); give each pair once");
        continue;
      }
      first_line[at] = line->number;
      if (dest - 1 == origin) {
        intrazonal += value;
      } else {
        demand.values[at] = value;
      }
    }
  }
  // The total is checked only when every entry could be read: otherwise it would repeat those problems.
  if (problems.count(file) == problems_before && total_tag != nullptr && std::isfinite(total) &&
      std::abs(sum - total) > kTotalTolerance * std::max(std::abs(total), std::abs(sum))) {
    problems.add(file, total_tag->line,
                 "<TOTAL OD FLOW> is " + total_tag->value + " but the entries sum to " + number_text(sum) +
                     "; correct the total or the entries");
  }
  if (intrazonal_dropped != nullptr) *intrazonal_dropped = intrazonal;
  return demand;
}

// The optional node file: "node x y ;" rows after a header line.
void parse_nodes(const std::string& file, int node_count, std::vector<double>& x, std::vector<double>& y,
                 Problems& problems) {
  const std::vector<TextLine> lines = read_lines(file, "node file");
  x.assign(static_cast<std::size_t>(node_count), kNaN);
  y.assign(static_cast<std::size_t>(node_count), kNaN);
  std::vector<int> first_line(static_cast<std::size_t>(node_count), 0);
  bool header = true;
  for (const TextLine& line : lines) {
    if (line.text.empty() || line.text.front() == '<') continue;  // metadata, if any
    const std::vector<std::string_view> fields = words(line.text);
    // A line of separators only (";", found by fuzzing) has no fields.
    if (fields.empty()) continue;
    if (header && !parse_number(fields.front())) {  // "Node X Y ;"
      header = false;
      continue;
    }
    header = false;
    if (fields.size() < 3) {
      problems.add(file, line.number,
                   "a node line has a node id, x and y, this one " + std::to_string(fields.size()) +
                       " field(s); complete the line");
      continue;
    }
    int id = 0;
    double xv = 0.0;
    double yv = 0.0;
    const bool id_ok = read_whole(fields[0], "node", file, line.number, problems, &id);
    const bool x_ok = read_finite(fields[1], "x", file, line.number, problems, &xv);
    const bool y_ok = read_finite(fields[2], "y", file, line.number, problems, &yv);
    if (!id_ok || !x_ok || !y_ok || node_count == 0) continue;
    if (id < 1 || id > node_count) {
      problems.add(file, line.number,
                   "node " + std::to_string(id) + " is not a node of the network (1.." +
                       std::to_string(node_count) + ", <NUMBER OF NODES>); correct or remove the line");
      continue;
    }
    const auto at = static_cast<std::size_t>(id - 1);
    if (first_line[at] > 0) {
      problems.add(file, line.number,
                   "node " + std::to_string(id) + " appears again (first on line " +
                       std::to_string(first_line[at]) + "); give each node once");
      continue;
    }
    first_line[at] = line.number;
    x[at] = xv;
    y[at] = yv;
  }
}

// The files of `dir` whose names end with `suffix`, sorted.
std::vector<std::string> files_ending(const std::vector<std::string>& names, const std::string& suffix) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(name);
  }
  return out;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Writes every file under a temporary name first and renames them only when all are written.
void write_files(const std::vector<std::pair<fs::path, std::string>>& files) {
  std::vector<std::pair<std::string, std::string>> named;
  named.reserve(files.size());
  for (const auto& [path, text] : files) named.emplace_back(path.string(), text);
  write_files_atomically(named);
}

void create_parent(const fs::path& path) {
  const fs::path parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) throw Error(ErrorCode::kIo, parent.string() + ": cannot create the folder: " + error.message());
}

}  // namespace

TrafficNetwork read_tntp_network(const std::string& net_file, int first_thru_node_override) {
  Problems problems;
  TrafficNetwork net = parse_network(net_file, first_thru_node_override, problems);
  if (!problems.empty()) throw ConfigError(net_file + ": invalid TNTP network file", problems.list());
  net.build_index();
  return net;
}

OdMatrix read_tntp_trips(const std::string& trips_file, const TrafficNetwork& net,
                         double* intrazonal_dropped) {
  Problems problems;
  OdMatrix demand = parse_trips(trips_file, net.zone_count, net.name, problems, intrazonal_dropped);
  if (!problems.empty()) throw ConfigError(trips_file + ": invalid TNTP trips file", problems.list());
  return demand;
}

TntpCase read_tntp_dir(const std::string& dir, int first_thru_node_override) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw Error(ErrorCode::kBadInput,
                dir + ": no such folder; give a folder holding a TNTP case (*_net.tntp, *_trips.tntp)");
  }
  std::vector<std::string> names;
  // Entries that are not regular files (a folder named small_net.tntp): named when a file is missing,
  // since "found none" beside such an entry reads as a contradiction.
  std::vector<std::string> not_files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    std::error_code kind_error;
    (it->is_regular_file(kind_error) ? names : not_files).push_back(it->path().filename().string());
  }
  if (error) throw Error(ErrorCode::kBadInput, dir + ": cannot list the folder: " + error.message());
  std::sort(names.begin(), names.end());
  const std::vector<std::string> nets = files_ending(names, "_net.tntp");
  const std::vector<std::string> trips = files_ending(names, "_trips.tntp");
  const std::vector<std::string> nodes = files_ending(names, "_node.tntp");
  std::vector<std::string> layout;
  std::sort(not_files.begin(), not_files.end());
  const auto expect_one = [&](const std::vector<std::string>& found, const char* pattern,
                              const char* suffix) {
    if (found.size() == 1) return;
    const std::vector<std::string> others = files_ending(not_files, suffix);
    layout.push_back(
        dir + ": expected exactly one " + pattern + " file, found " +
        (found.empty() ? std::string("none") : std::to_string(found.size()) + ": " + join(found)) +
        (others.empty() ? std::string()
                        : " (" + join(others) + (others.size() == 1 ? " is" : " are") +
                              " not a file but a folder "
                              "or another kind of entry)") +
        "; keep one in the folder");
  };
  expect_one(nets, "*_net.tntp", "_net.tntp");
  expect_one(trips, "*_trips.tntp", "_trips.tntp");
  if (nodes.size() > 1) {
    layout.push_back(dir + ": expected at most one *_node.tntp file, found " + std::to_string(nodes.size()) +
                     ": " + join(nodes) + "; keep one in the folder");
  }
  if (!layout.empty()) throw ConfigError(dir + ": not a TNTP case folder", layout);

  const fs::path root(dir);
  TntpCase tntp;
  tntp.net_file = (root / nets.front()).string();
  tntp.trips_file = (root / trips.front()).string();
  Problems problems;
  tntp.network = parse_network(tntp.net_file, first_thru_node_override, problems);
  tntp.demand = parse_trips(tntp.trips_file, tntp.network.zone_count, tntp.net_file, problems,
                            &tntp.intrazonal_dropped);
  if (!nodes.empty()) {
    parse_nodes((root / nodes.front()).string(), tntp.network.node_count, tntp.node_x, tntp.node_y, problems);
  }
  if (!problems.empty()) throw ConfigError(dir + ": invalid TNTP case", problems.list());
  tntp.network.build_index();
  return tntp;
}

std::vector<TntpFlow> read_tntp_flow(const std::string& flow_file) {
  const std::vector<TextLine> lines = read_lines(flow_file, "flow file");
  Problems problems;
  std::vector<TntpFlow> flows;
  bool header = true;
  for (const TextLine& line : lines) {
    if (line.text.empty() || line.text.front() == '<') continue;
    const std::vector<std::string_view> fields = words(line.text);
    if (fields.empty()) continue;                   // separators only (found by fuzzing)
    if (header && !parse_number(fields.front())) {  // "From To Volume Cost"
      header = false;
      continue;
    }
    header = false;
    if (fields.size() != 4) {
      problems.add(flow_file, line.number,
                   "a flow line has 4 fields (From To Volume Cost), this one " +
                       std::to_string(fields.size()) + "; correct the line");
      continue;
    }
    TntpFlow flow;
    bool ok = read_whole(fields[0], "From", flow_file, line.number, problems, &flow.from);
    ok = read_whole(fields[1], "To", flow_file, line.number, problems, &flow.to) && ok;
    ok = read_finite(fields[2], "Volume", flow_file, line.number, problems, &flow.volume) && ok;
    ok = read_finite(fields[3], "Cost", flow_file, line.number, problems, &flow.cost) && ok;
    if (ok && (flow.from < 1 || flow.to < 1)) {
      problems.add(flow_file, line.number, "node ids start at 1; correct From and To");
    }
    flows.push_back(flow);
  }
  if (!problems.empty()) throw ConfigError(flow_file + ": invalid TNTP flow file", problems.list());
  return flows;
}

void write_tntp(const TrafficNetwork& net, const OdMatrix& demand, const std::string& net_file,
                const std::string& trips_file) {
  std::string net_text;
  net_text += "<NUMBER OF ZONES> " + std::to_string(net.zone_count) + "\n";
  net_text += "<NUMBER OF NODES> " + std::to_string(net.node_count) + "\n";
  net_text += "<FIRST THRU NODE> " + std::to_string(net.first_thru_node + 1) + "\n";
  net_text += "<NUMBER OF LINKS> " + std::to_string(net.links.size()) + "\n";
  net_text += "<TOLL FACTOR> " + number_text(net.toll_factor) + "\n";
  net_text += "<DISTANCE FACTOR> " + number_text(net.distance_factor) + "\n";
  net_text += "<END OF METADATA>\n\n\n";
  net_text +=
      "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;\n";
  for (const TrafficLink& link : net.links) {
    net_text += "\t" + std::to_string(link.from + 1) + "\t" + std::to_string(link.to + 1) + "\t" +
                number_text(link.capacity) + "\t" + number_text(link.length) + "\t" +
                number_text(link.free_flow_time) + "\t" + number_text(link.b) + "\t" +
                number_text(link.power) + "\t0\t" + number_text(link.toll) + "\t" +
                std::to_string(link.link_type) + "\t;\n";
  }
  std::vector<std::pair<fs::path, std::string>> files{{fs::path(net_file), net_text}};

  if (!trips_file.empty()) {
    if (demand.zones != net.zone_count) {
      throw Error(ErrorCode::kInternal, "write_tntp: the demand has " + std::to_string(demand.zones) +
                                            " zones, the network " + std::to_string(net.zone_count));
    }
    // The total is summed in the order the reader sums the entries, so it reads back exactly.
    double total = 0.0;
    for (const double value : demand.values) total += value;
    std::string trips_text;
    trips_text += "<NUMBER OF ZONES> " + std::to_string(demand.zones) + "\n";
    trips_text += "<TOTAL OD FLOW> " + number_text(total) + "\n";
    trips_text += "<END OF METADATA>\n\n\n";
    constexpr int kPerLine = 5;
    for (int o = 0; o < demand.zones; ++o) {
      trips_text += "Origin \t" + std::to_string(o + 1) + "\n";
      int on_line = 0;
      for (int d = 0; d < demand.zones; ++d) {
        const double value = demand.at(o, d);
        if (value == 0.0) continue;
        trips_text += "    " + std::to_string(d + 1) + " : " + number_text(value) + ";";
        if (++on_line == kPerLine) {
          trips_text += "\n";
          on_line = 0;
        }
      }
      trips_text += on_line > 0 ? "\n\n" : "\n";
    }
    files.emplace_back(fs::path(trips_file), trips_text);
  }
  for (const auto& [path, text] : files) create_parent(path);
  write_files(files);
}

void write_assignment_outputs(const TrafficNetwork& net, const AssignmentResult& result,
                              const std::string& algorithm, const std::string& dir) {
  if (result.link_flow.size() != net.links.size() || result.link_cost.size() != net.links.size()) {
    throw Error(ErrorCode::kInternal, "write_assignment_outputs: the result is not of this network");
  }
  std::string flows = "from,to,volume,cost\n";
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    flows += std::to_string(net.links[l].from + 1) + "," + std::to_string(net.links[l].to + 1) + "," +
             number_text(result.link_flow[l]) + "," + number_text(result.link_cost[l]) + "\n";
  }
  nlohmann::ordered_json summary;
  summary["network"] = net.name;
  summary["algorithm"] = algorithm;
  summary["converged"] = result.converged;
  summary["iterations"] = result.iterations;
  summary["relative_gap"] = result.relative_gap;
  summary["tstt"] = result.tstt;
  summary["objective"] = result.objective;
  summary["seconds"] = result.seconds;
  summary["links"] = net.links.size();
  summary["zones"] = net.zone_count;
  summary["nodes"] = net.node_count;

  write_files_into_folder(dir, {{"flows.csv", flows}, {"summary.json", summary.dump(2) + "\n"}});
}

}  // namespace sandan
