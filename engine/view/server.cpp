#include "view/server.hpp"

#include <httplib.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
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

// Content types. The HTTP library compresses a body of certain types itself, with brotli at its
// highest quality: 1.6 s for the layout's 1 MB of JSON and 1.9 s for MapLibre's script on this
// machine. Types it does not compress (it matches "application/json" and "application/javascript"
// exactly; "; charset=utf-8" differs) are compressed here instead, with gzip at level 6, once a body
// (GzipCache), in a few milliseconds. Only text/* (the page and its CSS, a few kB) is left to it.
std::string content_type(const std::string& file) {
  const std::string ext = std::filesystem::path(file).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

// A body in gzip (RFC 1952), zlib at level 6. Empty if zlib fails (the body is then sent as it is).
std::string gzip(const std::string& body) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, body.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  const std::size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (status != Z_STREAM_END) return {};
  out.resize(written);
  return out;
}

bool accepts_gzip(const httplib::Request& req) {
  return req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

// Compressed bodies of the page's files and of the large API replies (the layout), by key.
class GzipCache {
 public:
  // The gzip of `body` under `key`, made once (again when the body's size changes: a file edited).
  std::shared_ptr<const std::string> get(const std::string& key, const std::string& body) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto& entry = entries_[key];
    if (!entry.second || entry.first != body.size())
      entry = {body.size(), std::make_shared<const std::string>(gzip(body))};
    return entry.second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<std::size_t, std::shared_ptr<const std::string>>> entries_;
};

// Sets the body: gzip-compressed when the client takes it and the body is worth it (the library
// leaves these content types alone, see content_type).
void set_body(const httplib::Request& req, httplib::Response& res, const std::string& key,
              const std::string& body, const std::string& type, GzipCache& cache) {
  constexpr std::size_t kWorthIt = std::size_t{16} * 1024;
  if (body.size() >= kWorthIt && accepts_gzip(req) && type.find("charset=utf-8") != std::string::npos &&
      type.rfind("text/", 0) != 0) {
    const auto compressed = cache.get(key, body);
    if (!compressed->empty()) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(*compressed, type.c_str());
      return;
    }
  }
  res.set_content(body, type.c_str());
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
  if (options.port < 0 || options.port > 65535)
    throw Error(ErrorCode::kBadInput, "--port " + std::to_string(options.port) + ": give 0 to 65535");
  // The user's files first: their errors matter more than the page's.
  ViewData data(options.view);
  const std::string web = find_web_assets(options.assets);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*asset_file(web, "/vendor/maplibre-gl.js"), ec))
    throw Error(ErrorCode::kBadInput, "the view's map library is not installed (" +
                                          *asset_file(web, "/vendor/maplibre-gl.js") +
                                          "): run bash tools/setup.sh, or npm ci in " + web);

  httplib::Server server;
  server.set_keep_alive_max_count(1000);
  // The library's default also sets SO_REUSEPORT, with which a second `sandan serve` on the same port
  // starts without a word and the two share the connections: SO_REUSEADDR only (a restart right after
  // a stop still binds), so that a port in use is an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  GzipCache compressed;
  auto reply_file = [&web, &compressed](const httplib::Request& req, httplib::Response& res) {
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
    set_body(req, res, *file, body.str(), content_type(*file), compressed);
  };
  server.Get(R"(/api/.*)", [&data, &compressed](const httplib::Request& req, httplib::Response& res) {
    const ViewQuery query(req.params.begin(), req.params.end());
    const ViewReply reply = data.get(req.path, query);
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
    res.set_header("Cache-Control", "no-store");
    const std::string type =
        reply.content_type == "application/json" ? "application/json; charset=utf-8" : reply.content_type;
    // Only the layout is large, and the same for every request of a run.
    if (req.path == "/api/layout" && reply.status == 200) {
      set_body(req, res, "layout " + req.get_param_value("run"), reply.body, type, compressed);
    } else {
      res.set_content(reply.body, type.c_str());
    }
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
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
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
