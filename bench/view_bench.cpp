// The view's server side (engine/view) on a results file: time to open it (every run checked, the
// layout read and turned into GeoJSON), the layout's size, the first frame of a quantity (its series
// read and inflated), a frame after that, a difference frame, a year's scale, the alarms, and the
// bytes each hour step sends. The browser's side (first map, hour switch) is bench/view_bench.mjs.
//   bench_view RESULTS.h5 [MORE.h5]   (run from the repository, so that the runs' layout is found)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "view/view_data.hpp"

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_view RESULTS.h5 [MORE.h5]\n");
    return 2;
  }
  sandan::ViewOptions options;
  for (int i = 1; i < argc; ++i) options.results.emplace_back(argv[i]);
  double t0 = now_ms();
  sandan::ViewData view(options);
  std::printf("open (check runs, read layout, GeoJSON): %.0f ms\n", now_ms() - t0);
  const std::vector<std::string> runs = view.run_ids();
  const std::string run = runs.front();
  t0 = now_ms();
  const sandan::ViewReply layout = view.get("/api/layout", {{"run", run}});
  std::printf("layout: %.1f ms, %.0f kB\n", now_ms() - t0, static_cast<double>(layout.body.size()) / 1e3);
  for (const char* quantity : {"load_kw", "import_kw"}) {
    t0 = now_ms();
    const auto first = view.get(
        "/api/frame", {{"run", run}, {"layer", "facilities"}, {"quantity", quantity}, {"hour", "0"}});
    std::printf("first frame of %s (reads the series): %.0f ms, %zu bytes\n", quantity, now_ms() - t0,
                first.body.size());
  }
  std::vector<double> step_ms;
  std::size_t bytes = 0;
  for (int hour = 1; hour <= 500; ++hour) {
    t0 = now_ms();
    for (const auto& [layer, quantity] : std::vector<std::pair<const char*, const char*>>{
             {"facilities", "load_kw"}, {"feeders", "loading"}, {"roads", "vc"}}) {
      const auto reply =
          view.get("/api/frame",
                   {{"run", run}, {"layer", layer}, {"quantity", quantity}, {"hour", std::to_string(hour)}});
      bytes += reply.body.size();
    }
    step_ms.push_back(now_ms() - t0);
  }
  std::sort(step_ms.begin(), step_ms.end());
  std::printf(
      "hour step (facilities, feeders and roads, warm): median %.3f ms, p95 %.3f ms, %zu bytes a step\n",
      step_ms[step_ms.size() / 2], step_ms[step_ms.size() * 95 / 100], bytes / 500);
  if (runs.size() > 1) {
    t0 = now_ms();
    (void)view.get("/api/frame", {{"run", runs[1]},
                                  {"base", run},
                                  {"layer", "facilities"},
                                  {"quantity", "import_kw"},
                                  {"hour", "4140"}});
    std::printf("first difference frame (reads the second run's series): %.0f ms\n", now_ms() - t0);
    t0 = now_ms();
    (void)view.get("/api/frame", {{"run", runs[1]},
                                  {"base", run},
                                  {"layer", "facilities"},
                                  {"quantity", "import_kw"},
                                  {"hour", "4141"}});
    std::printf("difference frame, warm: %.3f ms\n", now_ms() - t0);
    t0 = now_ms();
    (void)view.get("/api/scale",
                   {{"run", runs[1]}, {"base", run}, {"layer", "facilities"}, {"quantity", "import_kw"}});
    std::printf("difference scale over the year: %.0f ms\n", now_ms() - t0);
  }
  t0 = now_ms();
  (void)view.get("/api/scale", {{"run", run}, {"layer", "facilities"}, {"quantity", "load_kw"}});
  std::printf("scale over the year (load): %.0f ms\n", now_ms() - t0);
  t0 = now_ms();
  const auto alarms = view.get("/api/alarms", {{"run", run}});
  std::printf("alarms over the year: %.0f ms\n", now_ms() - t0);
  return 0;
}
