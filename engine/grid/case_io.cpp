#include "grid/case_io.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <utility>
#include <vector>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace sandan {

namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Column {
  const char* name;
  bool required;
  double fallback;  // value of an optional column the file lacks
};

// The MATPOWER columns sandan reads; the solver needs the required ones.
constexpr std::array<Column, 13> kBusColumns{{{"bus_i", true, 0.0},
                                              {"type", true, 0.0},
                                              {"Pd", true, 0.0},
                                              {"Qd", true, 0.0},
                                              {"Gs", true, 0.0},
                                              {"Bs", true, 0.0},
                                              {"area", false, 1.0},
                                              {"Vm", true, 0.0},
                                              {"Va", true, 0.0},
                                              {"baseKV", false, 0.0},
                                              {"zone", false, 1.0},
                                              {"Vmax", false, 1.1},
                                              {"Vmin", false, 0.9}}};
enum BusColumn { kBusI, kType, kPd, kQd, kGs, kBs, kArea, kVm, kVa, kBaseKv, kZone, kVmax, kVmin };

constexpr std::array<Column, 8> kGenColumns{{{"bus", true, 0.0},
                                             {"Pg", true, 0.0},
                                             {"Qg", true, 0.0},
                                             {"Qmax", true, 0.0},
                                             {"Qmin", true, 0.0},
                                             {"Vg", true, 0.0},
                                             {"mBase", false, 0.0},
                                             {"status", true, 0.0}}};
enum GenColumn { kGenBus, kPg, kQg, kQmax, kQmin, kVg, kMbase, kGenStatus };

constexpr std::array<Column, 11> kBranchColumns{{{"fbus", true, 0.0},
                                                 {"tbus", true, 0.0},
                                                 {"r", true, 0.0},
                                                 {"x", true, 0.0},
                                                 {"b", true, 0.0},
                                                 {"rateA", false, 0.0},
                                                 {"rateB", false, 0.0},
                                                 {"rateC", false, 0.0},
                                                 {"ratio", true, 0.0},
                                                 {"angle", true, 0.0},
                                                 {"status", true, 0.0}}};
enum BranchColumn { kFbus, kTbus, kR, kX, kB, kRateA, kRateB, kRateC, kRatio, kAngle, kBranchStatus };

struct Row {
  int line = 0;
  std::vector<double> values;  // in the order of the column list; NaN where the field was bad
};

class Problems {
 public:
  void add(const std::string& file, int line, const std::string& field, const std::string& message) {
    list_.push_back(file + ":" + std::to_string(line) + ": " + field + ": " + message);
  }
  void add(const std::string& file, const std::string& message) { list_.push_back(file + ": " + message); }
  void add(std::string problem) { list_.push_back(std::move(problem)); }
  [[nodiscard]] const std::vector<std::string>& list() const { return list_; }

 private:
  std::vector<std::string> list_;
};

