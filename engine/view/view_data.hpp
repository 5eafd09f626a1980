// view/view_data: what `sandan serve` shows, behind its HTTP API (docs/view.md, "HTTP API"): the
// runs of the results files given, the layout each used in WGS84 as GeoJSON, and the values of a
// quantity at an hour for every facility, feeder segment or road. Files are opened and checked at
// start; hourly series are read when first asked for and kept (up to a memory budget), so a large
// results file opens in about a second. Requests are answered as data: this module knows nothing of
// sockets (view/server.hpp does), so every endpoint is tested without a network.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sandan {

struct ViewOptions {
  std::vector<std::string> results;  // results files, in the order given
  std::string measured;              // a measured file (sandan ingest), or ""
  std::string site;                  // the layout, when the runs' own cannot be found; "" for theirs
  std::string lang = "ko";           // the language the page starts in: ko or en
  double vc_alarm = 0.9;             // road volume/capacity above which a road is an alarm
  std::size_t cache_bytes = std::size_t{3} << 30;  // hourly series kept in memory at most
};

// One answer of the API: a status, a content type and a body.
struct ViewReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using ViewQuery = std::multimap<std::string, std::string>;

class ViewData {
 public:
  // Opens every file, checks the structure of every run and loads the layouts they used. Throws
  // Error(kBadInput) naming the file (missing, not a results file, a broken run, a layout that cannot
  // be found or read: with the fix, e.g. --site).
  explicit ViewData(const ViewOptions& options);
  ~ViewData();
  ViewData(const ViewData&) = delete;
  ViewData& operator=(const ViewData&) = delete;
  ViewData(ViewData&&) = delete;
  ViewData& operator=(ViewData&&) = delete;

  // Answers GET `path` ("/api/frame", ...) with its query. Unknown paths are 404, bad parameters 400,
  // each with {"error": "..."}. Safe to call from several threads.
  [[nodiscard]] ViewReply get(const std::string& path, const ViewQuery& query);

  // The run ids ("0:baseline", ...), in the order of the files and of each file's runs.
  [[nodiscard]] std::vector<std::string> run_ids() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sandan
