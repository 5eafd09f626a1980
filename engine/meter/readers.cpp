#include "meter/readers.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <map>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "meter/time_stamp.hpp"

namespace sandan::meter {

namespace {

// Problems beyond this many are summed up in one line: a file with a wrong column has one on every row.
constexpr std::size_t kMaxProblems = 20;

std::string lower(std::string_view text) {
  std::string out(trim_blanks(text));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int find_column(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    for (const char* name : names) {
      if (header[i] == name) return static_cast<int>(i);
    }
  }
  return -1;
}

class ProblemList {
 public:
  explicit ProblemList(std::string path) : path_(std::move(path)) {}
  void add(int line, const std::string& message) {
    ++count_;
    if (list_.size() < kMaxProblems) list_.push_back(path_ + ":" + std::to_string(line) + ": " + message);
  }
  void throw_if_any(const std::string& headline) {
    if (count_ == 0) return;
    if (count_ > list_.size()) {
      list_.push_back(path_ + ": and " + std::to_string(count_ - list_.size()) + " more problems like these");
    }
    throw ConfigError(path_ + ": " + headline, list_);
  }

 private:
  std::string path_;
  std::vector<std::string> list_;
  std::size_t count_ = 0;
};

constexpr const char* kStampFormsHint =
    "write stamps as ISO 8601 (2018-01-01T00:15, a space instead of T, optional seconds, optional Z or "
    "+09:00) or day-first dd/mm/yyyy HH:MM";

std::optional<ParsedStamp> stamp_at(const CsvRecord& record, int column, ProblemList& problems) {
  const std::string_view text = trim_blanks(record.fields[static_cast<std::size_t>(column)]);
  auto stamp = parse_stamp(text);
  if (!stamp)
    problems.add(record.line, "cannot read the stamp '" + std::string(text) + "'; " + kStampFormsHint);
  return stamp;
}

// A value field: a number, or empty for a reading the meter did not deliver (a gap).
std::optional<double> value_at(const CsvRecord& record, int column, const std::string& what,
                               ProblemList& problems) {
  const std::string_view text = trim_blanks(record.fields[static_cast<std::size_t>(column)]);
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto value = parse_csv_double(text);
  if (!value) {
    problems.add(record.line, what + ": '" + std::string(text) +
                                  "' is not a number; write a plain decimal number, or leave the field "
                                  "empty for a missing reading");
  }
  return value;
}

bool check_width(const CsvRecord& record, std::size_t width, ProblemList& problems) {
  if (record.unbalanced_quotes) {
    problems.add(record.line, "a quote is opened and not closed; close it or remove it");
    return false;
  }
  if (record.fields.size() != width) {
    problems.add(record.line, "has " + std::to_string(record.fields.size()) + " fields, the header " +
                                  std::to_string(width) + "; give every row the header's columns");
    return false;
  }
  return true;
}

}  // namespace

const char* to_string(FileForm form) {
  switch (form) {
    case FileForm::kLong:
      return "long";
    case FileForm::kWide:
      return "wide";
    case FileForm::kSteelPlant:
      return "steel_plant";
  }
  return "long";
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

RawFile read_meter_csv(std::istream& in, const std::string& path, const std::string& single_meter_id) {
  const CsvFile csv = read_csv(in);
  RawFile file;
  file.path = path;
  if (csv.records.empty()) {
    throw ConfigError(path + ": no meter data",
                      {path + ":1: the file holds no header and no rows; give a header (e.g. "
                              "meter_id,timestamp,value,unit) and one reading a row"});
  }
  const CsvRecord& head = csv.records.front();
  std::vector<std::string> header;
  header.reserve(head.fields.size());
  for (const auto& field : head.fields) header.push_back(lower(field));
  ProblemList problems(path);

  const int steel_date = find_column(header, {"date"});
  const int steel_usage = find_column(header, {"usage_kwh"});
  const int meter_col = find_column(header, {"meter", "meter_id", "meter id", "meterid"});
  const int time_col = find_column(header, {"timestamp", "time", "datetime", "date_time", "date"});
  const int value_col = find_column(header, {"value"});
  const int unit_col = find_column(header, {"unit", "units"});

  if (steel_date >= 0 && steel_usage >= 0) {
    file.form = FileForm::kSteelPlant;
    if (single_meter_id.empty()) {
      throw ConfigError(path + ": no meter id for a single-meter file",
                        {path +
                         ":1: the file holds one meter's Usage_kWh and no meter id; name it in the "
                         "mapping: an entry with `file: " +
                         base_name(path) + "` and its `meter:`"});
    }
    RawMeter meter;
    meter.meter_id = single_meter_id;
    meter.unit = "kWh";  // the column is Usage_kWh: energy of each interval
    meter.source = path;
    meter.readings.reserve(csv.records.size());
    for (std::size_t r = 1; r < csv.records.size(); ++r) {
      const CsvRecord& record = csv.records[r];
      if (!check_width(record, header.size(), problems)) continue;
      auto stamp = stamp_at(record, steel_date, problems);
      auto value = value_at(record, steel_usage, "Usage_kWh", problems);
      if (stamp && value)
        meter.readings.push_back({stamp->local_minutes, stamp->offset_minutes, *value, record.line});
    }
    problems.throw_if_any("cannot read the meter data");
    file.meters.push_back(std::move(meter));
    return file;
  }

  if (meter_col >= 0 && time_col >= 0 && value_col >= 0) {
    file.form = FileForm::kLong;
    std::map<std::string, std::size_t> index;
    for (std::size_t r = 1; r < csv.records.size(); ++r) {
      const CsvRecord& record = csv.records[r];
      if (!check_width(record, header.size(), problems)) continue;
      const std::string id(trim_blanks(record.fields[static_cast<std::size_t>(meter_col)]));
      if (id.empty()) {
        problems.add(record.line, "the meter id is empty; give every row its meter's id");
        continue;
      }
      auto stamp = stamp_at(record, time_col, problems);
      auto value = value_at(record, value_col, "value", problems);
      if (!stamp || !value) continue;
      auto [it, fresh] = index.emplace(id, file.meters.size());
      if (fresh) {
        RawMeter meter;
        meter.meter_id = id;
        meter.source = path;
        file.meters.push_back(std::move(meter));
      }
      RawMeter& meter = file.meters[it->second];
      if (unit_col >= 0) {
        const std::string unit(trim_blanks(record.fields[static_cast<std::size_t>(unit_col)]));
        if (meter.unit.empty()) {
          meter.unit = unit;
        } else if (!unit.empty() && unit != meter.unit) {
          problems.add(record.line, "meter " + id + ": unit '" + unit + "' differs from its earlier '" +
                                        meter.unit + "'; give one meter's readings in one unit");
        }
      }
      meter.readings.push_back({stamp->local_minutes, stamp->offset_minutes, *value, record.line});
    }
    problems.throw_if_any("cannot read the meter data");
    return file;
  }

  if (time_col == 0 && header.size() >= 2 && meter_col < 0 && value_col < 0) {
    file.form = FileForm::kWide;
    std::vector<std::string> ids;
    for (std::size_t c = 1; c < head.fields.size(); ++c) {
      ids.emplace_back(trim_blanks(head.fields[c]));
      if (ids.back().empty())
        problems.add(head.line, "column " + std::to_string(c + 1) + " has no meter id; name it");
    }
    problems.throw_if_any("cannot read the meter data");
    file.meters.resize(ids.size());
    for (std::size_t m = 0; m < ids.size(); ++m) {
      file.meters[m].meter_id = ids[m];
      file.meters[m].source = path;
      file.meters[m].readings.reserve(csv.records.size());
    }
    for (std::size_t r = 1; r < csv.records.size(); ++r) {
      const CsvRecord& record = csv.records[r];
      if (!check_width(record, header.size(), problems)) continue;
      auto stamp = stamp_at(record, 0, problems);
      if (!stamp) continue;
      for (std::size_t m = 0; m < ids.size(); ++m) {
        auto value = value_at(record, static_cast<int>(m + 1), ids[m], problems);
        if (value) {
          file.meters[m].readings.push_back(
              {stamp->local_minutes, stamp->offset_minutes, *value, record.line});
        }
      }
    }
    problems.throw_if_any("cannot read the meter data");
    return file;
  }

  throw ConfigError(path + ": unknown form of meter data",
                    {path + ":" + std::to_string(head.line) +
                     ": the header matches no form sandan reads; use long (meter_id,timestamp,value[,unit]), "
                     "wide (timestamp then one column per meter id) or the steel plant export "
                     "(date,Usage_kWh,...); header names are matched case-insensitively"});
}

RawFile read_meter_file(const std::string& path, const std::string& single_meter_id) {
  if (std::string reason = unreadable_text_input(path, "meter data CSV"); !reason.empty())
    throw ConfigError(path + ": cannot open the meter data", {std::move(reason)});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path + ": cannot open the meter data",
                      {path + ": the file does not exist or cannot be read; check the path"});
  }
  return read_meter_csv(in, path, single_meter_id);
}

}  // namespace sandan::meter