// The rows of one table, every field a number; bad fields are reported and read as NaN.
std::vector<Row> read_table(const std::string& path, std::span<const Column> columns, Problems& problems) {
  if (const std::string reason = unreadable_text_input(path, "table of a power flow case"); !reason.empty()) {
    problems.add(reason);
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add(path, "no such readable file");
    return {};
  }
  const CsvFile file = read_csv(in);
  if (file.records.empty()) {
    problems.add(path, "empty file (expected a header line)");
    return {};
  }
  const CsvRecord& header = file.records.front();
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    position.emplace(std::string(trim_blanks(header.fields[i])), i);
  }
  std::vector<std::optional<std::size_t>> source(columns.size());
  bool usable = !header.unbalanced_quotes;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const auto found = position.find(columns[c].name);
    if (found != position.end()) {
      source[c] = found->second;
    } else if (columns[c].required) {
      problems.add(path, header.line, columns[c].name, "missing column");
      usable = false;
    }
  }
  if (!usable) return {};
  std::vector<Row> rows;
  for (std::size_t r = 1; r < file.records.size(); ++r) {
    const CsvRecord& record = file.records[r];
    if (record.unbalanced_quotes) {
      problems.add(path, record.line, "record", "unbalanced double quotes");
      continue;
    }
    if (record.fields.size() != header.fields.size()) {
      problems.add(path, record.line, "record",
                   std::to_string(record.fields.size()) + " fields, the header has " +
                       std::to_string(header.fields.size()));
      continue;
    }
    Row row{record.line, std::vector<double>(columns.size(), kNaN)};
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (!source[c]) {
        row.values[c] = columns[c].fallback;
        continue;
      }
      const std::string_view text = trim_blanks(record.fields[*source[c]]);
      const auto value = parse_csv_double(text);
      if (value) {
        row.values[c] = *value;
      } else {
        problems.add(path, record.line, columns[c].name, "must be a number, got '" + std::string(text) + "'");
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Bus numbers are MATPOWER's int32 ids; a larger whole number (fuzzing found 2e21) would overflow
// the integer conversion below.
constexpr double kMaxBusNumber = 2147483647.0;

bool is_bus_number(double value) {
  return std::isfinite(value) && value >= 1.0 && value <= kMaxBusNumber && value == std::floor(value);
}

std::string number_text(double value);

std::string bus_text(double value) {
  return is_bus_number(value) ? std::to_string(static_cast<long long>(value)) : number_text(value);
}

std::string number_text(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc{}) return "nan";
  return {buffer.data(), end};
}

double read_base_mva(const std::string& path, Problems& problems) {
  if (const std::string reason = unreadable_text_input(path, "case.json of a power flow case");
      !reason.empty()) {
    problems.add(reason);
    return kNaN;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add(path, "no such readable file");
    return kNaN;
  }
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    problems.add(path, "not a JSON object");
    return kNaN;
  }
  const auto found = doc.find("baseMVA");
  if (found == doc.end()) {
    problems.add(path, "baseMVA: missing key");
    return kNaN;
  }
  if (!found->is_number() || !(found->get<double>() > 0.0)) {
    problems.add(path, "baseMVA: must be a positive number, got " + found->dump());
    return kNaN;
  }
  return found->get<double>();
}

std::string case_name(const std::string& dir, const std::string& json_path) {
  std::ifstream in(json_path, std::ios::binary);
  if (in && unreadable_text_input(json_path, "case.json").empty()) {
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_object() && doc.contains("case") && doc["case"].is_string())
      return doc["case"].get<std::string>();
  }
  return fs::path(dir).lexically_normal().filename().string();
}

}  // namespace

