#include "view/server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/search_path.hpp"

namespace sandan {

namespace {

bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name[0] == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string content_type(const std::string& file) {
  const std::string ext = std::filesystem::path(file).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

std::string error_body(const std::string& message) {
  std::string escaped;
  for (const char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped += c;
  }
  return "{\"error\":\"" + escaped + "\"}";
}

}  // namespace

std::string find_web_assets(const std::string& given) {
  std::error_code ec;
  if (!given.empty()) {
    if (!std::filesystem::is_regular_file(std::filesystem::path(given) / "src" / "index.html", ec))
      throw Error(ErrorCode::kBadInput,
                  "--assets " + given + ": not the view's web folder (no src/index.html in it)");
    return given;
  }
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ec);
  for (const std::filesystem::path& start : {program.parent_path(), std::filesystem::current_path(ec)}) {
    if (start.empty()) continue;
    const std::string found = find_upward(start, "web/src/index.html");
    if (!found.empty()) return std::filesystem::path(found).parent_path().parent_path().string();
  }
  throw Error(ErrorCode::kBadInput,
              "cannot find the view's web folder (web/src/index.html) beside the program or the working "
              "folder; run sandan serve from the repository, or give it with --assets WEB_FOLDER");
}

std::optional<std::string> asset_file(const std::string& web_folder, const std::string& path) {
  const std::filesystem::path web(web_folder);
  if (path == "/") return (web / "src" / "index.html").string();
  if (path == "/vendor/maplibre-gl.js")
    return (web / "node_modules/maplibre-gl/dist/maplibre-gl.js").string();
  if (path == "/vendor/maplibre-gl.css")
    return (web / "node_modules/maplibre-gl/dist/maplibre-gl.css").string();
  if (path.size() > 1 && path[0] == '/' && plain_name(path.substr(1)))
    return (web / "src" / path.substr(1)).string();
  return std::nullopt;
}

void serve(const ServeOptions& options, std::ostream& out, const std::function<bool()>& stop) {
  const std::string web = find_web_assets(options.assets);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*asset_file(web, "/vendor/maplibre-gl.js"), ec))
    throw Error(ErrorCode::kBadInput, "the view's map library is not installed (" +
                                          *asset_file(web, "/vendor/maplibre-gl.js") +
                                          "): run bash tools/setup.sh, or npm ci in " + web);
  if (options.port < 0 || options.port > 65535)
    throw Error(ErrorCode::kBadInput, "--port " + std::to_string(options.port) + ": give 0 to 65535");
  ViewData data(options.view);

  httplib::Server server;
  server.set_keep_alive_max_count(1000);
  auto reply_file = [&web](const httplib::Request& req, httplib::Response& res) {
    const auto file = asset_file(web, req.path);
    std::ifstream in;
    if (file) in.open(*file, std::ios::binary);
    if (!file || !in || std::filesystem::is_directory(*file)) {
      res.status = 404;
      res.set_content(error_body("no such file: " + req.path.substr(0, 80)), "application/json");
      return;
    }
    std::ostringstream body;
    body << in.rdbuf();
    res.set_header("Cache-Control", "no-store");
    res.set_content(body.str(), content_type(*file).c_str());
  };
  server.Get(R"(/api/.*)", [&data](const httplib::Request& req, httplib::Response& res) {
    ViewQuery query(req.params.begin(), req.params.end());
    ViewReply reply = data.get(req.path, query);
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(reply.body), reply.content_type.c_str());
  });
  server.Get(R"(/.*)", reply_file);
  auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_content(error_body("the view only answers GET"), "application/json");
  };
  server.Post(R"(/.*)", refuse);
  server.Put(R"(/.*)", refuse);
  server.Delete(R"(/.*)", refuse);
  server.Patch(R"(/.*)", refuse);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(error_body("internal error"), "application/json");
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port < 0)
    throw Error(ErrorCode::kIo,
                "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                    " (in use, or not an address of this machine); give another --port or --host");
  const std::string url =
      "http://" + (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
      ":" + std::to_string(port) + "/";
  out << "sandan: serving " << url << " (Ctrl-C to stop)" << std::endl;

  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (interrupt_signal() != 0 || (stop && stop())) {
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  server.listen_after_bind();
  done = true;
  watcher.join();
}

}  // namespace sandan
