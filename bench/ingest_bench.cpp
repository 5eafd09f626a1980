// Meter ingest benchmark: a synthetic wide CSV of N meters × a year of 15-minute data (35,040 rows)
// made in a temporary folder, ingested as `sandan ingest` does (read, every quality check, hourly
// aggregation, the layout's expected energies, the measured file written), once on each thread count
// asked for. Each ingest runs in a child process so that its peak resident memory (getrusage via wait4)
// is its own. Prints the seconds of each ingest (wall clock, and CPU time of the child) and its peak RSS.
//
// Usage: bench_ingest [--meters N] [--threads 1,2] [--site LAYOUT]   (defaults: 5000 meters, 1 and 2
// threads, gis_data/incheon.gpkg), run from the repository root.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sandan.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kIntervals = 365 * 96;  // a year of 15-minute intervals (2026 is not a leap year)

// One row of values a line; each meter a day-shift factory of its own size with noise, in kWh per
// quarter hour. Written in blocks so the file never sits in memory.
void write_wide_csv(const fs::path& path, int meters) {
  std::ofstream out(path, std::ios::binary);
  out << "timestamp";
  for (int m = 0; m < meters; ++m) out << ",m" << m;
  out << "\n";
  std::vector<double> size_kwh(static_cast<std::size_t>(meters));
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> size(5.0, 200.0);
  std::normal_distribution<double> noise(0.0, 0.05);
  for (double& s : size_kwh) s = size(rng);
  std::string line;
  char buffer[32];
  for (int i = 0; i < kIntervals; ++i) {
    const int day = i / 96;
    const int minute = (i % 96) * 15;
    const sandan::Date date = sandan::add_days(sandan::Date{2026, 1, 1}, day);
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d", date.year, date.month, date.day,
                  minute / 60, minute % 60);
    line = buffer;
    const double hour = minute / 60.0;
    const double shape = (hour >= 8.0 && hour < 18.0) ? 1.0 : 0.3;
    for (int m = 0; m < meters; ++m) {
      const double v = size_kwh[static_cast<std::size_t>(m)] * shape * (1.0 + noise(rng));
      std::snprintf(buffer, sizeof buffer, ",%.3f", std::max(0.0, v));
      line += buffer;
    }
    line += '\n';
    out << line;
  }
}

std::vector<int> parse_threads(const std::string& text) {
  std::vector<int> threads;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) threads.push_back(std::max(1, std::atoi(item.c_str())));
  return threads;
}

}  // namespace

int main(int argc, char** argv) {
  int meters = 5000;
  std::vector<int> threads{1, 2};
  std::string site = "gis_data/incheon.gpkg";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--meters") {
      meters = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--threads") {
      threads = parse_threads(argv[i + 1]);
    } else if (flag == "--site") {
      site = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: bench_ingest [--meters N] [--threads 1,2] [--site LAYOUT]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("sandan_bench_ingest_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path data = dir / "meters.csv";
  const fs::path map = dir / "map.yaml";

  auto start = std::chrono::steady_clock::now();
  write_wide_csv(data, meters);
  // Meters mapped to the layout's facilities in turn (several meters may measure one facility).
  const sandan::Site layout = sandan::load_site({site});
  {
    std::ofstream out(map);
    out << "schema: sandan-meter-map\nversion: 1\nmeters:\n";
    for (int m = 0; m < meters; ++m) {
      out << "  - {meter: m" << m << ", facility: "
          << layout.facilities[static_cast<std::size_t>(m) % layout.facilities.size()].facility_id
          << ", unit: kWh}\n";
    }
  }
  const double made_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d meters x %d intervals (%.0f MB of CSV) made in %.1f s\n", meters, kIntervals,
              static_cast<double>(fs::file_size(data)) / 1e6, made_s);

  for (const int t : threads) {
    std::fflush(stdout);  // or the child would print it again
    const pid_t child = ::fork();
    if (child == 0) {
      sandan::IngestRequest request;
      request.data_files = {data.string()};
      request.map_path = map.string();
      request.site = site;
      request.output = (dir / ("measured_" + std::to_string(t) + ".h5")).string();
      request.threads = t;
      const auto begin = std::chrono::steady_clock::now();
      try {
        const sandan::IngestReport report = sandan::ingest(request);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        std::map<std::string, int> checks;
        for (const auto& f : report.result.data.findings) ++checks[f.check];
        std::string found;
        for (const auto& [check, n] : checks) found += " " + check + " " + std::to_string(n);
        std::printf("  %d thread(s): %.2f s, %d hours, findings:%s", t, s, report.result.data.hours,
                    found.empty() ? " none" : found.c_str());
        std::fflush(stdout);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_ingest: %s\n", e.what());
        std::_Exit(1);
      }
      std::_Exit(0);
    }
    int status = 0;
    rusage usage{};
    ::wait4(child, &status, 0, &usage);
    // ru_maxrss is in kilobytes on Linux (getrusage(2)); CPU time tells the work apart from waiting
    // for cores other processes hold.
    const double cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::printf(", CPU %.2f s, peak RSS %.0f MB%s\n", cpu_s, static_cast<double>(usage.ru_maxrss) / 1024.0,
                WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : " (failed)");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