Network read_case(const std::string& dir) {
  Problems problems;
  const fs::path root(dir);
  const std::string json_path = (root / "case.json").string();
  const std::string bus_path = (root / "bus.csv").string();
  const std::string gen_path = (root / "gen.csv").string();
  const std::string branch_path = (root / "branch.csv").string();

  Network network;
  network.name = case_name(dir, json_path);
  network.base_mva = read_base_mva(json_path, problems);
  const std::size_t problems_before_buses = problems.list().size();
  const std::vector<Row> bus_rows = read_table(bus_path, kBusColumns, problems);
  const bool bus_file_read = problems.list().size() == problems_before_buses;
  const std::vector<Row> gen_rows = read_table(gen_path, kGenColumns, problems);
  const std::vector<Row> branch_rows = read_table(branch_path, kBranchColumns, problems);

  std::map<std::string, int> bus_index;
  std::vector<int> bus_line;
  bool has_slack = false;
  for (const Row& row : bus_rows) {
    const auto& v = row.values;
    if (!std::isnan(v[kBusI]) && !is_bus_number(v[kBusI])) {
      problems.add(bus_path, row.line, "bus_i",
                   "must be a positive whole number up to 2147483647, got " + number_text(v[kBusI]));
      continue;
    }
    if (std::isnan(v[kBusI])) continue;
    const std::string id = bus_text(v[kBusI]);
    if (bus_index.count(id) > 0) {
      problems.add(bus_path, row.line, "bus_i",
                   "duplicate bus " + id + " (first on line " +
                       std::to_string(bus_line[static_cast<std::size_t>(bus_index[id])]) + ")");
      continue;
    }
    Bus bus;
    bus.id = id;
    const double type = v[kType];
    if (type == 1.0 || type == 2.0 || type == 3.0 || type == 4.0) {
      bus.type = static_cast<BusType>(static_cast<int>(type));
      has_slack = has_slack || bus.type == BusType::kSlack;
    } else if (!std::isnan(type)) {
      problems.add(bus_path, row.line, "type",
                   "must be 1 (PQ), 2 (PV), 3 (slack) or 4 (isolated), got " + number_text(type));
    }
    if (!std::isnan(v[kVm]) && !(v[kVm] > 0.0)) {
      problems.add(bus_path, row.line, "Vm", "must be positive, got " + number_text(v[kVm]));
    }
    bus.pd_mw = v[kPd];
    bus.qd_mvar = v[kQd];
    bus.gs_mw = v[kGs];
    bus.bs_mvar = v[kBs];
    bus.vm_pu = v[kVm];
    bus.va_deg = v[kVa];
    bus.base_kv = v[kBaseKv];
    bus.vmax_pu = v[kVmax];
    bus.vmin_pu = v[kVmin];
    bus_index.emplace(id, static_cast<int>(network.buses.size()));
    bus_line.push_back(row.line);
    network.buses.push_back(std::move(bus));
  }
  if (!bus_rows.empty() && !has_slack) {
    problems.add(bus_path, bus_rows.front().line, "type", "no slack bus (type 3)");
  }
  if (bus_file_read && bus_rows.empty()) {
    problems.add(bus_path, "no buses (only a header): a case needs at least its slack bus (type 3)");
  }

  const auto find_bus = [&](const std::string& path, const Row& row, const char* field, double value) {
    if (std::isnan(value)) return -1;
    if (!is_bus_number(value)) {
      problems.add(path, row.line, field, "must be a bus number, got " + number_text(value));
      return -1;
    }
    const auto found = bus_index.find(bus_text(value));
    if (found == bus_index.end()) {
      if (!bus_rows.empty()) problems.add(path, row.line, field, "unknown bus " + bus_text(value));
      return -1;
    }
    return found->second;
  };

  for (const Row& row : gen_rows) {
    const auto& v = row.values;
    Generator gen;
    gen.bus = find_bus(gen_path, row, "bus", v[kGenBus]);
    gen.pg_mw = v[kPg];
    gen.qg_mvar = v[kQg];
    gen.qmax_mvar = v[kQmax];
    gen.qmin_mvar = v[kQmin];
    gen.vg_pu = v[kVg];
    gen.in_service = v[kGenStatus] > 0.0;
    if (!std::isnan(v[kVg]) && !(v[kVg] > 0.0)) {
      problems.add(gen_path, row.line, "Vg", "must be positive, got " + number_text(v[kVg]));
    }
    network.generators.push_back(gen);
  }

  std::vector<int> branch_line;
  for (const Row& row : branch_rows) {
    const auto& v = row.values;
    Branch branch;
    branch.id = std::to_string(network.branches.size() + 1);
    branch.from = find_bus(branch_path, row, "fbus", v[kFbus]);
    branch.to = find_bus(branch_path, row, "tbus", v[kTbus]);
    branch.r_pu = v[kR];
    branch.x_pu = v[kX];
    branch.b_pu = v[kB];
    branch.rate_a_mva = v[kRateA];
    branch.tap = v[kRatio];
    branch.shift_deg = v[kAngle];
    branch.in_service = v[kBranchStatus] > 0.0;
    if (v[kR] < 0.0)
      problems.add(branch_path, row.line, "r", "must not be negative, got " + number_text(v[kR]));
    if (branch.in_service && v[kR] == 0.0 && v[kX] == 0.0) {
      problems.add(branch_path, row.line, "x", "zero impedance (r = x = 0) on a branch in service");
    }
    if (v[kRatio] < 0.0) {
      problems.add(branch_path, row.line, "ratio", "must not be negative, got " + number_text(v[kRatio]));
    }
    if (v[kRateA] < 0.0) {
      problems.add(branch_path, row.line, "rateA", "must not be negative, got " + number_text(v[kRateA]));
    }
    if (branch.from >= 0 && branch.from == branch.to) {
      problems.add(branch_path, row.line, "tbus",
                   "the branch connects bus " + bus_text(v[kFbus]) + " to itself");
    }
    branch_line.push_back(row.line);
    network.branches.push_back(std::move(branch));
  }

  // Islands: buses that in-service branches do not connect to any slack bus.
  if (problems.list().empty()) {
    const std::size_t n = network.buses.size();
    std::vector<std::vector<int>> neighbours(n);
    for (const Branch& branch : network.branches) {
      if (!branch.in_service) continue;
      const BusType from_type = network.buses[static_cast<std::size_t>(branch.from)].type;
      const BusType to_type = network.buses[static_cast<std::size_t>(branch.to)].type;
      if (from_type == BusType::kIsolated || to_type == BusType::kIsolated) continue;
      neighbours[static_cast<std::size_t>(branch.from)].push_back(branch.to);
      neighbours[static_cast<std::size_t>(branch.to)].push_back(branch.from);
    }
    std::vector<bool> reached(n, false);
    std::vector<int> queue;
    for (std::size_t i = 0; i < n; ++i) {
      if (network.buses[i].type == BusType::kSlack) {
        reached[i] = true;
        queue.push_back(static_cast<int>(i));
      }
    }
    for (std::size_t head = 0; head < queue.size(); ++head) {
      for (const int next : neighbours[static_cast<std::size_t>(queue[head])]) {
        if (!reached[static_cast<std::size_t>(next)]) {
          reached[static_cast<std::size_t>(next)] = true;
          queue.push_back(next);
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (reached[i] || network.buses[i].type == BusType::kIsolated) continue;
      problems.add(
          bus_path, bus_line[i], "bus_i",
          "bus " + network.buses[i].id +
              " is islanded: no in-service branch path to a slack bus (make it type 4 to leave it out)");
    }
  }

  if (!problems.list().empty()) throw ConfigError(dir + ": invalid power flow case", problems.list());
  return network;
}

void write_solution(const Network& network, const PowerFlowResult& result, const std::string& dir) {
  if (!result.refused.empty()) throw Error(ErrorCode::kBadInput, result.refused);
  if (!result.converged) {
    const std::string bus =
        result.worst_bus >= 0 && static_cast<std::size_t>(result.worst_bus) < network.buses.size()
            ? network.buses[static_cast<std::size_t>(result.worst_bus)].id
            : "?";
    throw Error(ErrorCode::kBadInput, "did not converge: worst mismatch " +
                                          number_text(result.max_mismatch_pu) + " p.u. at bus " + bus);
  }
  if (result.vm_pu.size() != network.buses.size() || result.pf_mw.size() != network.branches.size()) {
    throw Error(ErrorCode::kInternal, "write_solution: the result is not of this network");
  }
  const auto id_of = [&](int bus) {
    return bus >= 0 ? network.buses[static_cast<std::size_t>(bus)].id : std::string("?");
  };

  std::string bus_text_out = "bus_i,Vm,Va\n";
  for (std::size_t i = 0; i < network.buses.size(); ++i) {
    bus_text_out +=
        network.buses[i].id + "," + number_text(result.vm_pu[i]) + "," + number_text(result.va_deg[i]) + "\n";
  }
  std::string branch_text_out = "fbus,tbus,status,Pf,Qf,Pt,Qt\n";
  for (std::size_t b = 0; b < network.branches.size(); ++b) {
    const Branch& branch = network.branches[b];
    branch_text_out += id_of(branch.from) + "," + id_of(branch.to) + "," + (branch.in_service ? "1" : "0") +
                       "," + number_text(result.pf_mw[b]) + "," + number_text(result.qf_mvar[b]) + "," +
                       number_text(result.pt_mw[b]) + "," + number_text(result.qt_mvar[b]) + "\n";
  }
  nlohmann::ordered_json summary;
  summary["case"] = network.name;
  summary["converged"] = result.converged;
  summary["iterations"] = result.iterations;
  summary["method"] = to_string(result.method);
  summary["total_loss_mw"] = result.total_loss_mw;
  summary["max_mismatch_pu"] = result.max_mismatch_pu;
  summary["vmin_pu"] = result.vmin_pu;
  summary["vmin_bus"] = id_of(result.vmin_bus);
  summary["vmax_pu"] = result.vmax_pu;
  summary["vmax_bus"] = id_of(result.vmax_bus);

  write_files_into_folder(dir, {{"solution_bus.csv", bus_text_out},
                                {"solution_branch.csv", branch_text_out},
                                {"summary.json", summary.dump(2) + "\n"}});
}

}  // namespace sandan
