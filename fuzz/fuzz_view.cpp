// The view's HTTP API (view/view_data): the query of every endpoint, as `sandan serve` hands it over
// from the network. Once per process the harness runs the Incheon Local complex's baseline (energy,
// feeders, traffic and carbon) into a results file and opens it twice, so that `base=` has a second
// run to compare with. An input is a request: its first line the path, every further line one
// `key=value` parameter (the bytes as they come, already URL-decoded, as cpp-httplib passes them).
// Besides crashes and sanitizer reports, a reply that breaks the API's promises is a bug: a status
// other than 200, 400 or 404, an error without {"error": ...}, or a JSON body that does not parse.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "sandan.hpp"
#include "view/view_data.hpp"

namespace {

std::unique_ptr<sandan::ViewData>& view() {
  static std::unique_ptr<sandan::ViewData> data;
  return data;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const std::filesystem::path source(SANDAN_SOURCE_DIR);
  const std::string scenario = sandan_fuzz::write_file(
      "local.yaml",
      "name: base\nextends: " + (source / "scenarios" / "baseline.yaml").string() + "\ncomplexes: [local]\n");
  const std::string results = (sandan_fuzz::scratch() / "local.h5").string();
  // The scenarios' relative paths (the layout, the weather...) are the repository's: run from there.
  const std::filesystem::path here = std::filesystem::current_path();
  std::filesystem::current_path(source);
  sandan::RunOptions options;
  options.threads = 2;
  (void)sandan::run_scenario_file(scenario, results, "fuzz_view", options);
  std::filesystem::current_path(here);
  sandan::ViewOptions o;
  o.results = {results, results};
  o.site = (source / "gis_data" / "incheon.gpkg").string();
  o.cache_bytes = std::size_t{256} << 20;  // inside libFuzzer's -rss_limit_mb of 2048
  view() = std::make_unique<sandan::ViewData>(o);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::size_t end = rest.find('\n');
  const std::string path(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  sandan::ViewQuery query;
  while (!rest.empty()) {
    const std::size_t line_end = rest.find('\n');
    const std::string_view line = rest.substr(0, line_end);
    const std::size_t eq = line.find('=');
    query.emplace(std::string(line.substr(0, eq)),
                  eq == std::string_view::npos ? std::string() : std::string(line.substr(eq + 1)));
    rest = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 1);
  }
  const sandan::ViewReply reply = view()->get(path, query);
  if (reply.status != 200 && reply.status != 400 && reply.status != 404) std::abort();
  if (reply.content_type == "application/json") {
    const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) std::abort();
    if (reply.status != 200 && (!body.is_object() || !body.contains("error"))) std::abort();
  } else if (reply.status != 200) {
    std::abort();
  }
  return 0;
}
